import {
  abortError,
  createVerifyStream,
  isDigest,
  OciError,
  streamFromBytes,
} from '@ocikit/digest';
import {
  type Descriptor,
  isManifestMediaType,
  manifestSubject,
  parseManifest,
  referrerDescriptor,
} from '@ocikit/spec';
import { type BlobContent, contentStream } from './blob-content.ts';
import type {
  Deleter,
  OperationOptions,
  RangeFetcher,
  RangeFetchOptions,
  ReferrerLister,
  ReferrerListOptions,
  TagLister,
  TagListOptions,
  Target,
  Untagger,
} from './interfaces.ts';
import { notFound } from './not-found.ts';
import { pushFailure } from './push-failure.ts';
import { readVerified } from './read-write.ts';
import { matchesReferrerFilter } from './referrer-filter.ts';
import { assertTag } from './tag.ts';

interface StoredContent {
  readonly descriptor: Descriptor;
  readonly bytes: Uint8Array;
}

/**
 * A {@link Target} in memory, for tests and small jobs: content by digest,
 * tags, and referrers (manifests pushed with a `subject` are indexed). Every
 * push is verified before it is kept.
 */
export class MemoryStore
  implements Target, TagLister, ReferrerLister, Deleter, Untagger, RangeFetcher
{
  readonly #content = new Map<string, StoredContent>();
  readonly #tags = new Map<string, Descriptor>();
  /** subject digest → referrer digest → referrer descriptor */
  readonly #referrers = new Map<string, Map<string, Descriptor>>();

  /** {@inheritDoc Fetcher.fetch} */
  async fetch(
    descriptor: Descriptor,
    options: OperationOptions = {},
  ): Promise<ReadableStream<Uint8Array>> {
    const stored = this.#get(descriptor, options);
    return streamFromBytes(stored.bytes).pipeThrough(createVerifyStream(descriptor));
  }

  /** {@inheritDoc RangeFetcher.fetchRange} */
  async fetchRange(
    descriptor: Descriptor,
    options: RangeFetchOptions,
  ): Promise<ReadableStream<Uint8Array>> {
    return streamFromBytes(this.#get(descriptor, options).bytes.subarray(options.offset));
  }

  /** {@inheritDoc ExistenceChecker.exists} */
  async exists(descriptor: Descriptor, options: OperationOptions = {}): Promise<boolean> {
    if (options.signal?.aborted) throw abortError(options.signal);
    return this.#content.get(descriptor.digest)?.descriptor.size === descriptor.size;
  }

  /** {@inheritDoc Pusher.push} */
  async push(
    descriptor: Descriptor,
    content: BlobContent,
    options: OperationOptions = {},
  ): Promise<void> {
    const stream = contentStream(content);
    if (options.signal?.aborted) {
      await stream.cancel();
      throw abortError(options.signal);
    }
    if (await this.exists(descriptor)) {
      await stream.cancel();
      return;
    }
    const bytes = await readVerified(descriptor, stream, options).catch((error: unknown) => {
      throw pushFailure(error, descriptor, 'the memory store');
    });
    if (isManifestMediaType(descriptor.mediaType)) this.#indexReferrer(descriptor, bytes);
    this.#content.set(descriptor.digest, { descriptor: plain(descriptor), bytes });
  }

  /** {@inheritDoc Resolver.resolve} */
  async resolve(reference: string, options: OperationOptions = {}): Promise<Descriptor> {
    if (options.signal?.aborted) throw abortError(options.signal);
    const found = isDigest(reference)
      ? this.#content.get(reference)?.descriptor
      : this.#tags.get(reference);
    if (!found) {
      throw new OciError('MANIFEST_UNKNOWN', `Nothing is known as "${reference}" in the store`);
    }
    return found;
  }

  /** {@inheritDoc Tagger.tag} */
  async tag(
    descriptor: Descriptor,
    reference: string,
    options: OperationOptions = {},
  ): Promise<void> {
    assertTag(reference);
    const stored = this.#get(descriptor, options);
    this.#tags.set(reference, stored.descriptor);
  }

  /** {@inheritDoc Untagger.untag} */
  async untag(reference: string, options: OperationOptions = {}): Promise<void> {
    if (options.signal?.aborted) throw abortError(options.signal);
    if (!this.#tags.delete(reference)) {
      throw new OciError('MANIFEST_UNKNOWN', `There is no tag "${reference}" in the store`);
    }
  }

  /** {@inheritDoc TagLister.tags} */
  async *tags(options: TagListOptions = {}): AsyncIterable<string> {
    for (const tag of [...this.#tags.keys()].sort()) {
      if (options.signal?.aborted) throw abortError(options.signal);
      if (options.last === undefined || tag > options.last) yield tag;
    }
  }

  /** {@inheritDoc ReferrerLister.referrers} */
  async *referrers(
    subject: Descriptor,
    options: ReferrerListOptions = {},
  ): AsyncIterable<Descriptor> {
    for (const referrer of this.#referrers.get(subject.digest)?.values() ?? []) {
      if (options.signal?.aborted) throw abortError(options.signal);
      if (matchesReferrerFilter(referrer, options)) yield referrer;
    }
  }

  /**
   * Implements {@link Deleter.delete}.
   *
   * Tags pointing at a deleted manifest go with it.
   */
  async delete(descriptor: Descriptor, options: OperationOptions = {}): Promise<void> {
    this.#get(descriptor, options);
    this.#content.delete(descriptor.digest);
    for (const [tag, target] of this.#tags) {
      if (target.digest === descriptor.digest) this.#tags.delete(tag);
    }
    for (const referrers of this.#referrers.values()) referrers.delete(descriptor.digest);
  }

  #get(descriptor: Descriptor, options: OperationOptions): StoredContent {
    if (options.signal?.aborted) throw abortError(options.signal);
    const stored = this.#content.get(descriptor.digest);
    if (!stored) throw notFound(descriptor);
    return stored;
  }

  #indexReferrer(descriptor: Descriptor, bytes: Uint8Array): void {
    const manifest = parseManifest(bytes, { contentType: descriptor.mediaType });
    const subject = manifestSubject(manifest);
    if (!subject) return;
    const referrers = this.#referrers.get(subject.digest) ?? new Map<string, Descriptor>();
    referrers.set(descriptor.digest, referrerDescriptor(manifest));
    this.#referrers.set(subject.digest, referrers);
  }
}

/** The core fields of a descriptor, as a store records what it holds. */
function plain(descriptor: Descriptor): Descriptor {
  const { mediaType, digest, size, artifactType, annotations } = descriptor;
  return {
    mediaType,
    digest,
    size,
    ...(artifactType === undefined ? {} : { artifactType }),
    ...(annotations === undefined ? {} : { annotations }),
  };
}
