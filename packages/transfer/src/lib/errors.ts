import { isOciError, OciError } from '@ocikit/digest';

/** Which side of a copy failed. */
export type TransferOrigin = 'source' | 'destination';

/**
 * An error of a copy: the code of what went wrong (`DIGEST_MISMATCH`,
 * `MANIFEST_UNKNOWN`, `ABORTED`, …) and which side it came from.
 */
export class TransferError extends OciError {
  /** The side that failed. */
  readonly origin: TransferOrigin;

  /**
   * @param origin - the side that failed
   * @param cause - the error it failed with; its code, status and detail are kept
   * @param what - what the copy was doing, such as `fetch sha256:…`
   */
  constructor(origin: TransferOrigin, cause: unknown, what: string) {
    const inner = isOciError(cause)
      ? cause
      : new OciError('UNKNOWN', String((cause as Error)?.message ?? cause));
    super(inner.code, `Cannot ${what} (${origin}): ${inner.message}`, {
      cause,
      ...(inner.status === undefined ? {} : { status: inner.status }),
      ...(inner.detail === undefined ? {} : { detail: inner.detail }),
    });
    this.origin = origin;
  }
}

/**
 * Runs one operation of one side, labelling what it throws with that side
 * (an error already labelled keeps its label).
 *
 * @param origin - the side the operation talks to
 * @param what - what it does, for the message
 * @param operation - the operation
 * @returns what the operation returns
 * @throws {TransferError} whatever the operation threw, labelled
 */
export async function onSide<T>(
  origin: TransferOrigin,
  what: string,
  operation: () => Promise<T>,
): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw labelled(origin, error, what);
  }
}

/**
 * An error labelled with the side it came from, unless it already is.
 *
 * @param origin - the side
 * @param error - what was thrown
 * @param what - what the copy was doing
 * @returns the labelled error
 */
export function labelled(origin: TransferOrigin, error: unknown, what: string): TransferError {
  return error instanceof TransferError ? error : new TransferError(origin, error, what);
}
