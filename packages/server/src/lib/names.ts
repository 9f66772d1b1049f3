import { type Digest, OciError, parseDigest } from '@ocikit/digest';
import { isRepositoryPath, isTag } from '@ocikit/reference';

/**
 * Checks a repository name from a request path against the distribution-spec
 * grammar (which also rules out `..`, empty components and encoded slashes).
 *
 * @param name - the name as found in the path
 * @returns the name
 * @throws {OciError} `NAME_INVALID`
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests
 */
export function assertName(name: string): string {
  if (!isRepositoryPath(name)) {
    throw new OciError('NAME_INVALID', `Invalid repository name "${name.slice(0, 300)}"`);
  }
  return name;
}

/**
 * Checks a digest from a request path or query.
 *
 * @param value - the digest, or null when the query lacks it
 * @returns the digest
 * @throws {OciError} `DIGEST_INVALID`
 */
export function assertDigest(value: string | null): Digest {
  if (value === null) throw new OciError('DIGEST_INVALID', 'The digest parameter is missing');
  try {
    return parseDigest(value).digest;
  } catch (error) {
    throw new OciError('DIGEST_INVALID', `Invalid digest "${value.slice(0, 200)}"`, {
      cause: error,
    });
  }
}

/** A manifest reference from a request path: a tag or a digest. */
export type ManifestReference =
  | { readonly tag: string; readonly digest?: undefined }
  | { readonly digest: Digest; readonly tag?: undefined };

/**
 * Tells a tag from a digest in a manifest path.
 *
 * @param reference - the `<reference>` of `/v2/<name>/manifests/<reference>`
 * @returns the tag or the digest
 * @throws {OciError} `TAG_INVALID` or `DIGEST_INVALID`
 */
export function parseManifestReference(reference: string): ManifestReference {
  if (reference.includes(':')) {
    return { digest: assertDigest(reference) };
  }
  if (!isTag(reference)) {
    throw new OciError('TAG_INVALID', `Invalid tag "${reference.slice(0, 200)}"`);
  }
  return { tag: reference };
}
