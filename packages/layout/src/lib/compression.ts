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
const MAX_PIECE = 256 * 1024;
/** The smallest. */
const MIN_PIECE = 1024;
/** The output chunk that pieces are sized for, where one piece comes out as one chunk. */
const TARGET_OUTPUT = 1024 * 1024;

/** What {@link gunzip}'s two halves share: the piece size, and how the source failed. */
interface Pacing {
  piece: number;
  sourceFailure?: { error: unknown };
}

/**
 * Decompresses a gzip stream with the runtime's `DecompressionStream`,
 * feeding it compressed bytes only as fast as its output is read.
 *
 * `pipeThrough` cannot be used for this: Node's `DecompressionStream` has a
 * writable side whose high-water mark of 16384 counts chunks, not bytes, so a
 * pipe queues up to 16384 source chunks (1 GiB of 64 KiB file reads) ahead of
 * a reader slower than the source. Here one piece of compressed bytes is
 * written at a time, and the next only once the decompressor has taken it.
 * Node's and Bun's decompressors take a piece only as their 16 KiB or 64 KiB
 * output chunks are read, so what is held is one piece and a few such
 * output chunks, whatever the compression ratio. Deno's turns a whole piece into one
 * chunk (64 KiB of zeros is 64 MiB), so pieces are sized from what comes out:
 * the first is 1 KiB, and each next one is what the last output chunk
 * suggests gives about 1 MiB, between 1 KiB and 256 KiB (the chunk of a
 * file read, so Node's file reads go in whole). A piece is sized before the
 * previous one's output is seen, so where incompressible data turns into
 * zeros one chunk of up to 256 MiB can still come out on Deno, as it did
 * from every 256 KiB source chunk with `pipeThrough`.
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
  const pacing: Pacing = { piece: MIN_PIECE };
  void feed(input, inflate.writable.getWriter(), pacing);
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { done, value } = await output.read();
          if (done) {
            controller.close();
            return;
          }
          const sized = Math.floor((pacing.piece * TARGET_OUTPUT) / value.byteLength);
          pacing.piece = Math.min(MAX_PIECE, Math.max(MIN_PIECE, sized));
          controller.enqueue(value);
        } catch (error) {
          controller.error(pacing.sourceFailure ? pacing.sourceFailure.error : gzipError(error));
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
  pacing: Pacing,
): Promise<void> {
  for (;;) {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await input.read();
    } catch (error) {
      pacing.sourceFailure = { error };
      await writer.abort(error).catch(() => {});
      return;
    }
    try {
      if (next.done) {
        await writer.close();
        return;
      }
      const chunk = next.value;
      for (let at = 0; at < chunk.byteLength; ) {
        const end = at + pacing.piece;
        await writer.write(chunk.subarray(at, end));
        at = end;
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
