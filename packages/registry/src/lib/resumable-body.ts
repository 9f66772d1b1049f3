import { abortError, OciError } from '@ocikit/digest';
import { bodyError } from './response.ts';

/** What {@link resumableBody} reads, and how it reopens it. */
export interface ResumableBodyOptions {
  /** The body of the first response, which starts at `start`. */
  readonly first: ReadableStream<Uint8Array>;
  /** Opens the content again from a byte offset (a `Range` request). */
  readonly open: (offset: number) => Promise<ReadableStream<Uint8Array>>;
  /** The offset of the first byte of `first`. */
  readonly start: number;
  /** The size of the whole content. */
  readonly size: number;
  /** How many times the content may be reopened. */
  readonly maxResumes: number;
  /** What the content is, for messages. */
  readonly what: string;
  /** Cancels reading. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * The bytes `start..size` of content, read from responses that may break
 * off: when the connection fails or the body ends early, the content is
 * reopened from the next byte needed (at most `maxResumes` times). The
 * stream never passes on a byte past `size`.
 *
 * @param options - {@link ResumableBodyOptions}
 * @returns the stream; it fails with `SIZE_EXCEEDED` when the server sends
 *   more than `size` bytes, `SIZE_MISMATCH` when it keeps ending early,
 *   `NETWORK_ERROR` when it keeps breaking, `ABORTED`, or what `open` throws
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-blobs
 */
export function resumableBody(options: ResumableBodyOptions): ReadableStream<Uint8Array> {
  const { size, what, signal } = options;
  let reader = options.first.getReader();
  let position = options.start;
  let resumes = 0;

  const reopen = async (): Promise<void> => {
    resumes += 1;
    reader.releaseLock();
    reader = (await options.open(position)).getReader();
  };

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          if (signal?.aborted) {
            await reader.cancel().catch(() => {});
            throw abortError(signal);
          }
          let result: ReadableStreamReadResult<Uint8Array>;
          try {
            result = await reader.read();
          } catch (error) {
            if (signal?.aborted) throw abortError(signal);
            if (resumes >= options.maxResumes || error instanceof OciError) {
              throw bodyError(error, `${what} after ${position} of ${size} bytes`, signal);
            }
            await reopen();
            continue;
          }
          if (result.done) {
            if (position === size) {
              controller.close();
              return;
            }
            if (resumes >= options.maxResumes) {
              throw new OciError(
                'SIZE_MISMATCH',
                `${what} ended after ${position} of ${size} bytes`,
              );
            }
            await reopen();
            continue;
          }
          const chunk = result.value;
          if (position + chunk.byteLength > size) {
            await reader.cancel().catch(() => {});
            throw new OciError(
              'SIZE_EXCEEDED',
              `${what} is over its declared ${size} bytes (got at least ${position + chunk.byteLength})`,
            );
          }
          position += chunk.byteLength;
          if (chunk.byteLength === 0) continue;
          controller.enqueue(chunk);
          return;
        }
      },
      async cancel(reason) {
        await reader.cancel(reason).catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * A pass-through stream that drops the first `count` bytes: the part of a
 * full response (a server that ignored `Range`) that was already received.
 *
 * @param count - how many bytes to drop
 * @returns the transform
 */
export function skipBytes(count: number): TransformStream<Uint8Array, Uint8Array> {
  let left = count;
  return new TransformStream({
    transform(chunk, controller) {
      if (left >= chunk.byteLength) {
        left -= chunk.byteLength;
        return;
      }
      controller.enqueue(left === 0 ? chunk : chunk.subarray(left));
      left = 0;
    },
  });
}
