import { OciError } from '@ocikit/digest';
import {
  createImageIndex,
  type Descriptor,
  formatPlatform,
  type ParsedImageIndex,
  parsePlatform,
  platformMatches,
} from '@ocikit/spec';

/**
 * Checks and normalizes the `platforms` option of a copy.
 *
 * @param platforms - specifiers such as `linux/arm64/v8`
 * @returns the same, parsed once
 * @throws {OciError} `PLATFORM_INVALID` for a malformed specifier;
 *   `OPTION_INVALID` for an empty list
 */
export function parsePlatformFilter(platforms: readonly string[]): readonly string[] {
  if (platforms.length === 0) {
    throw new OciError(
      'OPTION_INVALID',
      'platforms must list at least one platform, or be left out',
    );
  }
  return platforms.map((platform) => formatPlatform(parsePlatform(platform)));
}

/**
 * The entries of an index a copy with a platform filter keeps: those that
 * run on one of the wanted platforms, as `platformMatches` of `@ocikit/spec`
 * decides (`linux/arm64` takes `linux/arm64/v8`), and those without a
 * `platform` (nested indexes, artifacts).
 *
 * @param index - the parsed source index
 * @param platforms - the wanted platforms
 * @returns the entries to copy, in their order
 * @throws {OciError} `PLATFORM_NOT_FOUND` when entries have platforms and none is wanted
 */
export function selectEntries(
  index: ParsedImageIndex,
  platforms: readonly string[],
): readonly Descriptor[] {
  const all = index.value.manifests;
  const entries = all.filter(({ platform }) =>
    platform === undefined ? true : platforms.some((wanted) => platformMatches(wanted, platform)),
  );
  const offered = all.some((entry) => entry.platform !== undefined);
  if (offered && !entries.some((entry) => entry.platform !== undefined)) {
    throw new OciError(
      'PLATFORM_NOT_FOUND',
      `No manifest of index ${index.digest} is for ${platforms.map((p) => `"${p}"`).join(', ')}`,
    );
  }
  return entries;
}

/**
 * The index to push for the entries a copy kept: the source index itself,
 * bytes and digest unchanged, when the entries are its own; otherwise a new
 * index of them (fewer platforms, or a nested index that was itself
 * filtered), with the source's media type, `artifactType`, `subject` and
 * annotations. Its digest is new: the source index would name manifests the
 * destination does not hold, which registries refuse.
 *
 * @param index - the parsed source index
 * @param entries - the entries as pushed, in order
 * @param maxSize - the manifest size limit of the rebuilt index
 * @returns the index to push
 */
export function indexFor(
  index: ParsedImageIndex,
  entries: readonly Descriptor[],
  maxSize: number,
): ParsedImageIndex {
  const own = index.value.manifests;
  if (
    entries.length === own.length &&
    entries.every((entry, i) => entry.digest === own[i]?.digest)
  ) {
    return index;
  }
  const { artifactType, subject, annotations } = index.value;
  return createImageIndex(
    {
      mediaType: index.mediaType,
      manifests: entries,
      ...(artifactType === undefined ? {} : { artifactType }),
      ...(subject === undefined ? {} : { subject }),
      ...(annotations === undefined ? {} : { annotations }),
    },
    { maxSize },
  );
}
