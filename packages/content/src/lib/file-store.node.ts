import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import {
  abortError,
  consumeStream,
  createHasher,
  createVerifyStream,
  type Digest,
  OciError,
  parseDigest,
  verifyContent,
} from '@ocikit/digest';
import type { Descriptor } from '@ocikit/spec';
import { type BlobContent, contentStream } from './blob-content.ts';
import {
  errnoCode,
  isTempFile,
  readFileStream,
  removeStaleFiles,
  syncDirectory,
  writeFileAtomic,
  writeStreamToFile,
} from './file-io.node.ts';
import { type FileLock, tryAcquireFileLock } from './file-lock.node.ts';
import type {
  Deleter,
  OperationOptions,
  RangeFetcher,
  RangeFetchOptions,
  ResumablePusher,
  Storage,
} from './interfaces.ts';
import { notFound } from './not-found.ts';
import { pushFailure } from './push-failure.ts';
import { findReachable } from './reachable.ts';

/** Options of {@link FileStore.open}. */
export interface FileStoreOptions {
  /**
   * Flush each blob (and its directory entry) to disk before a push
   * resolves, so a power loss never leaves a named blob with missing bytes.
   * @default true
   */
  fsync?: boolean;
  /**
   * An ingest lock untouched for this long belongs to a dead writer and is
   * taken over.
   * @default 60000
   */
  staleLockMs?: number;
  /**
   * Create `<root>/blobs` when it is missing; with `false`, a missing one is
   * `LAYOUT_INVALID` and opening writes nothing.
   * @default true
   */
  create?: boolean;
}

/** Options of {@link FileStore.gc}. */
export interface GcOptions extends OperationOptions {
  /**
   * Report what would be removed without removing anything.
   * @default false
   */
  dryRun?: boolean;
  /**
   * Unfinished writes (temp and ingest files) older than this are removed too.
   * @default 86400000 (one day)
   */
  staleWriteMs?: number;
}

/** What {@link FileStore.gc} did. */
export interface GcResult {
  /** Blobs removed (or that would be, in a dry run). */
  readonly removed: readonly StoredBlob[];
  /** How many blobs were kept. */
  readonly kept: number;
  /** Content reachable from the roots that is missing from the store. */
  readonly missing: readonly Descriptor[];
  /** Unfinished writes removed. */
  readonly staleWrites: number;
}

/** One blob found by {@link FileStore.walk}. */
export interface StoredBlob {
  readonly digest: Digest;
  readonly size: number;
}

const INGEST_PREFIX = '.ingest-';

/**
 * A content-addressed store in a directory, laid out as an OCI image
 * layout's blob store: `<root>/blobs/<algorithm>/<encoded>`.
 *
 * - Every push is verified (digest and size) before it is committed by a
 *   rename; nothing unverified ever has a blob's name.
 * - In-progress writes are dot-files beside their blob (hidden from `walk`).
 *   An interrupted push (source failure or abort) keeps its bytes, and
 *   {@link FileStore.pushFrom} continues it from {@link FileStore.resumeOffset}.
 * - Concurrent writers of one digest, in one process or several, never
 *   share a file: one holds the ingest lock, the others write private temp
 *   files; whichever renames last replaces identical bytes.
 */
export class FileStore implements Storage, Deleter, RangeFetcher, ResumablePusher {
  /** The store's root directory (absolute). */
  readonly root: string;
  readonly #fsync: boolean;
  readonly #staleLockMs: number;

  private constructor(root: string, options: FileStoreOptions) {
    this.root = root;
    this.#fsync = options.fsync ?? true;
    this.#staleLockMs = options.staleLockMs ?? 60_000;
  }

  /**
   * Opens a store, creating `<root>/blobs` when it is missing (unless
   * `create` is false).
   *
   * @param root - the directory
   * @param options - {@link FileStoreOptions}
   * @returns the store
   */
  static async open(root: string, options: FileStoreOptions = {}): Promise<FileStore> {
    const absolute = resolve(root);
    const blobs = join(absolute, 'blobs');
    if (options.create ?? true) {
      await mkdir(blobs, { recursive: true });
    } else if (!(await stat(blobs).catch(() => undefined))?.isDirectory()) {
      throw new OciError('LAYOUT_INVALID', `"${absolute}" has no blobs directory`);
    }
    return new FileStore(absolute, options);
  }

  /**
   * The path of a blob, checked to lie inside the store.
   *
   * @param digest - the blob's digest
   * @returns `<root>/blobs/<algorithm>/<encoded>`
   * @throws {OciError} `DIGEST_INVALID`; `PATH_INVALID` if it would escape the root
   */
  blobPath(digest: string): string {
    const { algorithm, encoded } = parseDigest(digest);
    const blobs = join(this.root, 'blobs');
    const path = resolve(blobs, algorithm, encoded);
    if (!path.startsWith(blobs + sep)) {
      throw new OciError(
        'PATH_INVALID',
        `Digest "${digest}" does not name a path inside the store`,
      );
    }
    return path;
  }

  /** {@inheritDoc @ocikit/content!Fetcher.fetch} */
  async fetch(
    descriptor: Descriptor,
    options: OperationOptions = {},
  ): Promise<ReadableStream<Uint8Array>> {
    if (options.signal?.aborted) throw abortError(options.signal);
    const stream = await this.#open(descriptor, 0);
    return stream.pipeThrough(createVerifyStream(descriptor));
  }

  /** {@inheritDoc @ocikit/content!RangeFetcher.fetchRange} */
  async fetchRange(
    descriptor: Descriptor,
    options: RangeFetchOptions,
  ): Promise<ReadableStream<Uint8Array>> {
    if (options.signal?.aborted) throw abortError(options.signal);
    return this.#open(descriptor, options.offset);
  }

  /** {@inheritDoc @ocikit/content!ExistenceChecker.exists} */
  async exists(descriptor: Descriptor, options: OperationOptions = {}): Promise<boolean> {
    if (options.signal?.aborted) throw abortError(options.signal);
    const size = await this.#size(this.blobPath(descriptor.digest));
    return size !== undefined && size === descriptor.size;
  }

  /** {@inheritDoc @ocikit/content!Pusher.push} */
  async push(
    descriptor: Descriptor,
    content: BlobContent,
    options: OperationOptions = {},
  ): Promise<void> {
    await this.pushFrom(descriptor, content, { offset: 0, signal: options.signal });
  }

  /** {@inheritDoc @ocikit/content!ResumablePusher.resumeOffset} */
  async resumeOffset(descriptor: Descriptor, options: OperationOptions = {}): Promise<number> {
    if (options.signal?.aborted) throw abortError(options.signal);
    const path = this.blobPath(descriptor.digest);
    if ((await this.#size(path)) === descriptor.size) return descriptor.size;
    const partial = await this.#size(ingestPath(path));
    return partial !== undefined && partial <= descriptor.size ? partial : 0;
  }

  /**
   * Implements {@link @ocikit/content!ResumablePusher.pushFrom}.
   *
   * When the ingest file holds fewer than `offset` bytes (another writer
   * took it over, or it was removed), fails with `BLOB_UPLOAD_INVALID`:
   * start again from {@link FileStore.resumeOffset}.
   */
  async pushFrom(
    descriptor: Descriptor,
    content: BlobContent,
    options: RangeFetchOptions,
  ): Promise<void> {
    const { signal, offset } = options;
    const stream = contentStream(content);
    try {
      const path = this.blobPath(descriptor.digest);
      if (signal?.aborted) throw abortError(signal);
      if ((await this.#size(path)) === descriptor.size) {
        await stream.cancel();
        return;
      }
      await mkdir(join(path, '..'), { recursive: true });
      const lock = await tryAcquireFileLock(`${ingestPath(path)}.lock`, {
        staleMs: this.#staleLockMs,
      });
      if (lock) {
        await this.#ingest(descriptor, stream, path, offset, lock, signal);
      } else {
        if (offset !== 0) throw busyIngest(descriptor.digest);
        await this.#writePrivate(descriptor, stream, path, signal);
      }
    } catch (error) {
      await stream.cancel(error).catch(() => {});
      throw pushFailure(error, descriptor, `"${this.root}"`);
    }
  }

  /** {@inheritDoc @ocikit/content!Deleter.delete} */
  async delete(descriptor: Descriptor, options: OperationOptions = {}): Promise<void> {
    if (options.signal?.aborted) throw abortError(options.signal);
    const path = this.blobPath(descriptor.digest);
    try {
      await rm(path);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') throw notFound(descriptor);
      throw error;
    }
  }

  /**
   * Lists every committed blob (in-progress writes are not listed).
   *
   * @param options - {@link OperationOptions}
   * @returns the blobs, by algorithm then encoded name
   */
  async *walk(options: OperationOptions = {}): AsyncIterable<StoredBlob> {
    const blobs = join(this.root, 'blobs');
    for (const algorithm of (await readdir(blobs)).sort()) {
      let names: string[];
      try {
        names = await readdir(join(blobs, algorithm));
      } catch (error) {
        if (errnoCode(error) === 'ENOTDIR') continue;
        throw error;
      }
      for (const name of names.sort()) {
        if (options.signal?.aborted) throw abortError(options.signal);
        if (name.startsWith('.')) continue;
        const digest = `${algorithm}:${name}`;
        try {
          parseDigest(digest);
        } catch {
          continue;
        }
        const size = await this.#size(join(blobs, algorithm, name));
        if (size !== undefined) yield { digest: digest as Digest, size };
      }
    }
  }

  /**
   * Garbage collection: removes every blob not reachable from `roots`
   * (manifests lead to their children and their subject), and unfinished
   * writes older than `staleWriteMs`.
   *
   * @param roots - what to keep, with everything it references
   * @param options - {@link GcOptions}
   * @returns what was removed and kept
   */
  async gc(roots: readonly Descriptor[], options: GcOptions = {}): Promise<GcResult> {
    const { reachable, missing } = await findReachable(this, roots, options);
    const removed: StoredBlob[] = [];
    let kept = 0;
    for await (const blob of this.walk(options)) {
      if (reachable.has(blob.digest)) {
        kept += 1;
        continue;
      }
      if (!options.dryRun) await rm(this.blobPath(blob.digest), { force: true });
      removed.push(blob);
    }
    const staleWrites = await this.#removeStaleWrites(
      options.staleWriteMs ?? 86_400_000,
      options.dryRun,
    );
    return { removed, kept, missing, staleWrites };
  }

  async #removeStaleWrites(maxAgeMs: number, dryRun = false): Promise<number> {
    const blobs = join(this.root, 'blobs');
    let count = 0;
    for (const algorithm of await readdir(blobs)) {
      count += await removeStaleFiles(join(blobs, algorithm), {
        matches: (entry) => isTempFile(entry) || entry.startsWith(INGEST_PREFIX),
        maxAgeMs,
        dryRun,
      });
    }
    return count;
  }

  async #open(descriptor: Descriptor, start: number): Promise<ReadableStream<Uint8Array>> {
    try {
      return await readFileStream(this.blobPath(descriptor.digest), start);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') throw notFound(descriptor);
      throw error;
    }
  }

  async #size(path: string): Promise<number | undefined> {
    try {
      return (await stat(path)).size;
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return undefined;
      throw error;
    }
  }

  /**
   * Appends to the shared ingest file (held under `lock`) and commits it.
   * A failure of the source or an abort keeps the bytes for a resume;
   * content that turns out wrong is removed.
   */
  async #ingest(
    descriptor: Descriptor,
    content: ReadableStream<Uint8Array>,
    path: string,
    offset: number,
    lock: FileLock,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const ingest = ingestPath(path);
    try {
      const held = (await this.#size(ingest)) ?? 0;
      if (held < offset) throw busyIngest(descriptor.digest);
      const hasher = createHasher(parseDigest(descriptor.digest).algorithm);
      if (offset > 0) {
        await consumeStream(
          await readFileStream(ingest),
          (chunk) => {
            if (hasher.size + chunk.byteLength > offset) {
              hasher.update(chunk.subarray(0, offset - hasher.size));
            } else {
              hasher.update(chunk);
            }
          },
          signal,
        );
      }
      const handle = await open(ingest, offset > 0 ? 'r+' : 'w');
      try {
        await handle.truncate(offset);
        const verified =
          offset > 0
            ? content.pipeThrough(createVerifyStream(descriptor, { resumeFrom: hasher }))
            : verifyContent(content, descriptor);
        await writeStreamToFile(verified, handle, offset, signal).catch(async (error: unknown) => {
          if (isContentError(error)) await rm(ingest, { force: true });
          throw error;
        });
        if (this.#fsync) await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(ingest, path);
      if (this.#fsync) await syncDirectory(join(path, '..'));
    } finally {
      await lock.release();
    }
  }

  /** Writes to a temp file of this writer's own and commits it; removes it on any failure. */
  async #writePrivate(
    descriptor: Descriptor,
    content: ReadableStream<Uint8Array>,
    path: string,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    await writeFileAtomic(path, verifyContent(content, descriptor), {
      fsync: this.#fsync,
      signal,
    });
  }
}

function ingestPath(blobPath: string): string {
  const slash = blobPath.lastIndexOf(sep);
  return `${blobPath.slice(0, slash + 1)}${INGEST_PREFIX}${blobPath.slice(slash + 1)}`;
}

function busyIngest(digest: string): OciError {
  return new OciError(
    'BLOB_UPLOAD_INVALID',
    `Cannot resume the write of ${digest}: its partial content is held by another writer or gone`,
  );
}

/**
 * Whether a failed write proved its bytes wrong (so they are dropped), as
 * opposed to a source that broke off or an abort (kept for a resume).
 */
function isContentError(error: unknown): boolean {
  return (
    error instanceof OciError &&
    (error.code === 'DIGEST_MISMATCH' || error.code === 'SIZE_EXCEEDED')
  );
}
