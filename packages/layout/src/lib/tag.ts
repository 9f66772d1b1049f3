import { OciError } from '@ocikit/digest';
import { isRefName, isTag, parseNormalized } from '@ocikit/reference';

/**
 * The annotation containerd (`ctr import`/`ctr export`) and Docker 25+
 * (`docker save`/`docker load`) put on `index.json` entries: the full image
 * reference, such as `docker.io/library/alpine:3.20`.
 */
export const CONTAINERD_IMAGE_NAME = 'io.containerd.image.name';

/**
 * Tells whether a string can tag an image in a layout: a distribution-spec
 * tag (`[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`, what registries accept) or an
 * image-spec ref name (components of letters and digits joined by `-`, `.`,
 * `_`, `:`, `@`, `+`, `--`, separated by `/`, what skopeo writes for
 * `oci:DIR:example.com/app:v1`).
 *
 * @param value - a candidate tag
 * @returns whether the layout accepts it as `org.opencontainers.image.ref.name`
 * @see https://github.com/opencontainers/image-spec/blob/main/image-layout.md#indexjson-file
 */
export function isLayoutTag(value: string): boolean {
  return isTag(value) || isRefName(value);
}

/**
 * Checks a tag for a layout (see {@link isLayoutTag}).
 *
 * @param value - the tag
 * @throws {OciError} `TAG_INVALID` for anything else
 */
export function assertLayoutTag(value: string): void {
  if (!isLayoutTag(value)) {
    throw new OciError(
      'TAG_INVALID',
      `Invalid tag "${value}": a layout tag is a registry tag ([A-Za-z0-9_][A-Za-z0-9._-]{0,127}) or an OCI ref name`,
    );
  }
}

/**
 * The full image name containerd records for a tag: the repository,
 * normalized as Docker does (`app` → `docker.io/library/app`), then `:tag`.
 *
 * @param repository - a repository name without tag or digest, such as `example.com/app`
 * @param tag - a registry tag
 * @returns such as `docker.io/library/app:v1`
 * @throws {OciError} `OPTION_INVALID` when `repository` is not a bare
 *   repository name, or `tag` is not a registry tag
 */
export function containerdImageName(repository: string, tag: string): string {
  const name = checkImageName(repository);
  if (!isTag(tag)) {
    throw new OciError(
      'OPTION_INVALID',
      `Cannot name tag "${tag}" as an image of ${name}: only a registry tag can follow a repository name`,
    );
  }
  return `${name}:${tag}`;
}

/**
 * Validates and normalizes the repository name of an `imageName` option.
 *
 * @param repository - such as `app` or `example.com/team/app`
 * @returns the normalized name, such as `docker.io/library/app`
 * @throws {OciError} `OPTION_INVALID` when it is not a repository name, or
 *   carries a tag or digest
 */
export function checkImageName(repository: string): string {
  let name: string;
  try {
    const reference = parseNormalized(repository);
    if (reference.tag !== undefined || reference.digest !== undefined) {
      throw new OciError('OPTION_INVALID', 'it has a tag or digest');
    }
    name = reference.name;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new OciError(
      'OPTION_INVALID',
      `Invalid imageName "${repository}": a bare repository name is expected (${reason})`,
      { cause: error },
    );
  }
  return name;
}

/**
 * The tag a containerd image name carries: `docker.io/library/x:1` → `1`.
 *
 * @param imageName - the value of an `io.containerd.image.name` annotation
 * @returns the tag, or `undefined` when the name has none or does not parse
 */
export function tagOfImageName(imageName: string): string | undefined {
  try {
    return parseNormalized(imageName).tag;
  } catch {
    return undefined;
  }
}
