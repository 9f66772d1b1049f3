import { randomBytes } from 'node:crypto';
import { type FileHandle, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { abortError, OciError, streamFromBytes } from '@ocikit/digest';

const CHUNK_SIZE = 1024 * 1024;
const TEMP_SUFFIX = '.tmp';

/** Reads the error code of a Node system error (`ENOENT`, `EEXIST`, …). */
export function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Options of {@link readRange}. */
export interface ReadRangeOptions {
  /**
   * Close the handle when the stream ends, fails or is cancelled.
   * @default false (many streams may share one handle)
   */
  close?: boolean;
}

/**
 * A stream of `length` bytes of an open file from `start`, read with
 * positional reads into fresh 1 MiB buffers. It fails with `SIZE_MISMATCH`
 * when the file turns out shorter.
 *
 * @param handle - the open file
 * @param start - the first byte
 * @param length - how many bytes
 * @param options - {@link ReadRangeOptions}
 * @returns the stream
 */
export function readRange(
  handle: FileHandle,
  start: number,
  length: number,
  options: ReadRangeOptions = {},
): ReadableStream<Uint8Array> {
  let position = start;
  const end = start + length;
  let closed = !options.close;
  const close = async () => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (position >= end) {
          await close();
          controller.close();
          return;
        }
        const size = Math.min(CHUNK_SIZE, end - position);
        const buffer = new Uint8Array(size);
        const { bytesRead } = await handle.read(buffer, 0, size, position);
        if (bytesRead === 0) {
          throw new OciError(
            'SIZE_MISMATCH',
            `The file ended after ${position - start} of the ${length} bytes expected`,
          );
        }
        position += bytesRead;
        controller.enqueue(bytesRead === size ? buffer : buffer.subarray(0, bytesRead));
      } catch (error) {
        await close().catch(() => {});
        controller.error(error);
      }
    },
    cancel: close,
  });
}

/**
 * A stream of a file's bytes from `start` to its end; the file is closed at
 * the end, on error and on cancel.
 *
 * @param path - the file
 * @param start - the first byte to read
 * @returns the stream
 * @throws the `open` error (ENOENT …) before any stream exists
 */
export async function readFileStream(path: string, start = 0): Promise<ReadableStream<Uint8Array>> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    return readRange(handle, start, Math.max(0, size - start), { close: true });
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * Reads up to `length` bytes at `position` (fewer only at the end of the file).
 *
 * @param handle - the open file
 * @param position - where to read
 * @param length - how many bytes
 * @returns the bytes
 */
export async function readAt(
  handle: FileHandle,
  position: number,
  length: number,
): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === length ? buffer : buffer.subarray(0, filled);
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

/** Options of {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /**
   * Flush the file and its directory entry before returning.
   * @default true
   */
  fsync?: boolean;
  /** Cancels the write; the temp file is removed. */
  signal?: AbortSignal | undefined;
}

/**
 * Writes a file atomically: into a uniquely named dot-file beside it
 * (`.<name>.<random>.tmp`), flushed, then renamed over the target. On any
 * failure — including a stream that fails its own verification — the temp
 * file is removed and the target is untouched.
 *
 * @param path - the file
 * @param content - its bytes, or a stream of them
 * @param options - {@link AtomicWriteOptions}
 */
export async function writeFileAtomic(
  path: string,
  content: Uint8Array | ReadableStream<Uint8Array>,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const fsync = options.fsync ?? true;
  const temp = join(
    dirname(path),
    `.${basename(path)}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`,
  );
  const stream = content instanceof Uint8Array ? streamFromBytes(content) : content;
  try {
    const handle = await open(temp, 'wx', 0o644);
    try {
      await writeStreamToFile(stream, handle, 0, options.signal);
      if (fsync) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    if (fsync) await syncDirectory(dirname(path));
  } catch (error) {
    await stream.cancel(error).catch(() => {});
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Tells whether a file name is a temp file of {@link writeFileAtomic}
 * (for `name`, when given).
 *
 * @param entry - a file name in a directory
 * @param name - the target's name the temp file was for
 * @returns whether it is such a temp file
 */
export function isTempFile(entry: string, name?: string): boolean {
  return entry.startsWith(name === undefined ? '.' : `.${name}.`) && entry.endsWith(TEMP_SUFFIX);
}

/** Options of {@link removeStaleFiles}. */
export interface RemoveStaleOptions {
  /** Which entries of the directory are candidates. */
  matches: (entry: string) => boolean;
  /** The age (by modification time) from which a candidate is stale. */
  maxAgeMs: number;
  /**
   * Count only.
   * @default false
   */
  dryRun?: boolean;
}

/**
 * Removes leftovers of writers that died (temp files, partial ingests)
 * older than `maxAgeMs` from a directory.
 *
 * @param dir - the directory
 * @param options - {@link RemoveStaleOptions}
 * @returns how many there were
 */
export async function removeStaleFiles(dir: string, options: RemoveStaleOptions): Promise<number> {
  let count = 0;
  const entries = await readdir(dir).catch(() => [] as string[]);
  for (const entry of entries) {
    if (!options.matches(entry)) continue;
    const info = await stat(join(dir, entry)).catch(() => undefined);
    if (!info || Date.now() - info.mtimeMs < options.maxAgeMs) continue;
    if (!options.dryRun) await rm(join(dir, entry), { force: true });
    count += 1;
  }
  return count;
}

/**
 * Flushes a directory's entries to disk.
 *
 * @param dir - the directory
 */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
