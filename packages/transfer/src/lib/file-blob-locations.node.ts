import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { writeFileAtomic } from '@ocikit/content/fs';
import {
  type BlobLocationEntry,
  type BlobLocationOptions,
  MemoryBlobLocations,
} from './blob-locations.ts';
import { readStateFile } from './json-file.node.ts';

/**
 * A {@link @ocikit/transfer!BlobLocationCache} kept in a JSON file, shared by the processes
 * of one user: read when opened, and on each `flush` (at the end of every
 * copy) merged with what other processes wrote meanwhile and written
 * atomically (a temp file renamed over it). Bounded like
 * {@link MemoryBlobLocations}. A missing or unreadable file (a FIFO, a
 * directory, over 64 MiB) is an empty
 * cache: the cache only saves requests, it is never the truth.
 */
export class FileBlobLocations extends MemoryBlobLocations {
  /** The file (absolute). */
  readonly path: string;

  private constructor(path: string, options: BlobLocationOptions) {
    super(options);
    this.path = path;
  }

  /**
   * Opens the cache of a file, reading what it holds.
   *
   * @param path - the JSON file, such as `~/.cache/ocikit/blob-locations.json`
   * @param options - {@link BlobLocationOptions}
   * @returns the cache
   */
  static async open(path: string, options: BlobLocationOptions = {}): Promise<FileBlobLocations> {
    const cache = new FileBlobLocations(resolve(path), options);
    cache.add(...(await readEntries(cache.path)));
    return cache;
  }

  /** Writes the cache, merged with the file's current entries (this process's are the most recent). */
  async flush(): Promise<void> {
    const ours = this.entries();
    this.add(...(await readEntries(this.path)));
    this.add(...ours);
    await mkdir(dirname(this.path), { recursive: true });
    const text = JSON.stringify({ version: 1, blobs: this.entries() });
    await writeFileAtomic(this.path, new TextEncoder().encode(text));
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
