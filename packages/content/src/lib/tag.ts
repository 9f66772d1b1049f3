import { OciError } from '@ocikit/digest';

const TAG = /^[\w][\w.-]{0,127}$/;

/**
 * Checks a tag against the distribution-spec grammar `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`.
 *
 * @param tag - the tag
 * @throws {OciError} `TAG_INVALID` for anything else
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests
 */
export function assertTag(tag: string): void {
  if (!TAG.test(tag)) {
    throw new OciError(
      'TAG_INVALID',
      `Invalid tag "${tag}": a tag matches [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`,
    );
  }
}
