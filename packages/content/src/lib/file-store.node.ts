import { type FileHandle, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import {
  abortError,
  consumeStream,
  createHasher,
  createVerifyStream,
  type Digest,
  isSupportedAlgorithm,
  OciError,
  parseDigest,
  verifyContent,
} from '@ocikit/digest';
import type { Descriptor } from '@ocikit/spec';
import { type BlobContent, contentStream } from './blob-content.ts';
import {
  createExclusive,
  errnoCode,
  isTempFile,
  lstatIfExists,
  notRegularFile,
  openRegularFile,
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
  /**
   * Unreachable blobs written (or touched) less than this many ms ago are
   * kept: the content of a push still in progress (its layers land before
   * the manifest that references them) is not collected under it.
   * @default 0 (every unreachable blob is removed)
   */
  keepNewerThanMs?: number;
}

/** What {@link FileStore.gc} did. */
export interface GcResult {
  /** Blobs removed (or that would be, in a dry run). */
  readonly removed: readonly StoredBlob[];
  /** How many blobs were kept because they are reachable. */
  readonly kept: number;
  /** How many unreachable blobs were kept because they are newer than `keepNewerThanMs`. */
  readonly recent: number;
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
 * - Nothing under `<root>/blobs` is followed: `blobs`, its algorithm
 *   directories and its blobs must be real directories and regular files.
 *   A symbolic link, FIFO, device or directory where a blob belongs is
 *   `PATH_INVALID` to read; a push replaces a link or special file there
 *   (the entry, never its target); `walk` and `gc` skip them, and visit only
 *   the directories of supported algorithms.
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
    if (options.create ?? true) await mkdir(blobs, { recursive: true });
    const info = await lstatIfExists(blobs);
    if (!info?.isDirectory()) {
      throw new OciError(
        'LAYOUT_INVALID',
        `"${absolute}" has no blobs directory${info?.isSymbolicLink() ? ' (blobs is a symbolic link, which is not followed)' : ''}`,
      );
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
    return (await this.blobSize(descriptor.digest)) === descriptor.size;
  }

  /**
   * The size of a committed blob: a regular file at its path (a link or
   * special file there is no blob).
   *
   * @param digest - the blob's digest
   * @returns its size, or `undefined` when there is none
   * @throws {OciError} `DIGEST_INVALID`; `PATH_INVALID` when its algorithm
   *   directory is a link or not a directory
   */
  async blobSize(digest: string): Promise<number | undefined> {
    return this.#size(await this.#blobFile(digest));
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
    const path = await this.#blobFile(descriptor.digest);
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
      if (signal?.aborted) throw abortError(signal);
      const path = await this.#blobFile(descriptor.digest, true);
      const entry = await lstatIfExists(path);
      if (entry?.isDirectory()) throw notRegularFile(this.#name(path), entry);
      if (entry?.isFile() && entry.size === descriptor.size) {
        await stream.cancel();
        return;
      }
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
    const path = await this.#blobFile(descriptor.digest);
    const entry = await lstatIfExists(path);
    if (entry?.isDirectory()) throw notRegularFile(this.#name(path), entry);
    try {
      await rm(path);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') throw notFound(descriptor);
      throw error;
    }
  }

  /**
   * Lists every committed blob (in-progress writes are not listed): the
   * regular files in the directories of supported algorithms; links,
   * special files and directories are skipped, never followed.
   *
   * @param options - {@link OperationOptions}
   * @returns the blobs, by algorithm then encoded name
   */
  async *walk(options: OperationOptions = {}): AsyncIterable<StoredBlob> {
    for (const algorithm of await this.#algorithms()) {
      const dir = join(this.root, 'blobs', algorithm);
      const entries = await readdir(dir, { withFileTypes: true });
      for (const name of entries
        .filter((entry) => entry.isFile())
        .map((entry) => entry.name)
        .sort()) {
        if (options.signal?.aborted) throw abortError(options.signal);
        if (name.startsWith('.')) continue;
        const digest = `${algorithm}:${name}`;
        try {
          parseDigest(digest, { requireSupported: true });
        } catch {
          continue;
        }
        const size = await this.#size(join(dir, name));
        if (size !== undefined) yield { digest: digest as Digest, size };
      }
    }
  }

  /**
   * Garbage collection: removes every blob not reachable from `roots`
   * (manifests lead to their children and their subject), and unfinished
   * writes older than `staleWriteMs`; unreachable blobs newer than
   * `keepNewerThanMs` stay. It removes only what {@link FileStore.walk}
   * lists (and stale regular dot-files beside them), so it never deletes
   * through a link nor outside `<root>/blobs`.
   *
   * @param roots - what to keep, with everything it references
   * @param options - {@link GcOptions}
   * @returns what was removed and kept
   */
  async gc(roots: readonly Descriptor[], options: GcOptions = {}): Promise<GcResult> {
    const { reachable, missing } = await findReachable(this, roots, options);
    const removed: StoredBlob[] = [];
    let kept = 0;
    let recent = 0;
    const keepNewerThanMs = options.keepNewerThanMs ?? 0;
    for await (const blob of this.walk(options)) {
      if (reachable.has(blob.digest)) {
        kept += 1;
        continue;
      }
      if (keepNewerThanMs > 0) {
        const info = await lstatIfExists(this.blobPath(blob.digest));
        if (info !== undefined && Date.now() - info.mtimeMs < keepNewerThanMs) {
          recent += 1;
          continue;
        }
      }
      if (!options.dryRun) await rm(this.blobPath(blob.digest), { force: true });
      removed.push(blob);
    }
    const staleWrites = await this.#removeStaleWrites(
      options.staleWriteMs ?? 86_400_000,
      options.dryRun,
    );
    return { removed, kept, recent, missing, staleWrites };
  }

  async #removeStaleWrites(maxAgeMs: number, dryRun = false): Promise<number> {
    let count = 0;
    for (const algorithm of await this.#algorithms()) {
      count += await removeStaleFiles(join(this.root, 'blobs', algorithm), {
        matches: (entry) => isTempFile(entry) || entry.startsWith(INGEST_PREFIX),
        maxAgeMs,
        dryRun,
      });
    }
    return count;
  }

  /** The algorithm directories under `blobs`: real directories of supported algorithms, sorted. */
  async #algorithms(): Promise<string[]> {
    const entries = await readdir(join(this.root, 'blobs'), { withFileTypes: true });
    return entries
      .filter((entry) => entry.isDirectory() && isSupportedAlgorithm(entry.name))
      .map((entry) => entry.name)
      .sort();
  }

  /**
   * The path of a blob, its algorithm directory checked to be a real
   * directory (not a link), and created first when asked.
   */
  async #blobFile(digest: string, create = false): Promise<string> {
    const path = this.blobPath(digest);
    const dir = dirname(path);
    if (create) await mkdir(dir, { recursive: true });
    const info = await lstatIfExists(dir);
    if (info && !info.isDirectory()) {
      throw new OciError(
        'PATH_INVALID',
        `"${this.#name(dir)}" is ${info.isSymbolicLink() ? 'a symbolic link (not followed)' : 'not a directory'}`,
      );
    }
    return path;
  }

  async #open(descriptor: Descriptor, start: number): Promise<ReadableStream<Uint8Array>> {
    try {
      const path = await this.#blobFile(descriptor.digest);
      return await readFileStream(path, { root: this.root, start });
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') throw notFound(descriptor);
      throw error;
    }
  }

  /** The size of the regular file at `path`, or `undefined` when there is none (or a link, or a special file). */
  async #size(path: string): Promise<number | undefined> {
    const info = await lstatIfExists(path);
    return info?.isFile() ? info.size : undefined;
  }

  /** A path as errors show it: relative to the root. */
  #name(path: string): string {
    return relative(this.root, path);
  }

  /**
   * Opens the ingest file to continue it from `offset` (a regular file, never
   * through a link), or, from 0, removes whatever has its name and creates it
   * afresh, exclusively.
   */
  async #openIngest(ingest: string, offset: number): Promise<FileHandle> {
    if (offset === 0) {
      const entry = await lstatIfExists(ingest);
      if (entry?.isDirectory()) throw notRegularFile(this.#name(ingest), entry);
      if (entry) await rm(ingest);
      return createExclusive(ingest);
    }
    return (await openRegularFile(ingest, { root: this.root, write: true })).handle;
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
          await readFileStream(ingest, { root: this.root }),
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
      const handle = await this.#openIngest(ingest, offset);
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
