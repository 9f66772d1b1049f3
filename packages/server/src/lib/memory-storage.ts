import { type BlobContent, MemoryStore, type OperationOptions } from '@ocikit/content';
import { isOciError, OciError } from '@ocikit/digest';
import type { Descriptor } from '@ocikit/spec';
import type {
  RegistryStorage,
  RepositoryLookupOptions,
  RepositoryStorage,
  UploadSpool,
} from './storage.ts';

/** The bytes a {@link MemoryRegistryStorage} holds, against its limit. */
class ByteBudget {
  used = 0;
  constructor(readonly max: number) {}

  /** Counts `bytes` more, or throws `DENIED` when they would pass the limit. */
  take(bytes: number): void {
    if (this.used + bytes > this.max) {
      throw new OciError(
        'DENIED',
        `The memory storage would hold ${this.used + bytes} bytes, over its ${this.max}-byte limit; delete images or give the registry more room`,
        { status: 403 },
      );
    }
    this.used += bytes;
  }

  /** Counts `bytes` less. */
  give(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}

/** A {@link MemoryStore} that also answers what it holds under a digest, within a byte budget. */
class MemoryRepository extends MemoryStore implements RepositoryStorage {
  constructor(readonly budget: ByteBudget) {
    super();
  }

  /** {@inheritDoc RepositoryStorage.stat} */
  async stat(digest: string): Promise<Descriptor | undefined> {
    try {
      return await this.resolve(digest);
    } catch (error) {
      if (isOciError(error, 'MANIFEST_UNKNOWN')) return undefined;
      throw error;
    }
  }

  /** Stores content as {@link MemoryStore.push} does, counting its bytes first. */
  override async push(
    descriptor: Descriptor,
    content: BlobContent,
    options: OperationOptions = {},
  ): Promise<void> {
    if (await this.exists(descriptor)) return super.push(descriptor, content, options);
    this.budget.take(descriptor.size);
    try {
      await super.push(descriptor, content, options);
    } catch (error) {
      this.budget.give(descriptor.size);
      throw error;
    }
  }

  /** Deletes as {@link MemoryStore.delete} does, giving its bytes back. */
  override async delete(descriptor: Descriptor, options: OperationOptions = {}): Promise<void> {
    await super.delete(descriptor, options);
    this.budget.give(descriptor.size);
  }
}

/** Upload bytes held in memory until the upload is committed or dropped. */
class MemorySpool implements UploadSpool {
  #chunks: Uint8Array[] = [];
  #size = 0;
  /** The bytes it counts against the budget: none once its content is handed over to a commit. */
  #counted = 0;
  constructor(readonly budget: ByteBudget) {}

  get size(): number {
    return this.#size;
  }

  async append(chunk: Uint8Array): Promise<void> {
    this.budget.take(chunk.byteLength);
    this.#counted += chunk.byteLength;
    this.#chunks.push(chunk);
    this.#size += chunk.byteLength;
  }

  /** Its bytes, handed to a commit, which counts them instead. */
  content(): ReadableStream<Uint8Array> {
    this.budget.give(this.#counted);
    this.#counted = 0;
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
    this.budget.give(this.#counted);
    this.#counted = 0;
    this.#chunks = [];
    this.#size = 0;
  }
}

const DEFAULT_MAX_BYTES = 1024 * 1024 * 1024;

/** Options of {@link MemoryRegistryStorage}. */
export interface MemoryRegistryStorageOptions {
  /**
   * The most bytes it holds, uploads in progress included; past that,
   * uploads and pushes are `403 DENIED`.
   * @default 1073741824 (1 GiB)
   */
  maxBytes?: number;
}

/**
 * Registry storage in memory, for tests and demos: one {@link MemoryStore}
 * per repository (blobs are not shared between repositories; a mount copies
 * the reference to the bytes, not the bytes). Everything is gone when the
 * process ends. It holds at most `maxBytes` (upload bytes and stored
 * content together; a mounted blob counts once per repository): past that,
 * an upload or push is `403 DENIED`.
 */
export class MemoryRegistryStorage implements RegistryStorage {
  readonly #repositories = new Map<string, MemoryRepository>();
  readonly #budget: ByteBudget;

  /** @param options - {@link MemoryRegistryStorageOptions} */
  constructor(options: MemoryRegistryStorageOptions = {}) {
    const max = options.maxBytes ?? DEFAULT_MAX_BYTES;
    if (!(max > 0)) throw new OciError('OPTION_INVALID', `maxBytes must be above 0, got ${max}`);
    this.#budget = new ByteBudget(max);
  }

  /** {@inheritDoc RegistryStorage.repository} */
  async repository(
    name: string,
    options: RepositoryLookupOptions = {},
  ): Promise<RepositoryStorage | undefined> {
    const found = this.#repositories.get(name);
    if (found || !options.create) return found;
    const created = new MemoryRepository(this.#budget);
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
    return new MemorySpool(this.#budget);
  }
}
