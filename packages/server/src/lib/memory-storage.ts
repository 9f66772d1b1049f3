import { MemoryStore } from '@ocikit/content';
import { isOciError } from '@ocikit/digest';
import type { Descriptor } from '@ocikit/spec';
import type {
  RegistryStorage,
  RepositoryLookupOptions,
  RepositoryStorage,
  UploadSpool,
} from './storage.ts';

/** A {@link MemoryStore} that also answers what it holds under a digest. */
class MemoryRepository extends MemoryStore implements RepositoryStorage {
  /** {@inheritDoc RepositoryStorage.stat} */
  async stat(digest: string): Promise<Descriptor | undefined> {
    try {
      return await this.resolve(digest);
    } catch (error) {
      if (isOciError(error, 'MANIFEST_UNKNOWN')) return undefined;
      throw error;
    }
  }
}

/** Upload bytes held in memory until the upload is committed or dropped. */
class MemorySpool implements UploadSpool {
  #chunks: Uint8Array[] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  async append(chunk: Uint8Array): Promise<void> {
    this.#chunks.push(chunk);
    this.#size += chunk.byteLength;
  }

  content(): ReadableStream<Uint8Array> {
    const chunks = this.#chunks.values();
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
    });
  }

  async discard(): Promise<void> {
    this.#chunks = [];
    this.#size = 0;
  }
}

/**
 * Registry storage in memory, for tests and demos: one {@link MemoryStore}
 * per repository (blobs are not shared between repositories; a mount copies
 * the reference to the bytes, not the bytes). Everything is gone when the
 * process ends.
 */
export class MemoryRegistryStorage implements RegistryStorage {
  readonly #repositories = new Map<string, MemoryRepository>();

  /** {@inheritDoc RegistryStorage.repository} */
  async repository(
    name: string,
    options: RepositoryLookupOptions = {},
  ): Promise<RepositoryStorage | undefined> {
    const found = this.#repositories.get(name);
    if (found || !options.create) return found;
    const created = new MemoryRepository();
    this.#repositories.set(name, created);
    return created;
  }

  /** {@inheritDoc RegistryStorage.repositories} */
  async *repositories(options: { last?: string } = {}): AsyncIterable<string> {
    for (const name of [...this.#repositories.keys()].sort()) {
      if (options.last === undefined || name > options.last) yield name;
    }
  }

  /** {@inheritDoc RegistryStorage.createSpool} */
  async createSpool(): Promise<UploadSpool> {
    return new MemorySpool();
  }
}
