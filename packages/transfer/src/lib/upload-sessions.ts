import type { RepositoryLocation } from '@ocikit/content';

/**
 * Where unfinished blob uploads to registries are, so a copy continues one
 * instead of sending its bytes again: per repository and digest, the
 * session's location (its URL, which carries the registry's upload state:
 * keep it private). {@link MemoryUploadSessions} lasts one process;
 * `FileUploadSessions` of `@ocikit/transfer/fs` survives a killed one.
 */
export interface UploadSessionStore {
  /**
   * @param repository - the destination repository
   * @param digest - the blob
   * @returns the recorded session location, if any
   */
  get(repository: RepositoryLocation, digest: string): Promise<string | undefined>;
  /**
   * Records (or moves) the session of a blob.
   *
   * @param repository - the destination repository
   * @param digest - the blob
   * @param location - the session's latest location
   */
  set(repository: RepositoryLocation, digest: string, location: string): Promise<void>;
  /**
   * Forgets the session of a blob (it finished, or the registry dropped it).
   *
   * @param repository - the destination repository
   * @param digest - the blob
   */
  delete(repository: RepositoryLocation, digest: string): Promise<void>;
}

/** One recorded session: `[registry, repository, digest, location]`. */
export type UploadSessionEntry = readonly [string, string, string, string];

/** An {@link UploadSessionStore} in memory, for one process. */
export class MemoryUploadSessions implements UploadSessionStore {
  readonly #sessions = new Map<string, UploadSessionEntry>();

  /** {@inheritDoc @ocikit/transfer!UploadSessionStore.get} */
  async get(repository: RepositoryLocation, digest: string): Promise<string | undefined> {
    return this.#sessions.get(keyOf(repository, digest))?.[3];
  }

  /** {@inheritDoc @ocikit/transfer!UploadSessionStore.set} */
  async set(repository: RepositoryLocation, digest: string, location: string): Promise<void> {
    this.#sessions.set(keyOf(repository, digest), [
      repository.registry,
      repository.repository,
      digest,
      location,
    ]);
  }

  /** {@inheritDoc @ocikit/transfer!UploadSessionStore.delete} */
  async delete(repository: RepositoryLocation, digest: string): Promise<void> {
    this.#sessions.delete(keyOf(repository, digest));
  }

  /**
   * @returns every recorded session
   */
  entries(): UploadSessionEntry[] {
    return [...this.#sessions.values()];
  }

  /**
   * Records sessions read from elsewhere (a file).
   *
   * @param entries - the sessions
   */
  protected add(...entries: readonly UploadSessionEntry[]): void {
    for (const [registry, repository, digest, location] of entries) {
      this.#sessions.set(keyOf({ registry, repository }, digest), [
        registry,
        repository,
        digest,
        location,
      ]);
    }
  }
}

function keyOf(repository: RepositoryLocation, digest: string): string {
  return `${repository.registry}/${repository.repository}@${digest}`;
}
