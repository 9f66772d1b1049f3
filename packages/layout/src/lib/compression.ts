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
 * produces), with {@link gunzip}; passes an uncompressed stream through.
 *
 * @param stream - the archive
 * @returns the tar bytes
 * @throws {OciError} `TAR_INVALID` for zstd, which cannot be decompressed
 *   here; the stream fails with `TAR_INVALID` when the gzip data is corrupt
 *   or truncated
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
  return gunzip(rest);
}

/** The largest piece of compressed input handed to the decompressor at once. */
const GUNZIP_PIECE = 64 * 1024;

/**
 * Decompresses a gzip stream with the runtime's `DecompressionStream`,
 * feeding it compressed bytes only as fast as its output is read.
 *
 * `pipeThrough` cannot be used for this: Node's `DecompressionStream` has a
 * writable side whose high-water mark of 16384 counts chunks, not bytes, so a
 * pipe queues up to 16384 source chunks (1 GiB of 64 KiB file reads) ahead of
 * a reader slower than the source. Here one piece of at most 64 KiB is
 * written at a time, and the next only once the decompressor has taken it —
 * which Node's zlib does only as its 16 KiB output chunks are read. What is
 * held is then one piece and a few 16 KiB buffers on Node, whatever the
 * compression ratio; Deno's decompressor turns one piece into one output
 * chunk, at most 1032 times the piece (64.5 MiB for zeros).
 *
 * @param stream - the gzip bytes
 * @returns the decompressed bytes; the stream fails with the source's own
 *   error when the source fails, and with `TAR_INVALID` when the gzip data
 *   is corrupt or truncated. Cancelling it cancels the source.
 */
export function gunzip(stream: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const inflate = new DecompressionStream('gzip') as unknown as TransformStream<
    Uint8Array,
    Uint8Array
  >;
  const input = stream.getReader();
  const output = inflate.readable.getReader();
  const failure: { source?: unknown } = {};
  void feed(input, inflate.writable.getWriter(), failure);
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { done, value } = await output.read();
          if (done) controller.close();
          else controller.enqueue(value);
        } catch (error) {
          controller.error('source' in failure ? failure.source : gzipError(error));
        }
      },
      async cancel(reason) {
        await Promise.all([input.cancel(reason), output.cancel(reason)]).catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * Writes the source into the decompressor one piece at a time, each write
 * awaited. A source failure is recorded and aborts the decompressor; a
 * decompressor failure (corrupt data, or the output cancelled) cancels the
 * source. Never rejects.
 */
async function feed(
  input: ReadableStreamDefaultReader<Uint8Array>,
  writer: WritableStreamDefaultWriter<Uint8Array>,
  failure: { source?: unknown },
): Promise<void> {
  for (;;) {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await input.read();
    } catch (error) {
      failure.source = error;
      await writer.abort(error).catch(() => {});
      return;
    }
    try {
      if (next.done) {
        await writer.close();
        return;
      }
      const chunk = next.value;
      for (let at = 0; at < chunk.byteLength; at += GUNZIP_PIECE) {
        await writer.write(chunk.subarray(at, at + GUNZIP_PIECE));
      }
    } catch (error) {
      // The reader of the output sees the decompressor's error.
      await input.cancel(error).catch(() => {});
      return;
    }
  }
}

/** A decompressor's error as `TAR_INVALID`. */
function gzipError(error: unknown): OciError {
  const reason = error instanceof Error ? error.message : String(error);
  return new OciError('TAR_INVALID', `The gzip data is corrupt or truncated: ${reason}`, {
    cause: error,
  });
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
