import {
  isLocated,
  isMounter,
  type Located,
  type Mounter,
  type RepositoryLocation,
} from '@ocikit/content';
import { OciError } from '@ocikit/digest';
import type { Descriptor } from '@ocikit/spec';

/**
 * Where blobs were seen, by registry (skopeo's blob-info cache plays this
 * role): a copy into a repository of a registry tries to mount a blob from
 * other repositories known to hold it before sending its bytes.
 */
export interface BlobLocationCache {
  /** Repositories of `registry` known to hold `digest`, most recently seen first. */
  repositories(registry: string, digest: string): Promise<readonly string[]>;
  /** Records that a repository holds a blob. */
  remember(location: RepositoryLocation, digest: string): void;
  /** Keeps what was remembered (a file-backed cache writes it); a copy calls it when it ends. */
  flush?(): Promise<void>;
}

/** Options of {@link MemoryBlobLocations}. */
export interface BlobLocationOptions {
  /**
   * The most blobs remembered; the least recently seen are forgotten first.
   * @default 10000
   */
  maxBlobs?: number;
  /**
   * The most repositories remembered per blob (the most recent kept).
   * @default 8
   */
  maxRepositories?: number;
}

/** One remembered blob: registry, digest and its repositories, most recent first. */
export type BlobLocationEntry = readonly [
  registry: string,
  digest: string,
  repositories: readonly string[],
];

/** A {@link BlobLocationCache} in memory, bounded, for one process (or the base of a persistent one). */
export class MemoryBlobLocations implements BlobLocationCache {
  /** `registry digest` → repositories, in recency order (the last seen last). */
  readonly #entries = new Map<string, string[]>();
  readonly #maxBlobs: number;
  readonly #maxRepositories: number;

  /** @param options - {@link BlobLocationOptions} */
  constructor(options: BlobLocationOptions = {}) {
    this.#maxBlobs = positive('maxBlobs', options.maxBlobs ?? 10_000);
    this.#maxRepositories = positive('maxRepositories', options.maxRepositories ?? 8);
  }

  /** {@inheritDoc @ocikit/transfer!BlobLocationCache.repositories} */
  async repositories(registry: string, digest: string): Promise<readonly string[]> {
    return [...(this.#entries.get(key(registry, digest)) ?? [])];
  }

  /** {@inheritDoc @ocikit/transfer!BlobLocationCache.remember} */
  remember(location: RepositoryLocation, digest: string): void {
    this.add([location.registry, digest, [location.repository]]);
  }

  /**
   * Adds entries, each as recent as it is late in the list (repositories
   * most recent first), then forgets beyond the bounds.
   *
   * @param entries - what to add
   */
  protected add(...entries: readonly BlobLocationEntry[]): void {
    for (const [registry, digest, repositories] of entries) {
      const id = key(registry, digest);
      const known = this.#entries.get(id) ?? [];
      this.#entries.delete(id);
      const merged = [...repositories, ...known.filter((name) => !repositories.includes(name))];
      this.#entries.set(id, merged.slice(0, this.#maxRepositories));
    }
    for (const id of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxBlobs) break;
      this.#entries.delete(id);
    }
  }

  /**
   * Everything remembered, least recently seen first.
   *
   * @returns the entries
   */
  protected entries(): BlobLocationEntry[] {
    return [...this.#entries].map(([id, repositories]) => {
      const [registry = '', digest = ''] = id.split(' ');
      return [registry, digest, repositories];
    });
  }
}

function key(registry: string, digest: string): string {
  return `${registry} ${digest}`;
}

function positive(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new OciError('OPTION_INVALID', `${name} must be an integer ≥ 1, not ${value}`);
  }
  return value;
}

/** How a copy uses a {@link BlobLocationCache}: records what it sees, mounts from what it knows. */
export class KnownLocations {
  readonly #cache: BlobLocationCache | undefined;
  readonly #from: RepositoryLocation | undefined;
  readonly #to: (Located & Mounter) | undefined;

  /**
   * @param cache - the `blobLocations` option
   * @param from - the source
   * @param to - the destination
   */
  constructor(cache: BlobLocationCache | undefined, from: unknown, to: unknown) {
    this.#cache = cache;
    this.#from = isLocated(from) ? from.location : undefined;
    this.#to = isLocated(to) && isMounter(to) ? to : undefined;
  }

  /** Records that the source holds a blob (when it is a repository). */
  atSource(digest: string): void {
    if (this.#from) this.#cache?.remember(this.#from, digest);
  }

  /** Records that the destination holds a blob (when it is a repository). */
  atDestination(digest: string): void {
    if (this.#to) this.#cache?.remember(this.#to.location, digest);
  }

  /**
   * Mounts a blob into the destination from another repository of its
   * registry known to hold it, trying each (at most 3); a repository that
   * refuses (gone, not readable) is passed over.
   *
   * @param descriptor - the blob
   * @param signal - cancels the mounts
   * @returns whether the destination now holds the blob
   */
  async mount(descriptor: Descriptor, signal: AbortSignal): Promise<boolean> {
    const to = this.#to;
    if (!this.#cache || !to) return false;
    const here = to.location;
    // A cache that cannot answer knows nothing: it only ever saves requests.
    const known = await this.#cache.repositories(here.registry, descriptor.digest).catch(() => []);
    const candidates = known.filter((repository) => repository !== here.repository).slice(0, 3);
    for (const repository of candidates) {
      try {
        if (await to.mount(descriptor, { registry: here.registry, repository }, { signal })) {
          return true;
        }
      } catch (error) {
        if (signal.aborted) throw error;
      }
    }
    return false;
  }

  /** Lets the cache keep what it learned; a cache that cannot be written is no failure of the copy. */
  async flush(): Promise<void> {
    await this.#cache?.flush?.().catch(() => {});
  }
}
