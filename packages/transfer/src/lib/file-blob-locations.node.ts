import { resolve } from 'node:path';
import type { RepositoryLocation } from '@ocikit/content';
import {
  type BlobLocationEntry,
  type BlobLocationOptions,
  MemoryBlobLocations,
} from './blob-locations.ts';
import { readStateFile, writeStateFile } from './json-file.node.ts';

/**
 * A {@link @ocikit/transfer!BlobLocationCache} kept in a JSON file, shared by the processes
 * of one user. The file is read when the cache is first asked where a blob
 * is (a copy that never asks, such as one within one registry, does not
 * read it), and on each `flush` (at the end of every copy that learned
 * something) merged with what other processes wrote meanwhile and written
 * atomically (a temp file renamed over it, not flushed to disk: a cache
 * lost in a crash costs requests, not data), readable by its owner only
 * (0600; repository names can be private). Bounded like
 * {@link MemoryBlobLocations}. A file that cannot be read (missing, a
 * FIFO, a directory, a link, over 64 MiB, not readable, not a cache) is an
 * empty cache: the cache only saves requests, it is never the truth.
 */
export class FileBlobLocations extends MemoryBlobLocations {
  /** The file (absolute). */
  readonly path: string;
  /** The file's entries merged in, once asked for. */
  #loaded: Promise<void> | undefined;
  /** Whether something was remembered since the last flush. */
  #changed = false;
  /** The flush in progress: flushes run one after another. */
  #flushing: Promise<void> = Promise.resolve();

  private constructor(path: string, options: BlobLocationOptions) {
    super(options);
    this.path = path;
  }

  /**
   * The cache of a file, read when first needed.
   *
   * @param path - the JSON file, such as `~/.cache/ocikit/blob-locations.json`
   * @param options - {@link BlobLocationOptions}
   * @returns the cache
   */
  static async open(path: string, options: BlobLocationOptions = {}): Promise<FileBlobLocations> {
    return new FileBlobLocations(resolve(path), options);
  }

  /** {@inheritDoc @ocikit/transfer!BlobLocationCache.repositories} */
  override async repositories(registry: string, digest: string): Promise<readonly string[]> {
    this.#loaded ??= this.#merge();
    await this.#loaded;
    return super.repositories(registry, digest);
  }

  /** {@inheritDoc @ocikit/transfer!BlobLocationCache.remember} */
  override remember(location: RepositoryLocation, digest: string): void {
    super.remember(location, digest);
    this.#changed = true;
  }

  /**
   * Writes the cache, merged with the file's current entries (this
   * process's are the most recent); nothing when nothing was remembered.
   * Flushes of one cache run one after another, so none writes an older
   * state over a newer one.
   */
  flush(): Promise<void> {
    const next = this.#flushing.then(async () => {
      if (!this.#changed) return;
      this.#changed = false;
      await this.#merge();
      await writeStateFile(this.path, { version: 1, blobs: this.entries() }, false);
    });
    this.#flushing = next.catch(() => {});
    return next;
  }

  /** Adds the file's entries as older than what this process saw. */
  async #merge(): Promise<void> {
    const theirs = await readEntries(this.path);
    const ours = this.entries();
    this.add(...theirs);
    this.add(...ours);
  }
}

/** The largest cache file read: far above what the bounded cache writes. */
const MAX_CACHE_FILE_BYTES = 64 * 1024 * 1024;

/** The entries of a cache file, least recent first; none when it is missing or not a cache. */
async function readEntries(path: string): Promise<BlobLocationEntry[]> {
  const { version, blobs } = ((await readStateFile(path, MAX_CACHE_FILE_BYTES)) ?? {}) as {
    version?: unknown;
    blobs?: unknown;
  };
  if (version !== 1 || !Array.isArray(blobs)) return [];
  return blobs.filter(isEntry);
}

function isEntry(value: unknown): value is BlobLocationEntry {
  if (!Array.isArray(value) || value.length !== 3) return false;
  const [registry, digest, repositories] = value as unknown[];
  return (
    typeof registry === 'string' &&
    typeof digest === 'string' &&
    Array.isArray(repositories) &&
    repositories.every((name) => typeof name === 'string')
  );
}
