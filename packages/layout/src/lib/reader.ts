import type {
  Fetcher,
  OperationOptions,
  ReferrerListOptions,
  TagListOptions,
} from '@ocikit/content';
import { fetchBytes, matchesReferrerFilter } from '@ocikit/content';
import { abortError, type Digest, isDigest, isOciError, OciError } from '@ocikit/digest';
import {
  DEFAULT_MAX_MANIFEST_SIZE,
  type Descriptor,
  type ImageIndex,
  isManifestMediaType,
  manifestSubject,
  type ParsedManifest,
  parseManifest,
  referrerDescriptor,
} from '@ocikit/spec';
import { findLayoutEntry, layoutTags } from './index-json.ts';

/** What a {@link LayoutReader} reads: a layout's index and blobs. */
export interface LayoutSource extends Fetcher {
  /**
   * Reads the current `index.json`.
   * @throws {OciError} `LAYOUT_INVALID`
   */
  readIndex(options?: OperationOptions): Promise<ImageIndex>;
  /**
   * The size of a blob, or `undefined` when the layout does not hold it.
   */
  blobSize(digest: Digest, options?: OperationOptions): Promise<number | undefined>;
}

/** What a manifest says about the graph, kept per digest (manifests never change). */
export interface ManifestInfo {
  /** The manifest as the referrers API lists it (`undefined` for schema 1). */
  readonly referrer: Descriptor | undefined;
  /** Its `subject`, if any. */
  readonly subject: Descriptor | undefined;
  /** The manifests an index lists; empty for an image manifest. */
  readonly children: readonly Descriptor[];
}

const MAX_CACHED = 10_000;

/**
 * The read side every layout shares (a directory, a tar file): resolving
 * references, listing tags and finding referrers, over a {@link LayoutSource}.
 * Parsed manifests are cached by digest.
 */
export class LayoutReader {
  readonly #source: LayoutSource;
  readonly #cache = new Map<string, ManifestInfo>();

  /** @param source - the layout's index and blobs */
  constructor(source: LayoutSource) {
    this.#source = source;
  }

  /**
   * Resolves a tag (see `layoutEntryTag`) or a digest. A digest listed in
   * `index.json` resolves to that entry; any other digest resolves when the
   * blob is a manifest, which is then read to learn its media type.
   *
   * @param reference - a tag or a digest
   * @param options - {@link OperationOptions}
   * @returns `mediaType`, `digest`, `size`, and the entry's `platform` and
   *   `artifactType` when it has them
   * @throws {OciError} `MANIFEST_UNKNOWN` when nothing is known by that reference
   */
  async resolve(reference: string, options: OperationOptions = {}): Promise<Descriptor> {
    if (options.signal?.aborted) throw abortError(options.signal);
    const index = await this.#source.readIndex(options);
    if (isDigest(reference)) {
      const listed = index.manifests.find((entry) => entry.digest === reference);
      if (listed) return coreDescriptor(listed);
      return this.#resolveBlob(reference, options);
    }
    const entry = findLayoutEntry(index, reference);
    if (!entry) {
      throw new OciError('MANIFEST_UNKNOWN', `There is no tag "${reference}" in the layout`);
    }
    return coreDescriptor(entry);
  }

  /**
   * Lists the tags, each once, in code-unit order.
   *
   * @param options - {@link TagListOptions}
   * @returns the tags after `last`
   */
  async *tags(options: TagListOptions = {}): AsyncIterable<string> {
    const index = await this.#source.readIndex(options);
    for (const tag of layoutTags(index)) {
      if (options.signal?.aborted) throw abortError(options.signal);
      if (options.last === undefined || tag > options.last) yield tag;
    }
  }

  /**
   * Finds the manifests whose `subject` is `subject`: among the entries of
   * `index.json` and every manifest reachable from them through indexes.
   * Entries whose manifest is missing, or is not a manifest, are skipped;
   * stored bytes that do not match their digest fail the listing.
   *
   * @param subject - the manifest referred to
   * @param options - {@link ReferrerListOptions}
   * @returns the referrers as the referrers API lists them, each once
   * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers
   */
  async *referrers(
    subject: Descriptor,
    options: ReferrerListOptions = {},
  ): AsyncIterable<Descriptor> {
    const index = await this.#source.readIndex(options);
    const seen = new Set<string>();
    const queue = [...index.manifests];
    for (let node = queue.shift(); node; node = queue.shift()) {
      if (options.signal?.aborted) throw abortError(options.signal);
      if (seen.has(node.digest) || !isManifestMediaType(node.mediaType)) continue;
      seen.add(node.digest);
      const info = await this.manifestInfo(node, options).catch((error: unknown) => {
        // An entry whose blob is not a manifest is no referrer; wrong bytes still fail.
        if (isOciError(error, 'MANIFEST_INVALID') || isOciError(error, 'UNSUPPORTED_MEDIA_TYPE')) {
          return undefined;
        }
        throw error;
      });
      if (!info) continue;
      queue.push(...info.children);
      const referrer = info.referrer;
      if (info.subject?.digest !== subject.digest || !referrer) continue;
      if (matchesReferrerFilter(referrer, options)) yield referrer;
    }
  }

  /**
   * Reads (or recalls) what a manifest says about the graph.
   *
   * @param descriptor - a manifest
   * @param options - {@link OperationOptions}
   * @returns its info, or `undefined` when the layout does not hold it
   * @throws {OciError} `DIGEST_MISMATCH` and the like when the stored bytes are wrong
   */
  async manifestInfo(
    descriptor: Descriptor,
    options: OperationOptions = {},
  ): Promise<ManifestInfo | undefined> {
    const cached = this.#cache.get(descriptor.digest);
    if (cached) return cached;
    const size = await this.#source.blobSize(descriptor.digest, options);
    if (size === undefined || size !== descriptor.size) return undefined;
    const bytes = await fetchBytes(this.#source, descriptor, options);
    return this.remember(parseManifest(bytes, { expectedDigest: descriptor.digest }));
  }

  /**
   * Records a manifest that was just read or written.
   *
   * @param manifest - the parsed manifest
   * @returns its info
   */
  remember(manifest: ParsedManifest): ManifestInfo {
    const info: ManifestInfo =
      manifest.kind === 'schema1'
        ? { referrer: undefined, subject: undefined, children: [] }
        : {
            referrer: referrerDescriptor(manifest),
            subject: manifestSubject(manifest),
            children:
              manifest.kind === 'index'
                ? manifest.value.manifests.filter((child) => isManifestMediaType(child.mediaType))
                : [],
          };
    if (this.#cache.size >= MAX_CACHED) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    this.#cache.set(manifest.digest, info);
    return info;
  }

  /**
   * Forgets a manifest (after it was deleted).
   *
   * @param digest - its digest
   */
  forget(digest: string): void {
    this.#cache.delete(digest);
  }

  /** A digest that `index.json` does not list: a manifest blob, or nothing. */
  async #resolveBlob(digest: Digest, options: OperationOptions): Promise<Descriptor> {
    const unknown = (why: string, cause?: unknown) =>
      new OciError('MANIFEST_UNKNOWN', `Manifest ${digest} is not in the layout: ${why}`, {
        cause,
      });
    const size = await this.#source.blobSize(digest, options);
    if (size === undefined) throw unknown('there is no such blob');
    if (size > DEFAULT_MAX_MANIFEST_SIZE) throw unknown('the blob is too large to be a manifest');
    const blob: Descriptor = { mediaType: 'application/octet-stream', digest, size };
    const bytes = await fetchBytes(this.#source, blob, options);
    let manifest: ParsedManifest;
    try {
      manifest = parseManifest(bytes, { expectedDigest: digest });
    } catch (error) {
      if (error instanceof OciError && error.code === 'DIGEST_MISMATCH') throw error;
      throw unknown('the blob is not a manifest', error);
    }
    this.remember(manifest);
    const artifactType = manifest.kind === 'schema1' ? undefined : manifest.value.artifactType;
    return {
      ...manifest.descriptor,
      ...(artifactType === undefined ? {} : { artifactType }),
    };
  }
}

/** The members of an entry a resolve returns: no annotations (they are the layout's bookkeeping). */
function coreDescriptor(entry: Descriptor): Descriptor {
  const { mediaType, digest, size, platform, artifactType } = entry;
  return {
    mediaType,
    digest,
    size,
    ...(platform === undefined ? {} : { platform }),
    ...(artifactType === undefined ? {} : { artifactType }),
  };
}
