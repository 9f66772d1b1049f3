import { OciError } from './errors.ts';
import { consumeStream } from './verify.ts';

/** Options of {@link readBytes}. */
export interface ReadBytesOptions {
  /**
   * The most bytes to accept; one more fails with `SIZE_EXCEEDED` and cancels
   * the stream. Every read of network content into memory sets a bound.
   */
  maxBytes: number;
  /** Cancels the read. */
  signal?: AbortSignal;
}

/**
 * Reads a whole stream into memory, up to a limit. For bounded things only
 * (manifests, token responses, error bodies): blobs are streamed, never read
 * whole.
 *
 * @param stream - the bytes
 * @param options - {@link ReadBytesOptions}
 * @returns the bytes, in one `Uint8Array`
 * @throws {OciError} `SIZE_EXCEEDED` past `maxBytes`; `ABORTED`
 */
export async function readBytes(
  stream: ReadableStream<Uint8Array>,
  options: ReadBytesOptions,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  await consumeStream(
    stream,
    (chunk) => {
      total += chunk.byteLength;
      if (total > options.maxBytes) {
        throw new OciError(
          'SIZE_EXCEEDED',
          `Content is over the ${options.maxBytes}-byte limit (got at least ${total} bytes)`,
        );
      }
      chunks.push(chunk);
    },
    options.signal,
  );
  return concatBytes(chunks);
}

/**
 * Joins byte arrays into one. One array is returned as it is.
 *
 * @param parts - the arrays, in order
 * @returns their concatenation
 */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1 && parts[0]) return parts[0];
  let total = 0;
  for (const part of parts) total += part.byteLength;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/**
 * A stream that yields the given bytes as one chunk (or several, when
 * `chunkSize` is set), then closes. The chunks are views of `data`, not copies.
 *
 * @param data - the bytes
 * @param chunkSize - the largest chunk to emit
 * @returns a `ReadableStream` of `data`
 */
export function streamFromBytes(
  data: Uint8Array,
  chunkSize: number = Math.max(data.byteLength, 1),
): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= data.byteLength) {
        controller.close();
        return;
      }
      const end = Math.min(offset + chunkSize, data.byteLength);
      controller.enqueue(data.subarray(offset, end));
      offset = end;
    },
  });
}
