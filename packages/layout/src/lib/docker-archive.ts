import { type Fetcher, fetchBytes, type OperationOptions } from '@ocikit/content';
import { OciError } from '@ocikit/digest';
import { familiarName, familiarString, parseNormalized, type Reference } from '@ocikit/reference';
import {
  Annotation,
  type Descriptor,
  isImageConfigMediaType,
  type ParsedImageManifest,
  parseImageConfig,
  parseManifest,
  selectPlatform,
} from '@ocikit/spec';
import { createLayoutIndex, newEntry, serializeLayoutIndex } from './index-json.ts';
import { layoutFiles } from './layout-archive.ts';
import { CONTAINERD_IMAGE_NAME } from './tag.ts';
import { blobPath, bytesFile, packArchive } from './tar-write.ts';

/** Options of {@link createDockerArchive}. */
export interface DockerArchiveOptions extends OperationOptions {
  /**
   * The names the image is loaded as, such as `example.com/app:v1` or
   * `alpine:3.20` (normalized as Docker does); each needs a tag.
   * @default [] (`docker load` then loads the image untagged)
   */
  repoTags?: readonly string[];
  /**
   * The platform to export when the descriptor is an index, such as
   * `linux/arm64`.
   * @default undefined (an index is refused)
   */
  platform?: string;
}

/** One image of a Docker archive's `manifest.json`. */
export interface DockerArchiveItem {
  /** The path of the image config in the archive. */
  readonly Config: string;
  /** The names to load the image as (familiar form, such as `alpine:3.20`). */
  readonly RepoTags: readonly string[];
  /** The paths of the layer files, base first. */
  readonly Layers: readonly string[];
}

/** The size limit of a Docker archive's `manifest.json`. */
export const MAX_DOCKER_MANIFEST_SIZE = 16 * 1024 * 1024;

/**
 * Writes a single-platform image from any store as a Docker archive, the
 * format of `docker save` that `docker load`, `skopeo copy docker-archive:`
 * and `ctr import` read. The archive is also an OCI layout archive, as
 * Docker 25+ writes it: `blobs/sha256/…` holds the config, the layers (as
 * stored, compressed or not: `docker load` decompresses them and checks
 * their `diff_ids`) and the manifest; `index.json` lists the manifest once
 * per name, with `io.containerd.image.name` and
 * `org.opencontainers.image.ref.name`; `manifest.json` and `repositories`
 * name the same files for Docker. Streamed one blob at a time, deterministic.
 *
 * @param source - where the image is
 * @param descriptor - the image manifest (or an index with `options.platform`)
 * @param options - {@link DockerArchiveOptions}
 * @returns the tar stream
 * @throws {OciError} `OPTION_INVALID` for an index without `platform`, or a
 *   name without a tag; `REFERENCE_INVALID` for a malformed name;
 *   `PLATFORM_INVALID`, `PLATFORM_NOT_FOUND`; `UNSUPPORTED_MEDIA_TYPE` for an artifact or a
 *   schema 1 manifest; `MANIFEST_INVALID` when the config's `diff_ids` do
 *   not match the layers; the source's errors (`MANIFEST_UNKNOWN`, …)
 * @see https://github.com/moby/moby/blob/master/image/tarexport/save.go
 */
export async function createDockerArchive(
  source: Fetcher,
  descriptor: Descriptor,
  options: DockerArchiveOptions = {},
): Promise<ReadableStream<Uint8Array>> {
  const names = [
    ...new Map(
      (options.repoTags ?? []).map(parseRepoTag).map((name) => [`${name}`, name]),
    ).values(),
  ];
  const manifest = await readImageManifest(source, descriptor, options);
  const { config, layers } = manifest.value;
  if (!isImageConfigMediaType(config.mediaType)) {
    throw new OciError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Manifest ${manifest.digest} is an artifact (config ${config.mediaType}), not an image Docker can load`,
    );
  }
  const rootfs = parseImageConfig(await fetchBytes(source, config, options)).rootfs;
  if (rootfs.diff_ids.length !== layers.length) {
    throw new OciError(
      'MANIFEST_INVALID',
      `Image ${manifest.digest} has ${layers.length} layers but its config lists ${rootfs.diff_ids.length} diff_ids`,
    );
  }
  const entries =
    names.length === 0
      ? [newEntry(manifest.descriptor, {})]
      : names.map((name) =>
          newEntry(manifest.descriptor, {
            [CONTAINERD_IMAGE_NAME]: name.toString(),
            [Annotation.RefName]: name.tag as string,
          }),
        );
  const index = { ...createLayoutIndex(), manifests: entries };
  const item: DockerArchiveItem = {
    Config: blobPath(config.digest),
    RepoTags: names.map((name) => familiarString(name)),
    Layers: layers.map((layer) => blobPath(layer.digest)),
  };
  const topLayer = layers.at(-1)?.digest.split(':')[1];
  const repositories: Record<string, Record<string, string>> = {};
  for (const name of names) {
    const repository = familiarName(name);
    const tags = { ...repositories[repository] };
    if (topLayer !== undefined) tags[name.tag as string] = topLayer;
    repositories[repository] = tags;
  }
  const blobs = unique([config, ...layers, manifest.descriptor]);
  const encoder = new TextEncoder();
  const files = [
    ...layoutFiles(source, serializeLayoutIndex(index), blobs),
    bytesFile('manifest.json', encoder.encode(JSON.stringify([item]))),
  ];
  if (names.length > 0) {
    files.push(bytesFile('repositories', encoder.encode(JSON.stringify(repositories))));
  }
  return packArchive(files, options);
}

/**
 * Parses a Docker archive's `manifest.json`: a list of
 * `{ Config, RepoTags, Layers }` (`RepoTags` may be `null`).
 *
 * @param bytes - the file's content
 * @returns the images, in file order
 * @throws {OciError} `TAR_INVALID` when it does not have that shape
 * @see https://github.com/moby/moby/blob/master/image/tarexport/tarexport.go
 */
export function parseDockerArchiveManifest(bytes: Uint8Array): DockerArchiveItem[] {
  let document: unknown;
  try {
    document = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new OciError('TAR_INVALID', 'Docker archive manifest.json is not valid JSON', {
      cause: error,
    });
  }
  const fail = (reason: string) =>
    new OciError('TAR_INVALID', `Docker archive manifest.json is invalid: ${reason}`);
  if (!Array.isArray(document) || document.length === 0) throw fail('it must be a non-empty list');
  return document.map((value: unknown, position) => {
    const item = value as Record<string, unknown> | null;
    const strings = (list: unknown) =>
      Array.isArray(list) && list.every((entry) => typeof entry === 'string');
    if (typeof item !== 'object' || item === null || typeof item.Config !== 'string') {
      throw fail(`[${position}].Config must be a string`);
    }
    if (!strings(item.Layers)) throw fail(`[${position}].Layers must be a list of strings`);
    if (item.RepoTags != null && !strings(item.RepoTags)) {
      throw fail(`[${position}].RepoTags must be a list of strings`);
    }
    return {
      Config: item.Config,
      RepoTags: (item.RepoTags ?? []) as string[],
      Layers: item.Layers as string[],
    };
  });
}

/**
 * Parses a name of a Docker archive image (`RepoTags`), normalized.
 *
 * @param name - such as `alpine:3.20`
 * @returns the reference, with a tag and no digest
 * @throws {OciError} `REFERENCE_INVALID` when malformed; `OPTION_INVALID` without a tag
 */
export function parseRepoTag(name: string): Reference {
  const reference = parseNormalized(name);
  if (reference.tag === undefined || reference.digest !== undefined) {
    throw new OciError('OPTION_INVALID', `Docker image name "${name}" needs a tag and no digest`);
  }
  return reference;
}

/** The image manifest to export: the descriptor's, or the one `platform` picks from an index. */
async function readImageManifest(
  source: Fetcher,
  descriptor: Descriptor,
  options: DockerArchiveOptions,
): Promise<ParsedImageManifest> {
  const manifest = parseManifest(await fetchBytes(source, descriptor, options), {
    contentType: descriptor.mediaType,
    expectedDigest: descriptor.digest,
  });
  if (manifest.kind === 'manifest') return manifest;
  if (manifest.kind === 'schema1') {
    throw new OciError('UNSUPPORTED_MEDIA_TYPE', 'A schema 1 image cannot be exported');
  }
  if (options.platform === undefined) {
    throw new OciError(
      'OPTION_INVALID',
      `Manifest ${descriptor.digest} is an index; choose an image with the platform option`,
    );
  }
  const chosen = selectPlatform(manifest.value, options.platform);
  return readImageManifest(source, chosen, { ...options, platform: undefined });
}

function unique(descriptors: readonly Descriptor[]): Descriptor[] {
  const byDigest = new Map<string, Descriptor>();
  for (const descriptor of descriptors) byDigest.set(descriptor.digest, descriptor);
  return [...byDigest.values()];
}
