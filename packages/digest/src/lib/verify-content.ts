import { OciError } from './errors.ts';
import { markSelfVerifying, selfVerified } from './self-verifying.ts';
import { createVerifyStream, type ExpectedContent } from './verify.ts';

/**
 * Verifies content on its way to being committed, hashing it only when
 * nothing does already. A stream that verifies itself against the same
 * digest and size (it came out of {@link createVerifyStream}, as every
 * fetch by digest of ocikit does, or a {@link relayStream} of one) fails
 * rather than ends cleanly with wrong bytes, so its bytes are only counted:
 * a stream read from before it was handed over ends short
 * (`SIZE_MISMATCH`). Any other stream is hashed by `createVerifyStream`.
 * Either way the result ends cleanly only with exactly the expected content.
 *
 * @param content - the bytes to commit
 * @param expected - their digest and size
 * @returns the same bytes, verified
 * @throws {OciError} as {@link createVerifyStream}
 */
export function verifyContent(
  content: ReadableStream<Uint8Array>,
  expected: ExpectedContent,
): ReadableStream<Uint8Array> {
  const verified = selfVerified(content);
  if (!verified || verified.digest !== expected.digest || verified.size !== expected.size) {
    return content.pipeThrough(createVerifyStream(expected));
  }
  let count = 0;
  const counted = content.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        count += chunk.byteLength;
        controller.enqueue(chunk);
      },
      flush() {
        if (count !== verified.size) {
          throw new OciError(
            'SIZE_MISMATCH',
            `Content of ${verified.digest} ended after ${count} of ${verified.size} bytes`,
          );
        }
      },
    }),
  );
  markSelfVerifying(counted, verified);
  return counted;
}

/** What a {@link relayStream} reports. */
export interface RelayHooks {
  /** Called with each chunk before it is passed on. */
  onChunk?: (chunk: Uint8Array) => void;
  /** Called when reading the source fails, before the relay fails with the same error. */
  onError?: (error: unknown) => void;
}

/**
 * Passes a stream on chunk by chunk as its consumer pulls (nothing buffered
 * beyond the chunk handed over), reporting each chunk and a failure of the
 * source, so a copy can count progress and tell a failing source from a
 * failing destination. A relay of a self-verifying stream is self-verifying
 * too (same bytes, same failures), so {@link verifyContent} does not hash it
 * again.
 *
 * @param source - the stream to pass on
 * @param hooks - {@link RelayHooks}
 * @returns the same bytes
 */
export function relayStream(
  source: ReadableStream<Uint8Array>,
  hooks: RelayHooks = {},
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  const relayed = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await reader.read();
        } catch (error) {
          hooks.onError?.(error);
          throw error;
        }
        if (result.done) {
          controller.close();
          return;
        }
        hooks.onChunk?.(result.value);
        controller.enqueue(result.value);
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  markSelfVerifying(relayed, selfVerified(source));
  return relayed;
}
