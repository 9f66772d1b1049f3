import {
  assertTag,
  type BlobContent,
  contentStream,
  type Deleter,
  isNotFound,
  isRepositoryLocation,
  type Located,
  type Mounter,
  type OperationOptions,
  pushFailure,
  type RangeFetcher,
  type RangeFetchOptions,
  type ReferrerLister,
  type ReferrerListOptions,
  type RepositoryLocation,
  type TagLister,
  type Target,
  type Untagger,
} from '@ocikit/content';
import {
  abortError,
  OciError,
  parseDigest,
  readBytes,
  streamFromBytes,
  streamFromVerifiedBytes,
  verifyContent,
} from '@ocikit/digest';
import { type Descriptor, type ParsedManifest, parseManifest } from '@ocikit/spec';
import { fetchBlob, fetchBlobRange, headBlob } from './blobs-get.ts';
import { pushBlob } from './blobs-upload.ts';
import { Client, SHARED_CLIENT } from './client.ts';
import { deleteByDigest } from './delete.ts';
import {
  acceptedTags,
  checkManifestContent,
  type FetchedManifest,
  fetchManifest,
  headManifest,
  type ManifestContent,
  type ManifestReadOptions,
  putManifest,
} from './manifests.ts';
import { type MountResult, mountBlob } from './mount.ts';
import { locateReference, locateRepository, type RepositoryLocator } from './name.ts';
import { type RepositoryContext, type RepositoryOptions, repositorySettings } from './options.ts';
import type { RateLimit } from './rate-limit.ts';
import { indexReferrer, listReferrers, subjectToUnindex, unindexReferrer } from './referrers.ts';
import { type ListTagsOptions, listTags } from './tags.ts';
import { untag } from './untag.ts';
import { resumeUpload, startUpload, Upload, type UploadSession } from './upload-session.ts';

/** Options of {@link Repository.getManifest} and {@link Repository.fetchManifest}. */
export interface GetManifestOptions extends OperationOptions {
  /**
   * More media types to accept, besides the repository's `manifestMediaTypes`.
   * @default []
   */
  accept?: readonly string[];
}

/** Options of {@link Repository.resolve}. */
export interface ResolveOptions extends OperationOptions {
  /**
   * `GET` the manifest instead of `HEAD`, verified, and keep its bytes for
   * the next {@link Repository.fetch} of that digest: one round trip for a
   * resolve and a read (a copy's). On Docker Hub a `GET` counts against the
   * pull limit and a `HEAD` does not: leave it off to only look.
   * @default false
   */
  fetch?: boolean;
}

/** Options of {@link Repository.putManifest}. */
export interface PutManifestOptions extends OperationOptions {
  /**
   * The tags to point at the manifest, in one call: one tag is one `PUT`
   * by tag; several are one `PUT` by digest with `?tag=` (OCI 1.1) and a
   * `PUT` by tag for each one the registry did not confirm in `OCI-Tag`.
   * @default [] (pushed by digest only)
   */
  tags?: readonly string[];
}

/** Options of {@link Repository.pushBlob}. */
export interface PushBlobOptions extends OperationOptions {
  /**
   * The chunk buffer, in bytes.
   * @default the repository's `chunkSize` (8 MiB)
   */
  chunkSize?: number;
  /**
   * Send the blob in one streamed `PUT` (true) or through the chunk buffer (false).
   * @default streamed when the repository's `streamUploads` is on (the default) and the blob is larger than a chunk
   */
  streamed?: boolean;
  /**
   * Continue this session; `content` then holds the bytes from
   * `session.offset` on, and the session is left open if the push fails.
   * @default a new session, cancelled if the push fails
   */
  session?: UploadSession;
  /**
   * Called after each `PATCH` chunk the registry took, with the session
   * (record its `location` to resume from there, even in another process);
   * awaited before the next chunk. Chunked uploads only (`streamed: false`).
   */
  onAppend?: (session: UploadSession) => void | Promise<void>;
}

/**
 * A repository on a registry, the OCI distribution-spec 1.1 client at the
 * name level: manifests (get, head, put with several tags, delete), blobs
 * (verified streams with `Range` resume, monolithic, chunked and resumable
 * uploads, cross-repository mounts), tags (paginated, removal without
 * touching the image), referrers (API with the tag-schema fallback, kept up
 * to date on push and delete).
 *
 * It is a `Target` of `@ocikit/content` (with `TagLister`,
 * `ReferrerLister`, `Deleter`, `Untagger`, `Mounter` and `RangeFetcher`),
 * so `@ocikit/transfer` copies to and from it like any other store.
 *
 * Every method takes a `signal`. Errors are `OciError`s with the registry's
 * code (`MANIFEST_UNKNOWN`, `DENIED`, …) or a client code
 * (`DIGEST_MISMATCH`, `SIZE_EXCEEDED`, …) and the HTTP status.
 *
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md
 */
export class Repository
  implements Target, TagLister, ReferrerLister, Deleter, Untagger, Mounter, RangeFetcher, Located
{
  /** The registry host, such as `ghcr.io` or `docker.io`. */
  readonly registry: string;
  /** The repository path, such as `library/alpine` (without the registry: `String(repository)` has both). */
  readonly name: string;
  readonly #context: RepositoryContext;
  /** A manifest {@link Repository.resolve} fetched, until {@link Repository.fetch} takes it. */
  #resolved: { digest: string; bytes: Uint8Array } | undefined;

  /** {@inheritDoc @ocikit/content!Located.location} */
  get location(): RepositoryLocation {
    return { registry: this.registry, repository: this.name };
  }

  /**
   * @param repository - `registry.example.com/ns/app` (normalized as Docker
   *   does: `alpine` is `docker.io/library/alpine`), or `{ registry, repository }`;
   *   a reference with a tag or digest is refused: open it with
   *   {@link Repository.fromReference}
   * @param options - {@link RepositoryOptions}
   * @throws {OciError} `REFERENCE_INVALID` (also for a tag or digest),
   *   `NAME_INVALID`, `OPTION_INVALID`
   */
  constructor(repository: string | RepositoryLocator, options: RepositoryOptions = {}) {
    const { registry, name } = locateRepository(repository);
    const shared = (options as { [SHARED_CLIENT]?: Client })[SHARED_CLIENT];
    this.registry = registry;
    this.name = name;
    this.#context = {
      client: shared ?? new Client(registry, options),
      name,
      display: `${registry}/${name}`,
      settings: repositorySettings(options),
      referrersApi: undefined,
    };
  }

  /**
   * Opens the repository of a full image reference and keeps what it points
   * at, as `docker pull` reads it: the digest when there is one, else the
   * tag, else `latest`.
   *
   * ```ts no-run
   * const { repository, reference } = Repository.fromReference('ghcr.io/org/app:v1');
   * const manifest = await repository.getManifest(reference); // 'v1'
   * ```
   *
   * @param reference - such as `ghcr.io/org/app:v1` or `alpine@sha256:…`
   *   (normalized as Docker does), or a parsed `Reference` of `@ocikit/reference`
   * @param options - {@link RepositoryOptions}
   * @returns the repository, and the tag or digest to pass to `resolve`,
   *   `getManifest` and the like
   * @throws {OciError} `REFERENCE_INVALID`, `NAME_INVALID`, `OPTION_INVALID`
   */
  static fromReference(
    reference: string | RepositoryLocator,
    options: RepositoryOptions = {},
  ): { repository: Repository; reference: string } {
    const located = locateReference(reference);
    const repository = new Repository(
      { registry: located.registry, repository: located.name },
      options,
    );
    return { repository, reference: located.reference };
  }

  /** The last rate limit the registry announced (Docker Hub's `ratelimit-*` headers), if any. */
  get rateLimit(): RateLimit | undefined {
    return this.#context.client.rateLimit;
  }

  /** The distinct `Warning`s the registry sent so far (shared with the {@link Registry} that made this). */
  get warnings(): readonly string[] {
    return this.#context.client.warnings;
  }

  /** @returns `registry/name`, the name shown to people */
  toString(): string {
    return this.#context.display;
  }

  #isManifest(descriptor: Descriptor): boolean {
    return this.#context.settings.manifestMediaTypes.includes(descriptor.mediaType);
  }

  // ---- manifests --------------------------------------------------------

  /**
   * Resolves a tag or digest to the descriptor of its manifest (`HEAD`,
   * with a verified `GET` when the registry leaves out the digest, type or
   * size; with `fetch`, a verified `GET` whose bytes the next
   * {@link Repository.fetch} of the manifest takes).
   *
   * @param reference - a tag or a digest
   * @param options - {@link ResolveOptions}
   * @returns the manifest's descriptor
   * @throws {OciError} `MANIFEST_UNKNOWN`; `TAG_INVALID`, `DIGEST_INVALID`;
   *   `DIGEST_MISMATCH`; with `fetch`, `SIZE_EXCEEDED`
   * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#checking-if-content-exists-in-the-registry
   */
  async resolve(reference: string, options: ResolveOptions = {}): Promise<Descriptor> {
    if (!options.fetch) return headManifest(this.#context, reference, { signal: options.signal });
    const { descriptor, bytes } = await fetchManifest(this.#context, reference, {
      signal: options.signal,
    });
    this.#resolved = { digest: descriptor.digest, bytes };
    return descriptor;
  }

  /**
   * Gets a manifest's exact bytes, verified: against the digest when the
   * reference is one, else against `Docker-Content-Digest`; its size is
   * capped while it is read (`maxManifestSize`). Every type in
   * `manifestMediaTypes` is accepted.
   *
   * @param reference - a tag or a digest
   * @param options - {@link GetManifestOptions}
   * @returns the bytes and their descriptor (media type from `Content-Type`)
   * @throws {OciError} `MANIFEST_UNKNOWN`; `DIGEST_MISMATCH`; `SIZE_EXCEEDED`
   * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests
   */
  fetchManifest(reference: string, options: GetManifestOptions = {}): Promise<FetchedManifest> {
    return fetchManifest(this.#context, reference, readOptions(options));
  }

  /**
   * Gets a manifest, verified as {@link Repository.fetchManifest}, and parses it.
   *
   * @param reference - a tag or a digest
   * @param options - {@link GetManifestOptions}
   * @returns the parsed manifest (`kind`, `value`, `bytes`, `descriptor`)
   * @throws {OciError} as {@link Repository.fetchManifest}; `MANIFEST_INVALID`,
   *   `UNSUPPORTED_MEDIA_TYPE` for a manifest `@ocikit/spec` cannot read
   */
  async getManifest(reference: string, options: GetManifestOptions = {}): Promise<ParsedManifest> {
    const { descriptor, bytes } = await this.fetchManifest(reference, options);
    return parseManifest(bytes, {
      contentType: descriptor.mediaType,
      maxSize: this.#context.settings.maxManifestSize,
      expectedDigest: descriptor.digest,
    });
  }

  /**
   * Pushes a manifest as its exact bytes with its media type as
   * `Content-Type`, by digest or under one or more tags. A manifest of a
   * type `@ocikit/spec` knows is validated first. When it has a `subject`
   * and the registry does not answer `OCI-Subject`, the subject's referrers
   * index under the referrers tag is updated (see `referrers` option).
   *
   * @param manifest - `{ bytes, mediaType }` (a `ParsedManifest` is one)
   * @param options - {@link PutManifestOptions}
   * @returns the manifest's descriptor
   * @throws {OciError} `MANIFEST_INVALID`, `MANIFEST_BLOB_UNKNOWN`,
   *   `TAG_INVALID`, `SIZE_EXCEEDED`, `DENIED`; `DIGEST_MISMATCH` when the
   *   registry stored other bytes
   * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-manifests
   */
  async putManifest(
    manifest: ManifestContent,
    options: PutManifestOptions = {},
  ): Promise<Descriptor> {
    const context = this.#context;
    const { signal } = options;
    const tags = [...new Set(options.tags ?? [])];
    for (const tag of tags) assertTag(tag);
    const { digest, parsed } = checkManifestContent(context, manifest);
    const [first, ...others] = tags;
    let response: Response;
    if (first === undefined || others.length === 0) {
      response = await putManifest(context, manifest, digest, {
        reference: first ?? digest,
        signal,
      });
    } else {
      response = await putManifest(context, manifest, digest, { reference: digest, tags, signal });
      const accepted = acceptedTags(response);
      for (const tag of tags) {
        if (!accepted.has(tag))
          await putManifest(context, manifest, digest, { reference: tag, signal });
      }
    }
    if (parsed !== undefined) await indexReferrer(context, parsed, response, signal);
    return Object.freeze({
      mediaType: manifest.mediaType,
      digest,
      size: manifest.bytes.byteLength,
    });
  }

  /**
   * Points a tag at a manifest that is in the repository (its bytes are
   * read and pushed again under the tag, as the API has no other way).
   *
   * @param descriptor - the manifest
   * @param reference - the tag; an existing tag of that name moves
   * @param options - `signal`
   * @throws {OciError} `TAG_INVALID`; `MANIFEST_UNKNOWN`; `DENIED`
   */
  async tag(
    descriptor: Descriptor,
    reference: string,
    options: OperationOptions = {},
  ): Promise<void> {
    assertTag(reference);
    const { signal } = options;
    const fetched = await fetchManifest(this.#context, descriptor.digest, {
      signal,
      accept: [descriptor.mediaType],
    });
    const content = { bytes: fetched.bytes, mediaType: fetched.descriptor.mediaType };
    const { digest } = checkManifestContent(this.#context, content);
    await putManifest(this.#context, content, digest, { reference, signal });
  }

  // ---- content (Target) -------------------------------------------------

  /**
   * Reads content as a stream verified against the descriptor (digest and
   * size) while it flows; a blob download that breaks off is resumed with
   * `Range`. A descriptor of a manifest type is read through the manifest
   * endpoint.
   *
   * @param descriptor - what to read
   * @param options - `signal`
   * @returns the verified stream
   * @throws {OciError} `BLOB_UNKNOWN`, `MANIFEST_UNKNOWN`; for a manifest
   *   (read whole first) `DIGEST_MISMATCH`, `SIZE_MISMATCH`; a blob's stream fails
   *   with `DIGEST_MISMATCH`, `SIZE_MISMATCH`, `SIZE_EXCEEDED`, `NETWORK_ERROR`
   * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-blobs
   */
  async fetch(
    descriptor: Descriptor,
    options: OperationOptions = {},
  ): Promise<ReadableStream<Uint8Array>> {
    if (!this.#isManifest(descriptor)) return fetchBlob(this.#context, descriptor, options);
    const resolved = this.#resolved;
    if (resolved?.digest === descriptor.digest) {
      this.#resolved = undefined;
      if (options.signal?.aborted) throw abortError(options.signal);
      return streamFromVerifiedBytes(resolved.bytes, descriptor);
    }
    const { bytes } = await fetchManifest(this.#context, descriptor.digest, {
      signal: options.signal,
      accept: [descriptor.mediaType],
    });
    return streamFromVerifiedBytes(bytes, descriptor);
  }

  /**
   * Reads content from a byte offset on, to resume an interrupted copy; not
   * verified (the consumer verifies the whole). A server that ignores `Range`
   * is handled by dropping the bytes before the offset.
   *
   * @param descriptor - what to read
   * @param options - `offset`, `length` (the most bytes, asked for as a
   *   bounded `Range`; to the end by default), `signal`
   * @returns the bytes from `offset` on (to the end, or `length` of them)
   * @throws {OciError} `RANGE_INVALID` for an offset outside the content; as {@link Repository.fetch}
   */
  async fetchRange(
    descriptor: Descriptor,
    options: RangeFetchOptions,
  ): Promise<ReadableStream<Uint8Array>> {
    if (!this.#isManifest(descriptor)) {
      return fetchBlobRange(this.#context, descriptor, options.offset, options);
    }
    const { offset } = options;
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > descriptor.size) {
      throw new OciError(
        'RANGE_INVALID',
        `Offset ${offset} is outside manifest ${descriptor.digest}`,
      );
    }
    const bytes = await readBytes(await this.fetch(descriptor, options), {
      maxBytes: descriptor.size,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return streamFromBytes(bytes.subarray(offset));
  }

  /**
   * Tells whether content is in the repository (`HEAD`).
   *
   * @param descriptor - what to look for (by digest; a manifest type goes to the manifest endpoint)
   * @param options - `signal`
   * @returns whether the registry has it
   * @throws {OciError} transport and registry errors other than not-found
   */
  async exists(descriptor: Descriptor, options: OperationOptions = {}): Promise<boolean> {
    const { signal } = options;
    const digest = parseDigest(descriptor.digest).digest;
    if (!this.#isManifest(descriptor)) {
      return (await headBlob(this.#context, digest, signal)) !== undefined;
    }
    try {
      await headManifest(this.#context, digest, { signal, accept: [descriptor.mediaType] });
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /**
   * Writes content: a descriptor of a manifest type is pushed as a
   * manifest by digest (read into memory, at most `maxManifestSize`), any
   * other as a blob ({@link Repository.pushBlob}). Content that does not
   * match the descriptor fails the push and nothing is committed; pushing
   * content that exists succeeds.
   *
   * @param descriptor - digest, size and media type of the content
   * @param content - the bytes: a stream (consumed or cancelled in every case), a `Uint8Array` or a `Blob`
   * @param options - `signal`
   * @throws {OciError} `DIGEST_MISMATCH`, `SIZE_MISMATCH`, `SIZE_EXCEEDED`;
   *   the registry's `DIGEST_INVALID`, `MANIFEST_INVALID`, `DENIED`; `ABORTED`
   */
  async push(
    descriptor: Descriptor,
    content: BlobContent,
    options: OperationOptions = {},
  ): Promise<void> {
    if (!this.#isManifest(descriptor)) {
      await this.pushBlob(descriptor, content, { signal: options.signal });
      return;
    }
    const { signal } = options;
    const stream = contentStream(content);
    let bytes: Uint8Array;
    try {
      if (signal?.aborted) throw abortError(signal);
      const limit = this.#context.settings.maxManifestSize;
      if (descriptor.size > limit) {
        throw new OciError(
          'SIZE_EXCEEDED',
          `Manifest ${descriptor.digest} is ${descriptor.size} bytes, over the ${limit}-byte limit`,
        );
      }
      bytes = await readBytes(verifyContent(stream, descriptor), {
        maxBytes: descriptor.size,
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      throw pushFailure(error, descriptor, String(this));
    } finally {
      await stream.cancel().catch(() => {});
    }
    await this.putManifest(
      { bytes, mediaType: descriptor.mediaType, digest: descriptor.digest },
      options,
    );
  }

  /**
   * Deletes a manifest (with, on distribution, every tag pointing at it)
   * or a blob, by digest. Deleting a manifest with a `subject` on a registry
   * without the referrers API also removes it from the subject's referrers
   * index. Needs the `delete` permission and a registry with deletes enabled.
   *
   * @param descriptor - what to delete (a manifest type goes to the manifest endpoint)
   * @param options - `signal`
   * @throws {OciError} `MANIFEST_UNKNOWN`, `BLOB_UNKNOWN`; `UNSUPPORTED`
   *   where deletes are disabled; `DENIED`
   * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#content-management
   */
  async delete(descriptor: Descriptor, options: OperationOptions = {}): Promise<void> {
    const context = this.#context;
    const { signal } = options;
    const digest = parseDigest(descriptor.digest).digest;
    if (!this.#isManifest(descriptor)) {
      await deleteByDigest(context, 'blob', digest, signal);
      return;
    }
    const subject = await subjectToUnindex(context, descriptor, async () => {
      const fetched = await fetchManifest(context, digest, {
        signal,
        accept: [descriptor.mediaType],
      });
      return fetched.bytes;
    });
    await deleteByDigest(context, 'manifest', digest, signal);
    if (subject !== undefined) await unindexReferrer(context, subject, digest, signal);
  }

  // ---- blobs ------------------------------------------------------------

  /**
   * Asks the registry about a blob (`HEAD`).
   *
   * @param digest - the blob's digest
   * @param options - `signal`
   * @returns its descriptor: digest, size (`Content-Length`), media type (`Content-Type`)
   * @throws {OciError} `BLOB_UNKNOWN`; `DIGEST_MISMATCH`; `RESPONSE_INVALID`
   *   when the registry does not say the size
   */
  async statBlob(digest: string, options: OperationOptions = {}): Promise<Descriptor> {
    const checked = parseDigest(digest).digest;
    const head = await headBlob(this.#context, checked, options.signal);
    if (head === undefined) {
      throw new OciError('BLOB_UNKNOWN', `Blob ${checked} is not in ${this}`, { status: 404 });
    }
    if (head.size === undefined) {
      throw new OciError(
        'RESPONSE_INVALID',
        `The registry did not say the size of blob ${checked} in ${this} (no Content-Length)`,
        { status: 200 },
      );
    }
    return Object.freeze({ mediaType: head.mediaType, digest: checked, size: head.size });
  }

  /**
   * Uploads a blob, never holding more of it than one chunk buffer
   * (`chunkSize`): a blob that fits is one `POST` and one `PUT`, a larger
   * one goes in `PATCH` chunks; every request is repeated after transient
   * failures. With `streamed` (the default for blobs larger than a chunk),
   * the blob goes in one streamed `PUT` instead.
   * The content is verified while it is read, and the end of the blob is
   * sent only once the whole has checked out, so wrong content fails and
   * nothing is committed.
   *
   * @param descriptor - digest and size of the content
   * @param content - the bytes (from `session.offset` on with a session): a
   *   stream (consumed or cancelled in every case), a `Uint8Array` or a `Blob`
   * @param options - {@link PushBlobOptions}
   * @throws {OciError} `DIGEST_MISMATCH`, `SIZE_MISMATCH`, `SIZE_EXCEEDED`;
   *   the registry's `DIGEST_INVALID`, `BLOB_UPLOAD_INVALID`, `DENIED`;
   *   `OPTION_INVALID` for a session not made by this package
   * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-blobs
   */
  async pushBlob(
    descriptor: Descriptor,
    content: BlobContent,
    options: PushBlobOptions = {},
  ): Promise<void> {
    const { session } = options;
    const stream = contentStream(content);
    if (session !== undefined && !(session instanceof Upload)) {
      await stream.cancel().catch(() => {});
      throw new OciError(
        'OPTION_INVALID',
        'session must come from startUpload, resumeUpload or mountBlob',
      );
    }
    await pushBlob(this.#context, descriptor, stream, {
      signal: options.signal,
      chunkSize: options.chunkSize,
      streamed: options.streamed,
      session,
      onAppend: options.onAppend,
    }).catch((error: unknown) => {
      throw pushFailure(error, descriptor, String(this));
    });
  }

  /**
   * Opens an upload session (`POST /v2/<name>/blobs/uploads/`), to push a
   * blob in steps and resume it later from its `location`.
   *
   * @param options - `signal`, and the digest `algorithm` when it is not sha256
   * @returns the session
   * @throws {OciError} `DENIED`; the registry's error
   * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-a-blob-in-chunks
   */
  startUpload(options: OperationOptions & { algorithm?: string } = {}): Promise<UploadSession> {
    return startUpload(this.#context, options);
  }

  /**
   * Picks up an upload session from its `location` and asks the registry
   * how far it got (`GET` → `Range`). Continue it with
   * `pushBlob(descriptor, rest, { session })`, where `rest` starts at `session.offset`.
   *
   * @param location - {@link UploadSession.location} of the session
   * @param options - `signal`
   * @returns the session, with its offset
   * @throws {OciError} `BLOB_UPLOAD_UNKNOWN`, `BLOB_UPLOAD_INVALID`
   * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-a-blob-in-chunks
   */
  resumeUpload(location: string, options: OperationOptions = {}): Promise<UploadSession> {
    return resumeUpload(this.#context, location, options.signal);
  }

  /**
   * Mounts a blob from another repository of the same registry, without
   * moving its bytes. When the registry cannot (`202`), the result carries
   * the upload session it opened: push the blob through it, or cancel it.
   *
   * @param descriptor - the blob
   * @param from - the repository path that has it
   * @param options - `signal`
   * @returns {@link MountResult}
   * @throws {OciError} `NAME_INVALID`; `DENIED`; the registry's error
   * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#mounting-a-blob-from-another-repository
   */
  mountBlob(
    descriptor: Descriptor,
    from: string,
    options: OperationOptions = {},
  ): Promise<MountResult> {
    return mountBlob(this.#context, descriptor, from, options.signal);
  }

  /**
   * Makes a blob of another repository of the same registry present here:
   * a cross-repository mount, or, when the registry opens an upload
   * instead, the bytes streamed from `source` through that session.
   *
   * @param descriptor - the blob
   * @param source - where it is now: a `Repository` on the same registry,
   *   or a {@link RepositoryLocation} there (a plain name cannot be read
   *   from: when the registry does not mount, its upload session is
   *   cancelled and the result is false)
   * @param options - `signal`
   * @returns true when the blob is now here; false when `source` cannot be
   *   mounted from (another registry, not a repository): copy the bytes
   * @throws {OciError} as {@link Repository.mountBlob} and {@link Repository.pushBlob}
   */
  async mount(
    descriptor: Descriptor,
    source: unknown,
    options: OperationOptions = {},
  ): Promise<boolean> {
    if (!(source instanceof Repository)) {
      if (!isRepositoryLocation(source) || source.registry !== this.registry) return false;
      const result = await this.mountBlob(descriptor, source.repository, options);
      if (!result.mounted) await result.session.cancel().catch(() => {});
      return result.mounted;
    }
    if (source.registry !== this.registry) return false;
    const result = await this.mountBlob(descriptor, source.name, options);
    if (result.mounted) return true;
    try {
      await this.pushBlob(descriptor, await source.fetch(descriptor, options), {
        ...options,
        session: result.session,
      });
    } catch (error) {
      await result.session.cancel().catch(() => {});
      throw error;
    }
    return true;
  }

  // ---- tags and referrers -----------------------------------------------

  /**
   * Lists the tags, page by page as the registry paginates (`Link`, or `n`
   * and `last`), deduplicated.
   *
   * @param options - `last`, `pageSize`, `signal`
   * @returns the tags, in the registry's order (lexical for most)
   * @throws {OciError} `NAME_UNKNOWN`; `REDIRECT_INVALID` for a `Link` to
   *   another origin; `SIZE_EXCEEDED` past `maxPages` pages
   * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-tags
   */
  tags(options: ListTagsOptions = {}): AsyncGenerator<string> {
    return listTags(this.#context, options);
  }

  /**
   * Removes a tag, never the image behind it or its other tags: the OCI 1.1
   * tag delete, or (with `untagFallback`) a throwaway manifest where the
   * registry refuses it.
   *
   * @param reference - the tag
   * @param options - `signal`
   * @throws {OciError} `MANIFEST_UNKNOWN`; `TAG_INVALID`; `UNSUPPORTED`
   *   (registry refuses and `untagFallback` is off); `DENIED`
   * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#deleting-tags
   */
  untag(reference: string, options: OperationOptions = {}): Promise<void> {
    return untag(this.#context, reference, options.signal);
  }

  /**
   * Lists the manifests that refer to a subject: the referrers API, or the
   * referrers tag schema where the registry has none.
   *
   * @param subject - the manifest referred to
   * @param options - `artifactType`, `signal`
   * @returns descriptors of the referrers, with `artifactType` and annotations
   * @throws {OciError} `NAME_UNKNOWN`; `UNSUPPORTED` in `api` mode without the API
   * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers
   */
  referrers(subject: Descriptor, options: ReferrerListOptions = {}): AsyncGenerator<Descriptor> {
    return listReferrers(this.#context, subject, options);
  }
}

function readOptions(options: GetManifestOptions): ManifestReadOptions {
  return { signal: options.signal, accept: options.accept };
}
