import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { abortError } from '@ocikit/digest';

const CHUNK_SIZE = 1024 * 1024;

/**
 * A `ReadableStream` of a file's bytes from `start`, read in 1 MiB chunks
 * into fresh buffers; the file is closed at the end, on error and on cancel.
 *
 * @param path - the file
 * @param start - the first byte to read
 * @returns the stream
 * @throws the `open` error (ENOENT …) before any stream exists
 */
export async function readFileStream(path: string, start = 0): Promise<ReadableStream<Uint8Array>> {
  const handle = await open(path, 'r');
  let position = start;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const buffer = new Uint8Array(CHUNK_SIZE);
        const { bytesRead } = await handle.read(buffer, 0, CHUNK_SIZE, position);
        if (bytesRead === 0) {
          await close();
          controller.close();
          return;
        }
        position += bytesRead;
        controller.enqueue(bytesRead === CHUNK_SIZE ? buffer : buffer.subarray(0, bytesRead));
      } catch (error) {
        await close().catch(() => {});
        controller.error(error);
      }
    },
    async cancel() {
      await close();
    },
  });
}

/**
 * Writes every chunk of a stream to an open file from `start` on, in order,
 * and returns the number of bytes written. The stream is cancelled when
 * writing fails or the signal fires.
 *
 * @param stream - the bytes
 * @param handle - a file opened for writing
 * @param start - the file position of the first byte
 * @param signal - cancels the copy with `ABORTED`
 * @returns bytes written
 */
export async function writeStreamToFile(
  stream: ReadableStream<Uint8Array>,
  handle: FileHandle,
  start: number,
  signal?: AbortSignal,
): Promise<number> {
  const reader = stream.getReader();
  let written = 0;
  try {
    for (;;) {
      if (signal?.aborted) throw abortError(signal);
      const { done, value } = await reader.read();
      if (done) return written;
      let offset = 0;
      while (offset < value.byteLength) {
        const { bytesWritten } = await handle.write(
          value,
          offset,
          value.byteLength - offset,
          start + written + offset,
        );
        offset += bytesWritten;
      }
      written += value.byteLength;
    }
  } catch (error) {
    await reader.cancel(error).catch(() => {});
    throw error;
  } finally {
    reader.releaseLock();
  }
}

/** Reads the error code of a Node system error (`ENOENT`, `EEXIST`, …). */
export function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
