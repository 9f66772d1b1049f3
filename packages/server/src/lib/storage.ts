import type {
  Deleter,
  OperationOptions,
  RangeFetcher,
  ReferrerLister,
  TagLister,
  Target,
  Untagger,
} from '@ocikit/content';
import type { Descriptor } from '@ocikit/spec';

/**
 * One repository of a served registry: a {@link Target} of
 * `@ocikit/content` with tags, referrers, deletes and ranged reads, that can
 * also tell what it holds under a digest (blob or manifest).
 */
export interface RepositoryStorage
  extends Target,
    TagLister,
    ReferrerLister,
    Deleter,
    Untagger,
    RangeFetcher {
  /**
   * @param digest - a validated digest
   * @param options - {@link StatOptions}
   * @returns the descriptor of the content held under it, or undefined
   */
  stat(digest: string, options?: StatOptions): Promise<Descriptor | undefined>;
}

/** Options of {@link RepositoryStorage.stat}. */
export interface StatOptions extends OperationOptions {
  /**
   * Whether to tell a manifest's media type; `false` answers by size alone
   * (`application/octet-stream`), which is all the blob routes need.
   * @default true
   */
  mediaType?: boolean;
}

/** Where the bytes of an unfinished upload wait until the upload is committed. */
export interface UploadSpool {
  /** How many bytes it holds. */
  readonly size: number;
  /**
   * Adds bytes at the end.
   * @param chunk - the bytes; the spool may keep the view
   */
  append(chunk: Uint8Array): Promise<void>;
  /**
   * Writes what {@link UploadSpool.append} held back to batch small chunks
   * (optional); called at the end of each request, so an idle session holds
   * nothing in memory.
   */
  flush?(): Promise<void>;
  /** @returns a stream of everything held, from the first byte */
  content(): ReadableStream<Uint8Array>;
  /** Frees what it holds; the spool is not used again. */
  discard(): Promise<void>;
}

/** Options of {@link RegistryStorage.repository}. */
export interface RepositoryLookupOptions extends OperationOptions {
  /**
   * Make the repository when it does not exist yet.
   * @default false
   */
  create?: boolean;
}

/** The repositories a registry serves, by name, and the place uploads wait in. */
export interface RegistryStorage {
  /**
   * @param name - a repository name already checked against the grammar
   * @param options - {@link RepositoryLookupOptions}
   * @returns the repository, or undefined when it does not exist and `create` is not set
   */
  repository(
    name: string,
    options?: RepositoryLookupOptions,
  ): Promise<RepositoryStorage | undefined>;
  /**
   * @param options - `last`: only names that sort after it
   * @returns the repository names, in lexical order
   */
  repositories(options?: { last?: string } & OperationOptions): AsyncIterable<string>;
  /** @returns a new, empty spool for one upload session */
  createSpool(): Promise<UploadSpool>;
  /**
   * Commits a finished upload's spool as a blob of a repository without
   * copying its bytes (optional: without it, or when it answers false, the
   * spool's content is pushed). It verifies the spool against the digest
   * first; the spool is not used again when it answers true.
   *
   * @param spool - a spool this storage made, holding the whole blob
   * @param descriptor - the blob: its digest and the spool's size
   * @param name - the repository (it exists)
   * @param options - {@link OperationOptions}
   * @returns whether the spool was committed
   * @throws {OciError} `DIGEST_MISMATCH` when the spool does not match the digest
   */
  commitSpool?(
    spool: UploadSpool,
    descriptor: Descriptor,
    name: string,
    options?: OperationOptions,
  ): Promise<boolean>;
  /**
   * Makes a blob of one repository present in another without copying its
   * bytes (optional: without it a mount copies through `fetch` and `push`).
   *
   * @param descriptor - the blob, present in `from`
   * @param from - the source repository name
   * @param to - the target repository name (it exists)
   * @param options - {@link OperationOptions}
   * @returns whether the blob was linked; false makes the caller copy it
   */
  linkBlob?(
    descriptor: Descriptor,
    from: string,
    to: string,
    options?: OperationOptions,
  ): Promise<boolean>;
}
