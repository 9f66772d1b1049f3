import { type Fetcher, isRangeFetcher, isResumablePusher, type Pusher } from '@ocikit/content';
import { isOciError } from '@ocikit/digest';
import { type Descriptor, isManifestMediaType } from '@ocikit/spec';
import { onSide } from './errors.ts';

/**
 * How many bytes of a blob the destination kept from an interrupted earlier
 * write (another process, killed midway, counts too) that this copy can
 * continue: only when the destination keeps partial writes
 * (`ResumablePusher`) and the source can read from an offset
 * (`RangeFetcher`); 0 otherwise, for manifests, and when the destination
 * holds nothing of it. The blob's size means every byte was kept (a process
 * killed between the last byte and the commit): nothing is left to fetch.
 *
 * @param from - the source
 * @param to - the destination
 * @param descriptor - the blob
 * @param signal - cancels the check
 * @returns the offset to continue from, 0 to copy it whole
 */
export async function resumeOffset(
  from: Fetcher,
  to: Pusher,
  descriptor: Descriptor,
  signal: AbortSignal,
): Promise<number> {
  if (
    !isRangeFetcher(from) ||
    !isResumablePusher(to) ||
    isManifestMediaType(descriptor.mediaType)
  ) {
    return 0;
  }
  const offset = await onSide(
    'destination',
    `check the partial write of ${descriptor.digest}`,
    () => to.resumeOffset(descriptor, { signal }),
  );
  return offset > 0 && offset <= descriptor.size ? offset : 0;
}

/**
 * Opens the source's bytes of a blob from `offset` on: a verified fetch of
 * the whole from 0, else a range (unverified: the destination verifies the
 * whole it assembles).
 */
export function fetchFrom(
  from: Fetcher,
  descriptor: Descriptor,
  offset: number,
  signal: AbortSignal,
): Promise<ReadableStream<Uint8Array>> {
  if (offset > 0 && isRangeFetcher(from)) {
    return from.fetchRange(descriptor, { offset, signal });
  }
  return from.fetch(descriptor, { signal });
}

/** Pushes a blob's bytes from `offset` on: a continued write, or a whole push from 0. */
export function pushFrom(
  to: Pusher,
  descriptor: Descriptor,
  content: ReadableStream<Uint8Array>,
  offset: number,
  signal: AbortSignal,
): Promise<void> {
  if (offset > 0 && isResumablePusher(to)) {
    return to.pushFrom(descriptor, content, { offset, signal });
  }
  return to.push(descriptor, content, { signal });
}

/**
 * Whether a continued write failed in a way a whole copy may still fix: the
 * partial bytes were taken by another writer or removed
 * (`BLOB_UPLOAD_INVALID`), or the assembled whole did not verify
 * (`DIGEST_MISMATCH`, `SIZE_MISMATCH`: the kept bytes may be the bad ones;
 * the store dropped them).
 */
export function isResumeFailure(error: unknown): boolean {
  return isOciError(error) && RESUME_FAILURES.has(error.code);
}

const RESUME_FAILURES = new Set(['BLOB_UPLOAD_INVALID', 'DIGEST_MISMATCH', 'SIZE_MISMATCH']);
