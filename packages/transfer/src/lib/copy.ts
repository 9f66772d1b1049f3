import {
  type ExistenceChecker,
  type Fetcher,
  fetchBytes,
  isLocated,
  isMounter,
  isReferrerLister,
  type Mounter,
  type Pusher,
  type RepositoryLocation,
  type Resolver,
  type Tagger,
} from '@ocikit/content';
import { abortError, OciError, relayStream, streamFromBytes } from '@ocikit/digest';
import {
  type Descriptor,
  isIndexMediaType,
  isManifestMediaType,
  isNondistributableMediaType,
  manifestChildren,
  type ParsedManifest,
  parseManifest,
} from '@ocikit/spec';
import { KnownLocations } from './blob-locations.ts';
import { labelled, onSide } from './errors.ts';
import { Limiter } from './limiter.ts';
import { type CopyOptions, type CopyResult, type Settings, settingsFrom } from './options.ts';
import { indexFor, selectEntries } from './platforms.ts';
import { Tally } from './progress.ts';
import { fetchRanged } from './ranged-download.ts';
import { uploadResumably, usesSessions } from './resumable-upload.ts';
import { fetchFrom, isResumeFailure, pushFrom, resumeOffset } from './resume.ts';
import { isTaggingManifestPusher } from './tagged-push.ts';

/** Where a copy reads: any Fetcher; a Resolver to start from a tag; a ReferrerLister for referrers. */
export type CopySource = Fetcher & Partial<Resolver>;

/** Where a copy writes: any Pusher with `exists`; a Tagger to set tags; a Mounter to mount. */
export type CopyDestination = Pusher & ExistenceChecker & Partial<Tagger>;

/** What to copy from where to where. */
export interface CopyRequest {
  /** The source, such as a registry `Repository`, an `OciLayout` or a `MemoryStore`. */
  from: CopySource;
  /** The destination. */
  to: CopyDestination;
  /** The root: a tag or digest the source resolves, or a manifest's descriptor. */
  reference: string | Descriptor;
}

/**
 * Copies a graph from one place to another: the root manifest, and below it
 * every manifest, config and layer, children before parents. Manifests are
 * pushed as the exact bytes that arrived (digests survive), each after its
 * children; tags are set last. A manifest the destination already has is
 * taken to come with its graph (one `exists`, nothing below it fetched),
 * unless referrers are copied or an index is filtered by platform. A blob
 * the destination can mount (a cross-repository mount on one registry) is
 * mounted, one request, the mounts of a copy within one registry running
 * up to 4 × `concurrency` at once, as they move no bytes (a blob the
 * registry does not mount is then sent within `concurrency`);
 * any other blob it has costs one `exists`; a blob two manifests share moves once. Every byte is verified before the destination commits
 * it, and a blob's bytes are hashed once: the source's fetch verifies them
 * and the destination, seeing a self-verifying stream (`verifyContent` of
 * `@ocikit/digest`), only counts them. On the first failure, or when `signal` fires, the rest of the copy is
 * cancelled and awaited before the error is thrown.
 *
 * @param request - {@link CopyRequest}
 * @param options - {@link CopyOptions}
 * @returns {@link CopyResult}
 * @throws {TransferError} with the code of what failed and `origin`
 *   (`source` or `destination`): `MANIFEST_UNKNOWN`/`BLOB_UNKNOWN` for missing
 *   content, `DIGEST_MISMATCH` for content that is not what its digest says
 *   (nothing of it is committed), `SIZE_EXCEEDED` for a manifest over
 *   `maxManifestSize`, `PLATFORM_NOT_FOUND`, `ABORTED`
 * @throws {OciError} `ABORTED` when `signal` fires; `OPTION_INVALID` for a
 *   bad option, or tags/referrers asked of a side that cannot set/list them
 */
export async function copy(request: CopyRequest, options: CopyOptions = {}): Promise<CopyResult> {
  const settings = settingsFrom(options);
  const { from, to, reference } = request;
  const tags =
    options.tags ?? (typeof reference === 'string' && !reference.includes(':') ? [reference] : []);
  if (tags.length > 0 && typeof to.tag !== 'function') {
    throw new OciError('OPTION_INVALID', 'The destination cannot set tags; pass tags: []');
  }
  if (settings.referrers && !isReferrerLister(from)) {
    throw new OciError('OPTION_INVALID', 'The source cannot list referrers; leave referrers out');
  }
  const locations = new KnownLocations(options.blobLocations, from, to);
  const tally = new Tally(options.onProgress, settings.progressIntervalMs);
  const controller = new AbortController();
  const outer = options.signal;
  const onAbort = () => controller.abort(outer?.reason);
  if (outer?.aborted) throw abortError(outer);
  outer?.addEventListener('abort', onAbort, { once: true });
  const graph = new GraphCopy(from, to, settings, tally, locations, controller.signal);
  let learned: Promise<void> | undefined;
  try {
    const sourceRoot = await graph.resolve(reference);
    // A destination that tags in the push gets the root last, with its tags.
    if (tags.length > 0 && !settings.dryRun && isTaggingManifestPusher(to)) {
      graph.deferRoot(sourceRoot);
    }
    const root = await graph.manifest(sourceRoot, true);
    await graph.settle();
    // Every blob is in: what the copy learned is kept while the root and tags go out.
    learned = locations.flush();
    for (const tag of settings.dryRun ? [] : await graph.pushRoot(tags)) {
      await onSide('destination', `tag ${root.digest} as "${tag}"`, () =>
        (to as Tagger).tag(root, tag, { signal: controller.signal }),
      );
    }
    return graph.result(sourceRoot, root, tags);
  } catch (error) {
    controller.abort(error);
    await graph.quiesce();
    throw outer?.aborted ? abortError(outer) : error;
  } finally {
    outer?.removeEventListener('abort', onAbort);
    await (learned ?? locations.flush());
  }
}

/**
 * How many cross-repository mounts may run per slot of `concurrency`: a
 * mount is one small request that moves no bytes (4 × the default 4 is the
 * 16 connections a Node transport keeps per registry).
 */
const MOUNTS_PER_SLOT = 4;

/** One copy in progress: what is moving, what is done, and the counts. */
class GraphCopy {
  readonly #from: CopySource;
  readonly #to: CopyDestination;
  readonly #settings: Settings;
  readonly #tally: Tally;
  readonly #locations: KnownLocations;
  readonly #signal: AbortSignal;
  readonly #limiter: Limiter;
  /** The bound of cross-repository mounts, which move no bytes. */
  readonly #mounts: Limiter;
  /** The source's repository when the destination can mount from it (one registry). */
  readonly #mountFrom: RepositoryLocation | undefined;
  /** source digest → the descriptor pushed for it */
  readonly #manifests = new Map<string, Promise<Descriptor>>();
  readonly #blobs = new Map<string, Promise<void>>();
  /** Work started beside the walk (referrers), awaited before tagging. */
  readonly #pending: Promise<unknown>[] = [];
  /** Every operation started, to wait for on failure. */
  readonly #started = new Set<Promise<unknown>>();
  /** The root, pushed with its tags once everything else landed (see {@link GraphCopy.deferRoot}). */
  #root: { digest: string; manifest?: ParsedManifest } | undefined;

  constructor(
    from: CopySource,
    to: CopyDestination,
    settings: Settings,
    tally: Tally,
    locations: KnownLocations,
    signal: AbortSignal,
  ) {
    this.#from = from;
    this.#to = to;
    this.#settings = settings;
    this.#tally = tally;
    this.#locations = locations;
    this.#signal = signal;
    this.#limiter = new Limiter(settings.concurrency);
    this.#mounts = new Limiter(settings.concurrency * MOUNTS_PER_SLOT);
    this.#mountFrom =
      isMounter(to) &&
      isLocated(from) &&
      isLocated(to) &&
      from.location.registry === to.location.registry
        ? from.location
        : undefined;
  }

  /** The root's descriptor at the source. */
  async resolve(reference: string | Descriptor): Promise<Descriptor> {
    const descriptor =
      typeof reference !== 'string'
        ? reference
        : await onSide('source', `resolve "${reference}"`, async () => {
            if (typeof this.#from.resolve !== 'function') {
              throw new OciError(
                'OPTION_INVALID',
                'The source cannot resolve references; pass a descriptor',
              );
            }
            return this.#from.resolve(reference, { signal: this.#signal });
          });
    if (!isManifestMediaType(descriptor.mediaType)) {
      throw labelled(
        'source',
        new OciError(
          'UNSUPPORTED_MEDIA_TYPE',
          `The root ${descriptor.digest} is a "${descriptor.mediaType}", not a manifest`,
        ),
        'copy',
      );
    }
    return descriptor;
  }

  /**
   * Copies a manifest and its graph once, however often it is reached.
   *
   * @param descriptor - the manifest at the source
   * @param root - whether it is the copy's root: its bytes are fetched beside
   *   the check of the destination, which saves a round trip before the
   *   first blob moves and wastes one fetch when the destination has it
   */
  manifest(descriptor: Descriptor, root = false): Promise<Descriptor> {
    return this.#once(this.#manifests, descriptor.digest, () =>
      this.#copyManifest(descriptor, root),
    );
  }

  /**
   * Holds back the push of the root (source digest) until {@link GraphCopy.pushRoot},
   * which sends it with its tags in one call.
   */
  deferRoot(root: Descriptor): void {
    this.#root = { digest: root.digest };
  }

  /**
   * Pushes a held-back root with its tags (after {@link GraphCopy.settle}).
   *
   * @param tags - the tags to set
   * @returns the tags still to set one by one: all of them when no root was
   *   held back (nothing deferred, or the destination had it already)
   */
  async pushRoot(tags: readonly string[]): Promise<readonly string[]> {
    const manifest = this.#root?.manifest;
    const to = this.#to;
    if (manifest === undefined || !isTaggingManifestPusher(to)) return tags;
    await onSide('destination', `push manifest ${manifest.digest} with its tags`, () =>
      to.putManifest(manifest, { tags, signal: this.#signal }),
    );
    this.#pushedManifest(manifest.descriptor);
    return [];
  }

  /** Waits for the work started beside the walk (referrers, recursively). */
  async settle(): Promise<void> {
    while (this.#pending.length > 0) await Promise.all(this.#pending.splice(0));
  }

  /** Waits until nothing of this copy runs any more (after a failure). */
  async quiesce(): Promise<void> {
    while (this.#started.size > 0) await Promise.allSettled([...this.#started]);
  }

  /** The summary of a finished copy. */
  result(sourceRoot: Descriptor, root: Descriptor, tags: readonly string[]): CopyResult {
    const t = this.#tally;
    return {
      root,
      sourceRoot,
      manifests: t.manifests,
      blobsCopied: t.blobsCopied,
      blobsSkipped: t.blobsSkipped,
      blobsMounted: t.blobsMounted,
      bytesCopied: t.bytesCopied,
      bytesResumed: t.bytesResumed,
      foreignSkipped: [...t.foreignSkipped],
      referrers: t.referrers,
      tags: [...tags],
    };
  }

  #node(descriptor: Descriptor): Promise<Descriptor> {
    if (isManifestMediaType(descriptor.mediaType)) return this.manifest(descriptor);
    return this.#once(this.#blobs, descriptor.digest, () => this.#copyBlob(descriptor)).then(
      () => descriptor,
    );
  }

  #once<T>(map: Map<string, Promise<T>>, key: string, start: () => Promise<T>): Promise<T> {
    let promise = map.get(key);
    if (!promise) {
      promise = start();
      map.set(key, promise);
      this.#track(promise);
    }
    return promise;
  }

  #track(promise: Promise<unknown>): void {
    this.#started.add(promise);
    promise.then(
      () => this.#started.delete(promise),
      () => this.#started.delete(promise),
    );
  }

  async #copyManifest(descriptor: Descriptor, root: boolean): Promise<Descriptor> {
    const signal = this.#signal;
    const settings = this.#settings;
    const filtered = settings.platforms !== undefined && isIndexMediaType(descriptor.mediaType);
    const check =
      !settings.force && !settings.referrers && !filtered
        ? this.#limiter.run(() => this.#exists(descriptor), signal)
        : undefined;
    const fetched = check === undefined || root ? this.#fetchManifest(descriptor) : undefined;
    // Observed at once: a fetch failing while the check runs is no unhandled rejection.
    const fetchEnded = fetched?.then(
      () => {},
      () => {},
    );
    let skip: boolean;
    try {
      skip = (await check) ?? false;
    } finally {
      // Nothing of the copy is left running: a failed or needless fetch ends first.
      await fetchEnded;
    }
    if (skip) {
      this.#tally.manifests += 1;
      this.#tally.emit(descriptor, { type: 'skipped', reason: 'exists' });
      return descriptor;
    }
    const parsed = await (fetched ?? this.#fetchManifest(descriptor));
    const pushed = await this.#children(parsed);
    if (this.#root?.digest === descriptor.digest) {
      this.#root.manifest = pushed;
    } else {
      if (!settings.dryRun) {
        await this.#limiter.run(
          () =>
            onSide('destination', `push manifest ${pushed.digest}`, () =>
              this.#to.push(pushed.descriptor, streamFromBytes(pushed.bytes), { signal }),
            ),
          signal,
        );
      }
      this.#pushedManifest(pushed.descriptor);
    }
    // Referrers name the source manifest as their subject: an index rewritten
    // for a platform subset is another manifest, so they would dangle.
    if (settings.referrers && pushed.digest === descriptor.digest) this.#copyReferrers(descriptor);
    return pushed.descriptor;
  }

  /** Fetches a manifest from the source (within a slot of the limiter) and parses it. */
  #fetchManifest(descriptor: Descriptor): Promise<ParsedManifest> {
    const signal = this.#signal;
    const { maxManifestSize } = this.#settings;
    return this.#limiter.run(
      () =>
        onSide('source', `fetch manifest ${descriptor.digest}`, async () => {
          const bytes = await fetchBytes(this.#from, descriptor, {
            maxBytes: maxManifestSize,
            signal,
          });
          return parseManifest(bytes, {
            contentType: descriptor.mediaType,
            maxSize: maxManifestSize,
            expectedDigest: descriptor.digest,
          });
        }),
      signal,
    );
  }

  #pushedManifest(descriptor: Descriptor): void {
    this.#tally.manifests += 1;
    this.#tally.emit(descriptor, { type: 'done' });
  }

  /** Copies the children of a manifest; returns the manifest to push for them. */
  async #children(parsed: ParsedManifest): Promise<ParsedManifest> {
    const children = fromSource(() => manifestChildren(parsed));
    if (parsed.kind !== 'index') {
      await Promise.all(children.map((child) => this.#node(child)));
      return parsed;
    }
    const platforms = this.#settings.platforms;
    const entries =
      platforms === undefined ? children : fromSource(() => selectEntries(parsed, platforms));
    const pushed = await Promise.all(
      entries.map(async (entry) => {
        const child = await this.#node(entry);
        return child.digest === entry.digest
          ? entry
          : { ...entry, digest: child.digest, size: child.size };
      }),
    );
    return indexFor(parsed, pushed, this.#settings.maxManifestSize);
  }

  /** Whether the destination has content (the caller holds a slot of a limiter). */
  #exists(descriptor: Descriptor): Promise<boolean> {
    return onSide('destination', `check ${descriptor.digest}`, () =>
      this.#to.exists(descriptor, { signal: this.#signal }),
    );
  }

  async #copyBlob(descriptor: Descriptor): Promise<void> {
    const tally = this.#tally;
    const foreign =
      isNondistributableMediaType(descriptor.mediaType) || (descriptor.urls?.length ?? 0) > 0;
    if (foreign && !this.#settings.copyForeign) {
      tally.foreignSkipped.push(descriptor);
      tally.emit(descriptor, { type: 'skipped', reason: 'foreign' });
      return;
    }
    const signal = this.#signal;
    const to = this.#to;
    const { dryRun, force } = this.#settings;
    if (dryRun) {
      await this.#mounts.run(() => this.#plan(descriptor), signal);
      return;
    }
    const mountFrom = force ? undefined : this.#mountFrom;
    if (mountFrom !== undefined && isMounter(to)) {
      await this.#mountOrStream(descriptor, to, mountFrom);
    } else {
      // The checks and mounts move no bytes: they run beside each other, as
      // mounts do; only sending the bytes takes a slot of `concurrency`.
      const landed =
        !force && (await this.#mounts.run(() => this.#skipOrMount(descriptor), signal));
      if (!landed) await this.#limiter.run(() => this.#stream(descriptor), signal);
    }
    this.#locations.atSource(descriptor.digest);
    this.#locations.atDestination(descriptor.digest);
  }

  /**
   * Lands a blob at the destination without its bytes where it can: a mount
   * from the source first (one request whether or not the blob is there
   * already, none when the source cannot be mounted from), else skipped when
   * the destination has it, else a mount from another repository of the
   * destination's registry seen holding it.
   *
   * @returns whether the destination holds the blob now
   */
  async #skipOrMount(descriptor: Descriptor): Promise<boolean> {
    const signal = this.#signal;
    const to = this.#to;
    const tally = this.#tally;
    if (
      isMounter(to) &&
      (await onSide('destination', `mount ${descriptor.digest}`, () =>
        to.mount(descriptor, this.#from, { signal }),
      ))
    ) {
      this.#mounted(descriptor);
      return true;
    }
    if (await this.#exists(descriptor)) {
      tally.blobsSkipped += 1;
      tally.emit(descriptor, { type: 'skipped', reason: 'exists' });
      return true;
    }
    if (await this.#locations.mount(descriptor, signal)) {
      this.#mounted(descriptor);
      return true;
    }
    return false;
  }

  /**
   * Within one registry: a mount, beside the other mounts (it moves no
   * bytes), one request whether or not the blob is there already. When the
   * registry does not mount (it opens an upload instead, which the mount
   * cancels), the bytes are sent within `concurrency`.
   */
  async #mountOrStream(
    descriptor: Descriptor,
    to: CopyDestination & Mounter,
    from: RepositoryLocation,
  ): Promise<void> {
    const signal = this.#signal;
    const mounted = await this.#mounts.run(
      () =>
        onSide('destination', `mount ${descriptor.digest}`, () =>
          to.mount(descriptor, from, { signal }),
        ),
      signal,
    );
    if (mounted) this.#mounted(descriptor);
    else await this.#limiter.run(() => this.#stream(descriptor), signal);
  }

  /** Counts a blob of a dry run: skipped when the destination has it (and not `force`), else to copy. */
  async #plan(descriptor: Descriptor): Promise<void> {
    const tally = this.#tally;
    if (!this.#settings.force && (await this.#exists(descriptor))) {
      tally.blobsSkipped += 1;
      tally.emit(descriptor, { type: 'skipped', reason: 'exists' });
      return;
    }
    tally.blobsCopied += 1;
    tally.bytesCopied += descriptor.size;
  }

  #mounted(descriptor: Descriptor): void {
    this.#tally.blobsMounted += 1;
    this.#tally.emit(descriptor, { type: 'mounted' });
  }

  /**
   * Streams one blob from the source into the destination, continuing a
   * partial write the destination kept (see {@link resumeOffset}); when the
   * continued write fails as a resume can (its bytes gone or wrong), the
   * blob is copied whole once more.
   */
  async #stream(descriptor: Descriptor): Promise<void> {
    const tally = this.#tally;
    const sessions = this.#settings.uploadSessions;
    const to = this.#to;
    if (sessions !== undefined && usesSessions(to, descriptor)) {
      try {
        await uploadResumably(this.#from, to, descriptor, {
          sessions,
          signal: this.#signal,
          send: (content, offset, push) => this.#relay(descriptor, content, offset, push),
        });
      } catch (error) {
        tally.emit(descriptor, { type: 'failed', error });
        throw error;
      }
      tally.blobsCopied += 1;
      tally.emit(descriptor, { type: 'done' });
      return;
    }
    const offset = await resumeOffset(this.#from, this.#to, descriptor, this.#signal);
    try {
      try {
        await this.#send(descriptor, offset);
      } catch (error) {
        if (offset === 0 || !isResumeFailure(error) || this.#signal.aborted) throw error;
        await this.#send(descriptor, 0);
      }
    } catch (error) {
      tally.emit(descriptor, { type: 'failed', error });
      throw error;
    }
    tally.blobsCopied += 1;
    tally.emit(descriptor, { type: 'done' });
  }

  /** Moves the bytes of a blob from `offset` on; on failure, uncounts them and labels the side that failed. */
  async #send(descriptor: Descriptor, offset: number): Promise<void> {
    const signal = this.#signal;
    const ranged = this.#settings.rangedDownload;
    // Every byte kept already: nothing to fetch; the destination verifies and commits them.
    const source =
      offset === descriptor.size
        ? streamFromBytes(new Uint8Array(0))
        : await onSide('source', `fetch blob ${descriptor.digest}`, async () => {
            const parts =
              offset === 0 ? fetchRanged(this.#from, descriptor, ranged, signal) : undefined;
            return parts ?? fetchFrom(this.#from, descriptor, offset, signal);
          });
    await this.#relay(descriptor, source, offset, (content) =>
      pushFrom(this.#to, descriptor, content, offset, signal),
    );
  }

  /**
   * Pushes the source's bytes of a blob (from `offset` on) through `push`,
   * counting them; on failure, uncounts them and labels the side that failed.
   */
  async #relay(
    descriptor: Descriptor,
    source: ReadableStream<Uint8Array>,
    offset: number,
    push: (content: ReadableStream<Uint8Array>) => Promise<void>,
  ): Promise<void> {
    const tally = this.#tally;
    tally.emit(descriptor, { type: 'started', offset });
    let transferred = 0;
    let sourceError: unknown;
    const bytes = tally.byteEvents(descriptor);
    const content = relayStream(source, {
      onChunk: (chunk) => {
        transferred += chunk.byteLength;
        tally.bytesCopied += chunk.byteLength;
        bytes?.(offset + transferred);
      },
      onError: (error) => {
        sourceError = error;
      },
    });
    try {
      await push(content);
    } catch (error) {
      tally.bytesCopied -= transferred;
      const what = `copy blob ${descriptor.digest}`;
      throw sourceError === undefined
        ? labelled('destination', error, what)
        : labelled('source', sourceError, what);
    }
    tally.bytesResumed += offset;
  }

  /** Starts copying the referrers of a (source) manifest, beside the walk. */
  #copyReferrers(subject: Descriptor): void {
    const from = this.#from;
    if (!isReferrerLister(from)) return;
    const artifactType = this.#settings.referrers?.artifactType;
    const task = onSide('source', `list referrers of ${subject.digest}`, async () => {
      const found: Promise<unknown>[] = [];
      for await (const referrer of from.referrers(subject, {
        signal: this.#signal,
        ...(artifactType === undefined ? {} : { artifactType }),
      })) {
        if (!this.#manifests.has(referrer.digest)) this.#tally.referrers += 1;
        found.push(this.manifest(referrer));
      }
      await Promise.all(found);
    });
    this.#track(task);
    this.#pending.push(task);
  }
}

/** Runs a synchronous step on the source's data, labelling what it throws as the source's. */
function fromSource<T>(step: () => T): T {
  try {
    return step();
  } catch (error) {
    throw labelled('source', error, 'read the source graph');
  }
}
