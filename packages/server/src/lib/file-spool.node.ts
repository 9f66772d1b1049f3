import { createReadStream } from 'node:fs';
import { type FileHandle, open, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createHasher } from '@ocikit/digest';
import type { UploadSpool } from './storage.ts';

/** How many bytes of an upload are gathered before one write. */
const WRITE_BATCH = 1024 * 1024;

/** Options of {@link FileSpool}. */
export interface FileSpoolOptions {
  /**
   * Start a background `fdatasync` of the file each time this many bytes
   * were written since the last one (one at a time, never awaited by an
   * append), so the `fsync` of {@link FileSpool.finish} only has the tail
   * left to flush; 0 never syncs before `finish`.
   * @default 0
   */
  syncEvery?: number;
}

/**
 * Upload bytes in a temp file, until committed or dropped; they are hashed
 * (sha256) as they arrive, so a commit by rename needs no second read.
 */
export class FileSpool implements UploadSpool {
  /** The temp file. */
  readonly path: string;
  readonly #syncEvery: number;
  readonly #hasher = createHasher('sha256');
  #handle: FileHandle | undefined;
  /** The batch being gathered, and how much of it is filled. */
  #batch: Uint8Array | undefined;
  #filled = 0;
  /** The other batch buffer, once its write is done. */
  #spare: Uint8Array | undefined;
  #writing: Promise<void> = Promise.resolve();
  #size = 0;
  /** Bytes written to the file, and how many of them a finished background sync covered. */
  #written = 0;
  #synced = 0;
  #syncing: Promise<void> | undefined;
  /** The failure of a background sync: the kernel reports it once, so it is kept for `finish`. */
  #syncError: unknown;

  /**
   * @param path - the temp file, made by the first write
   * @param options - {@link FileSpoolOptions}
   */
  constructor(path: string, options: FileSpoolOptions = {}) {
    this.path = path;
    this.#syncEvery = options.syncEvery ?? 0;
  }

  /** How many bytes it holds. */
  get size(): number {
    return this.#size;
  }

  /** How many bytes a background sync has confirmed on disk (0 without `syncEvery`). */
  get synced(): number {
    return this.#synced;
  }

  /**
   * Hashes the chunk and copies it into a 1 MiB batch; a full batch goes to
   * the file in one write while the next one fills (two buffers, reused:
   * the append that fills the second waits for the first to be written).
   */
  async append(chunk: Uint8Array): Promise<void> {
    this.#hasher.update(chunk);
    this.#size += chunk.byteLength;
    let at = 0;
    while (at < chunk.byteLength) {
      if (!this.#batch) {
        this.#batch = this.#spare ?? new Uint8Array(WRITE_BATCH);
        this.#spare = undefined;
      }
      const count = Math.min(WRITE_BATCH - this.#filled, chunk.byteLength - at);
      this.#batch.set(chunk.subarray(at, at + count), this.#filled);
      this.#filled += count;
      at += count;
      if (this.#filled === WRITE_BATCH) {
        await this.#writing;
        this.#writeBatch();
      }
    }
  }

  /** Writes what is gathered and waits for it; the batch buffers are let go (an idle session holds none). */
  async flush(): Promise<void> {
    await this.#writing;
    this.#writeBatch();
    await this.#writing;
    this.#spare = undefined;
  }

  /** Starts writing the gathered batch. */
  #writeBatch(): void {
    const batch = this.#batch;
    if (!batch || this.#filled === 0) return;
    const bytes = batch.subarray(0, this.#filled);
    this.#batch = undefined;
    this.#filled = 0;
    this.#writing = this.#writeAll(bytes).then(() => {
      this.#spare = batch;
      this.#syncInBackground();
    });
    // Awaited by the next append or flush; handled here so a failure is not unhandled meanwhile.
    this.#writing.catch(() => {});
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    this.#handle ??= await open(this.path, 'a', 0o600);
    let written = 0;
    while (written < bytes.byteLength) {
      const result = await this.#handle.write(bytes, written, bytes.byteLength - written);
      written += result.bytesWritten;
    }
    this.#written += written;
  }

  /** Starts an `fdatasync` when `syncEvery` bytes were written since the last one and none runs. */
  #syncInBackground(): void {
    const handle = this.#handle;
    const upTo = this.#written;
    if (!handle || this.#syncEvery === 0 || this.#syncing) return;
    if (upTo - this.#synced < this.#syncEvery || this.#syncError !== undefined) return;
    this.#syncing = handle.datasync().then(
      () => {
        this.#synced = upTo;
        this.#syncing = undefined;
      },
      (error: unknown) => {
        this.#syncError = error;
        this.#syncing = undefined;
      },
    );
  }

  /** @returns a stream of everything held, from the first byte */
  content(): ReadableStream<Uint8Array> {
    if (this.#size === 0) return new ReadableStream({ start: (c) => c.close() });
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    return new ReadableStream<Uint8Array>({
      start: () => this.flush(),
      pull: async (controller) => {
        reader ??= (
          Readable.toWeb(
            createReadStream(this.path, { highWaterMark: WRITE_BATCH }),
          ) as ReadableStream<Uint8Array>
        ).getReader();
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel: (reason) => reader?.cancel(reason),
    });
  }

  /**
   * Ends the writes (the file then readable by all, as layout blobs are, and
   * synced to disk when `fsync`) and says what was written.
   * @param fsync - whether to `fsync` the file
   * @returns the sha256 digest of everything appended
   * @throws the error of a failed background sync, when `fsync`
   */
  async finish(fsync: boolean): Promise<string> {
    await this.flush();
    await this.#syncing;
    const handle = this.#handle ?? (await open(this.path, 'a', 0o600));
    this.#handle = undefined;
    try {
      if (fsync && this.#syncError !== undefined) throw this.#syncError;
      await handle.chmod(0o644);
      if (fsync) await handle.sync();
    } finally {
      await handle.close();
    }
    return this.#hasher.digest();
  }

  /** Frees what it holds: waits for its writes and its sync, closes and removes the file. */
  async discard(): Promise<void> {
    await this.#writing.catch(() => {});
    await this.#syncing;
    await this.#handle?.close().catch(() => {});
    this.#handle = undefined;
    await rm(this.path, { force: true });
  }
}
