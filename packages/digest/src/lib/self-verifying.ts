/** The digest and exact size a self-verifying stream checks its bytes against. */
export interface SelfVerified {
  readonly digest: string;
  readonly size: number;
}

/**
 * Streams that fail rather than end cleanly unless the bytes they carried
 * are exactly the named content: the readable side of a `createVerifyStream`
 * for a digest and size, and relays of one. Only this package adds to it.
 */
const selfVerifying = new WeakMap<ReadableStream<Uint8Array>, SelfVerified>();

/**
 * Records that a stream verifies itself against `content`.
 *
 * @param stream - a stream built by this package that fails on any mismatch
 * @param content - what it checks against
 */
export function markSelfVerifying(
  stream: ReadableStream<Uint8Array>,
  content: SelfVerified | undefined,
): void {
  if (content) selfVerifying.set(stream, content);
}

/**
 * What a stream verifies itself against, if it does.
 *
 * @param stream - any stream
 * @returns the digest and size, or `undefined`
 */
export function selfVerified(stream: ReadableStream<Uint8Array>): SelfVerified | undefined {
  return selfVerifying.get(stream);
}
