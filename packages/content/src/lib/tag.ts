import { OciError } from '@ocikit/digest';
import { isTag } from '@ocikit/reference';

/**
 * Checks a tag against the distribution-spec grammar `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`.
 *
 * @param tag - the tag
 * @throws {OciError} `TAG_INVALID` for anything else
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests
 */
export function assertTag(tag: string): void {
  if (!isTag(tag)) {
    throw new OciError(
      'TAG_INVALID',
      `Invalid tag "${tag.slice(0, 160)}": a tag matches [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`,
    );
  }
}
