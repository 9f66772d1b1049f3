import type { Descriptor } from '@ocikit/spec';
import type { BlobContent } from './blob-content.ts';

/** Options every content operation takes. */
export interface OperationOptions {
  /** Cancels the operation. */
  signal?: AbortSignal;
}

/**
 * Reads content by descriptor. The stream is verified against the
 * descriptor's digest and size while it flows: it fails with
 * `DIGEST_MISMATCH`, `SIZE_EXCEEDED` or `SIZE_MISMATCH` rather than end
 * cleanly with wrong bytes. Missing content is `BLOB_UNKNOWN` (or
 * `MANIFEST_UNKNOWN` for manifests).
 */
export interface Fetcher {
  /**
   * @param descriptor - what to read
   * @param options - {@link OperationOptions}
   * @returns a verified stream of the content
   */
  fetch(descriptor: Descriptor, options?: OperationOptions): Promise<ReadableStream<Uint8Array>>;
}

/**
 * Writes content described by a descriptor. The bytes are verified against
 * the descriptor before they are committed; on any failure nothing is left
 * behind. Pushing content that already exists succeeds.
 */
export interface Pusher {
  /**
   * @param descriptor - the digest, size and media type of the content
   * @param content - the bytes: a stream (consumed or cancelled in every
   *   case), a `Uint8Array` or a `Blob` ({@link BlobContent})
   * @param options - {@link OperationOptions}
   * @throws {OciError} `OPTION_INVALID` for content of another type;
   *   `DIGEST_MISMATCH`, `SIZE_MISMATCH`, `SIZE_EXCEEDED` (naming the
   *   destination) for content that does not match the descriptor
   */
  push(descriptor: Descriptor, content: BlobContent, options?: OperationOptions): Promise<void>;
}

/** Tells whether content is present. */
export interface ExistenceChecker {
  /**
   * @param descriptor - what to look for (by digest)
   * @param options - {@link OperationOptions}
   * @returns whether the content is present
   */
  exists(descriptor: Descriptor, options?: OperationOptions): Promise<boolean>;
}

/** A content-addressed store: fetch, push and check content by descriptor. */
export interface Storage extends Fetcher, Pusher, ExistenceChecker {}

/** Resolves a reference (a tag, or a digest) to the descriptor of a manifest. */
export interface Resolver {
  /**
   * @param reference - a tag such as `v1`, or a digest
   * @param options - {@link OperationOptions}
   * @returns the manifest's descriptor
   * @throws {OciError} `MANIFEST_UNKNOWN` when nothing is known by that reference
   */
  resolve(reference: string, options?: OperationOptions): Promise<Descriptor>;
}

/** Points a tag at a manifest. */
export interface Tagger {
  /**
   * @param descriptor - a manifest that is present in the target
   * @param reference - the tag; an existing tag of that name moves
   * @param options - {@link OperationOptions}
   */
  tag(descriptor: Descriptor, reference: string, options?: OperationOptions): Promise<void>;
}

/**
 * Where images live and move between: a {@link Storage} that also resolves
 * and sets tags. A registry repository, an OCI layout and the memory store
 * are Targets, so every copy direction is one code path.
 */
export interface Target extends Storage, Resolver, Tagger {}

/** Options of {@link TagLister.tags}. */
export interface TagListOptions extends OperationOptions {
  /** List only the tags that sort after this one (pagination). */
  last?: string;
}

/** A target that can list its tags (optional capability). */
export interface TagLister {
  /**
   * @param options - {@link TagListOptions}
   * @returns the tags, in the target's order (lexical for registries)
   */
  tags(options?: TagListOptions): AsyncIterable<string>;
}

/** Options of {@link ReferrerLister.referrers}. */
export interface ReferrerListOptions extends OperationOptions {
  /** Only referrers with this `artifactType`. */
  artifactType?: string;
}

/** A target that can list the manifests whose `subject` is a given manifest (optional capability). */
export interface ReferrerLister {
  /**
   * @param subject - the manifest referred to
   * @param options - {@link ReferrerListOptions}
   * @returns descriptors of the referring manifests, with `artifactType` and annotations
   * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers
   */
  referrers(subject: Descriptor, options?: ReferrerListOptions): AsyncIterable<Descriptor>;
}

/** A target that can delete content (optional capability). */
export interface Deleter {
  /**
   * @param descriptor - the manifest or blob to delete
   * @param options - {@link OperationOptions}
   * @throws {OciError} `BLOB_UNKNOWN`/`MANIFEST_UNKNOWN` when it is absent
   */
  delete(descriptor: Descriptor, options?: OperationOptions): Promise<void>;
}

/** A target that can remove a tag without deleting what it points to (optional capability). */
export interface Untagger {
  /**
   * @param reference - the tag to remove
   * @param options - {@link OperationOptions}
   * @throws {OciError} `MANIFEST_UNKNOWN` when there is no such tag
   */
  untag(reference: string, options?: OperationOptions): Promise<void>;
}

/**
 * A target that can take content from another place without the bytes
 * passing through the client, such as a cross-repository blob mount within
 * one registry (optional capability).
 */
export interface Mounter {
  /**
   * @param descriptor - the blob to mount
   * @param source - where the content is now: typically another Target, or
   *   a {@link RepositoryLocation} of the same registry (mounted from without
   *   reading it: false when the registry does not mount)
   * @param options - {@link OperationOptions}
   * @returns true when the content is now present; false when this source
   *   cannot be mounted from, and the caller must copy the bytes
   */
  mount(descriptor: Descriptor, source: unknown, options?: OperationOptions): Promise<boolean>;
}

/** A repository of a registry: where a blob was seen, and where a {@link Mounter} can mount it from. */
export interface RepositoryLocation {
  /** The registry host, such as `ghcr.io` or `localhost:5000`. */
  readonly registry: string;
  /** The repository path, such as `library/alpine`. */
  readonly repository: string;
}

/**
 * A Target that is a repository of a registry (optional capability), so a
 * copy can remember where blobs were seen and mount them from there later.
 */
export interface Located {
  /** Where it is. */
  readonly location: RepositoryLocation;
}

/** Options of {@link RangeFetcher.fetchRange}. */
export interface RangeFetchOptions extends OperationOptions {
  /** The first byte to return. */
  offset: number;
  /**
   * The most bytes to return (a part of the content, such as one `Range`
   * of a parallel download); a fetcher may ignore it and return the rest,
   * so the consumer reads only what it asked for.
   * @default to the end
   */
  length?: number;
}

/**
 * A fetcher that can start mid-content, to resume an interrupted copy
 * (optional capability). The stream is not verified (a digest covers whole
 * content only): the consumer verifies what it assembles.
 */
export interface RangeFetcher {
  /**
   * @param descriptor - what to read
   * @param options - {@link RangeFetchOptions}
   * @returns the bytes from `offset` to the end
   */
  fetchRange(
    descriptor: Descriptor,
    options: RangeFetchOptions,
  ): Promise<ReadableStream<Uint8Array>>;
}

/**
 * A pusher that keeps the bytes of an interrupted push and can continue it
 * (optional capability).
 */
export interface ResumablePusher {
  /**
   * @param descriptor - the content being pushed
   * @param options - {@link OperationOptions}
   * @returns how many bytes of it are already held; 0 when none
   */
  resumeOffset(descriptor: Descriptor, options?: OperationOptions): Promise<number>;
  /**
   * Continues a push: `content` ({@link BlobContent}) holds the bytes from
   * `offset` on; the whole is verified before it is committed.
   */
  pushFrom(descriptor: Descriptor, content: BlobContent, options: RangeFetchOptions): Promise<void>;
}
