import { OciError } from '@ocikit/digest';
import { type Descriptor, isManifestMediaType } from '@ocikit/spec';

/**
 * The error for content that is not there: `MANIFEST_UNKNOWN` for a
 * manifest or index, `BLOB_UNKNOWN` for anything else.
 *
 * @param descriptor - what was looked for
 * @returns the error to throw
 */
export function notFound(descriptor: Pick<Descriptor, 'digest' | 'mediaType'>): OciError {
  return isManifestMediaType(descriptor.mediaType)
    ? new OciError('MANIFEST_UNKNOWN', `Manifest ${descriptor.digest} is not in the store`)
    : new OciError('BLOB_UNKNOWN', `Blob ${descriptor.digest} is not in the store`);
}

/**
 * Tells whether an error means "not there" (`BLOB_UNKNOWN`,
 * `MANIFEST_UNKNOWN`, `NAME_UNKNOWN`), as opposed to a failure.
 *
 * @param error - anything caught
 * @returns whether it is a not-found error
 */
export function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'BLOB_UNKNOWN' || code === 'MANIFEST_UNKNOWN' || code === 'NAME_UNKNOWN';
}
