import { OciError } from '@ocikit/digest';

/** What the first bytes of an archive or layer say about its compression. */
export type Compression = 'gzip' | 'zstd' | 'none';

/**
 * Tells the compression of content from its first bytes (gzip `1f 8b`,
 * zstd `28 b5 2f fd`).
 *
 * @param head - the first bytes (at least 4 to see zstd)
 * @returns the compression, `none` for anything else
 */
export function detectCompression(head: Uint8Array): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

/**
 * Decompresses a tar stream when it is gzip (as `docker save | gzip`
 * produces), with the runtime's `DecompressionStream`; passes an
 * uncompressed stream through.
 *
 * @param stream - the archive
 * @returns the tar bytes
 * @throws {OciError} `TAR_INVALID` for zstd, which cannot be decompressed here
 */
export async function decompressArchive(
  stream: ReadableStream<Uint8Array>,
): Promise<ReadableStream<Uint8Array>> {
  const { head, rest } = await peek(stream, 4);
  const compression = detectCompression(head);
  if (compression === 'zstd') {
    await rest.cancel();
    throw new OciError('TAR_INVALID', 'The archive is zstd-compressed; decompress it first');
  }
  if (compression === 'none') return rest;
  return rest.pipeThrough(
    new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>,
  );
}

/**
 * Reads the first bytes of a stream without losing them.
 *
 * @param stream - the stream (locked from now on)
 * @param count - how many bytes to look at (fewer when the stream is shorter)
 * @returns the first bytes, and a stream of all bytes including them
 */
async function peek(
  stream: ReadableStream<Uint8Array>,
  count: number,
): Promise<{ head: Uint8Array; rest: ReadableStream<Uint8Array> }> {
  const reader = stream.getReader();
  const buffered: Uint8Array[] = [];
  let length = 0;
  while (length < count) {
    const { done, value } = await reader.read();
    if (done) break;
    buffered.push(value);
    length += value.byteLength;
  }
  const head = new Uint8Array(Math.min(length, count));
  let offset = 0;
  for (const chunk of buffered) {
    if (offset >= head.byteLength) break;
    const part = chunk.subarray(0, head.byteLength - offset);
    head.set(part, offset);
    offset += part.byteLength;
  }
  const rest = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = buffered.shift();
      if (next) {
        controller.enqueue(next);
        return;
      }
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return { head, rest };
}
