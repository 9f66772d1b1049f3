import { fetchBytes, isNotFound, isTagLister, type Target } from '@ocikit/content';
import { abortError, OciError } from '@ocikit/digest';
import {
  DEFAULT_MAX_MANIFEST_SIZE,
  type Descriptor,
  isIndexMediaType,
  parseManifest,
} from '@ocikit/spec';
import type { BlobLocationCache } from './blob-locations.ts';
import { copy } from './copy.ts';
import type { CopyOptions } from './options.ts';
import { indexFor, parsePlatformFilter, selectEntries } from './platforms.ts';
import type { TagFilter } from './tag-filter.ts';
import type { UploadSessionStore } from './upload-sessions.ts';

/**
 * One line of a {@link SyncPlan}: the tags of one repository to mirror into
 * another, or (with `image`) one image.
 */
export interface SyncItem {
  /** Where to read, as the `open` of {@link SyncOptions} understands it (`registry.example/app`). */
  readonly source: string;
  /** Where to write. */
  readonly destination: string;
  /**
   * Makes the item a single image (regsync's `type: image`) instead of a
   * repository's tags: the source's tag or digest to read, and the tag to
   * set at the destination. Nothing is listed, and `tags` must be unset.
   * @default a repository item
   */
  readonly image?: SyncImage;
  /**
   * The tags to copy: a {@link TagFilter} (regular expressions to include
   * and exclude, a semver range, the latest N versions), or a single
   * regular expression (source text) a whole tag must match, such as
   * `v\d+\.\d+`.
   * @default every tag
   */
  readonly tags?: TagFilter | string;
  /** {@link CopyOptions.platforms} */
  readonly platforms?: readonly string[];
  /** {@link CopyOptions.referrers} */
  readonly referrers?: CopyOptions['referrers'];
}

/** The image of a single-image {@link SyncItem}. */
export interface SyncImage {
  /** The source's tag or digest (`v1`, `sha256:…`). */
  readonly reference: string;
  /** The destination's tag. */
  readonly tag: string;
}

/** What to keep in sync (regsync's and `skopeo sync`'s configuration, as data). */
export interface SyncPlan {
  readonly items: readonly SyncItem[];
}

/** Options of {@link sync}. */
export interface SyncOptions {
  /**
   * Opens a location of the plan as a Target (the caller knows registries
   * and layouts; transfer does not); `role` says whether it is read from
   * or written to.
   */
  open(location: string, role: 'source' | 'destination'): Target | Promise<Target>;
  /**
   * Sync only this shard of the plan: an item belongs to shard
   * `hash(source, destination) mod count`, so every machine running
   * one index of the same plan takes a disjoint part, with no coordinator.
   */
  shard?: { readonly index: number; readonly count: number };
  /** {@link CopyOptions.concurrency}, per copy (tags are copied one after another). */
  concurrency?: number;
  /** {@link CopyOptions.blobLocations}, shared by every copy of the sync. */
  blobLocations?: BlobLocationCache;
  /** {@link CopyOptions.uploadSessions}, shared by every copy of the sync. */
  uploadSessions?: UploadSessionStore;
  /**
   * Compare only: list, filter and resolve as usual, but copy nothing; a tag
   * that a sync would copy is reported `would-copy`.
   * @default false
   */
  dryRun?: boolean;
  /**
   * Asked before each tag (and item) is started: when it returns a reason,
   * the sync starts nothing more and reports every tag and item not yet
   * done as `stopped` with that reason. `@ocikit/client` answers it from the
   * registries' rate-limit headers (Docker Hub's `ratelimit-remaining`).
   * @default never stop
   */
  shouldStop?: () => SyncStop | undefined;
  /** Called with each tag's outcome as it is known. */
  onReport?: (report: SyncReport) => void;
  /** Cancels the sync. */
  signal?: AbortSignal;
}

/** Why a sync stopped before its end (see {@link SyncOptions.shouldStop}). */
export interface SyncStop {
  /** `RATE_LIMITED`: a registry said the budget of requests is spent. */
  readonly code: 'RATE_LIMITED';
  /** The registry that said so, as named in references (`docker.io`). */
  readonly registry: string;
  /** The quota, when the registry said (`ratelimit-limit: 100;w=21600` gives 100). */
  readonly limit?: number;
  /** The quota's window in seconds (`w=21600`: 6 hours), when the registry said. */
  readonly windowSeconds?: number;
  /** How long to wait before trying again, in seconds, when the registry said (`Retry-After`). */
  readonly retryAfterSeconds?: number;
  /** What happened, for people. */
  readonly message: string;
}

/** The state of one tag after a sync. */
export type SyncStatus = 'copied' | 'unchanged' | 'would-copy' | 'failed' | 'stopped';

/** The outcome of one tag of one item, or of an item that failed or stopped before its tags were known. */
export interface SyncReport {
  readonly item: SyncItem;
  /**
   * The tag (of a single-image item, the destination's); absent when a
   * repository item failed or stopped before listing its tags.
   */
  readonly tag?: string;
  /**
   * `copied`; `unchanged` (the destination's tag has the source's digest);
   * `would-copy` (a dry run found it missing or different); `failed` (see
   * `error`); `stopped` (not done: the sync stopped first, see `stop`).
   */
  readonly status: SyncStatus;
  /** The digest the destination's tag points at (or would, in a dry run). */
  readonly digest?: string;
  /** Why it failed. */
  readonly error?: unknown;
  /** Why it was not done. */
  readonly stop?: SyncStop;
}

/**
 * Mirrors the tags of a plan's items: for each item of this shard, lists the
 * source's tags, keeps those matching its filter (a single-image item takes
 * its one image instead), and for each compares the source's digest with
 * the destination's tag first, copying only what changed (with the item's
 * platforms and referrers). A failing tag or item is reported and the sync
 * goes on; `signal` aborts it, and `shouldStop` ends it early and cleanly
 * (the rest reported `stopped`).
 *
 * @param plan - {@link SyncPlan}
 * @param options - {@link SyncOptions}
 * @returns a report per tag (and per item that failed before its tags), in plan order
 * @throws {OciError} `OPTION_INVALID` for a bad shard or tag filter (a
 *   pattern that is no regular expression, a bad semver range or `latest`),
 *   or a single-image item with `tags`; `ABORTED`
 */
export async function sync(plan: SyncPlan, options: SyncOptions): Promise<SyncReport[]> {
  const shard = options.shard ?? { index: 0, count: 1 };
  if (
    !Number.isInteger(shard.count) ||
    shard.count < 1 ||
    !Number.isInteger(shard.index) ||
    shard.index < 0 ||
    shard.index >= shard.count
  ) {
    throw new OciError(
      'OPTION_INVALID',
      `shard must have an integer count ≥ 1 and 0 ≤ index < count, not ${JSON.stringify(shard)}`,
    );
  }
  // Loaded here, not with the package: semver is needed by a sync alone.
  const { compileTagFilter } = await import('./tag-filter.ts');
  const filters = plan.items.map((item) => {
    if (item.image !== undefined && item.tags !== undefined) {
      throw new OciError(
        'OPTION_INVALID',
        `The image item "${item.source}" → "${item.destination}" copies one image; it takes no tags filter`,
      );
    }
    return compileTagFilter(item.tags);
  });
  const reports: SyncReport[] = [];
  const report = (entry: SyncReport) => {
    reports.push(entry);
    options.onReport?.(entry);
  };
  for (const [at, item] of plan.items.entries()) {
    if (shardOf(item, shard.count) !== shard.index) continue;
    const stop = options.shouldStop?.();
    if (stop !== undefined) {
      report({ item, status: 'stopped', stop });
      continue;
    }
    const pick = filters[at] as (tags: readonly string[]) => string[];
    try {
      await syncItem(item, pick, options, report);
    } catch (error) {
      if (options.signal?.aborted) throw abortError(options.signal);
      const stop = stopBehind(error, options);
      report(stop ? { item, status: 'stopped', stop } : { item, status: 'failed', error });
    }
  }
  return reports;
}

/** Syncs the tags (or the image) of one item; throws only what prevents listing them. */
async function syncItem(
  item: SyncItem,
  pick: (tags: readonly string[]) => string[],
  options: SyncOptions,
  report: (entry: SyncReport) => void,
): Promise<void> {
  const signal = options.signal;
  const from = await options.open(item.source, 'source');
  const to = await options.open(item.destination, 'destination');
  if (item.image !== undefined) {
    await syncTag(item, { from, to }, item.image, options, report);
    return;
  }
  if (!isTagLister(from)) {
    throw new OciError('OPTION_INVALID', `The source "${item.source}" cannot list its tags`);
  }
  const listed: string[] = [];
  for await (const tag of from.tags({ signal })) listed.push(tag);
  for (const tag of pick(listed)) {
    await syncTag(item, { from, to }, { reference: tag, tag }, options, report);
  }
}

/**
 * Syncs one image of an item: the source's `reference` to the
 * destination's `tag`, unless the tag already has its digest. Reports the
 * outcome; throws only `ABORTED`.
 */
async function syncTag(
  item: SyncItem,
  { from, to }: { from: Target; to: Target },
  { reference, tag }: SyncImage,
  options: SyncOptions,
  report: (entry: SyncReport) => void,
): Promise<void> {
  const signal = options.signal;
  const stop = options.shouldStop?.();
  if (stop !== undefined) {
    report({ item, tag, status: 'stopped', stop });
    return;
  }
  try {
    const source = await from.resolve(reference, { signal });
    const expected = await copiedDigest(from, source, item.platforms, signal);
    const present = await resolveIfAny(to, tag, signal);
    if (expected !== undefined && present?.digest === expected) {
      report({ item, tag, status: 'unchanged', digest: expected });
      return;
    }
    if (options.dryRun) {
      report({ item, tag, status: 'would-copy', digest: expected ?? source.digest });
      return;
    }
    const result = await copy(
      { from, to, reference: source },
      {
        tags: [tag],
        ...(item.platforms === undefined ? {} : { platforms: item.platforms }),
        ...(item.referrers === undefined ? {} : { referrers: item.referrers }),
        ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
        ...(options.blobLocations === undefined ? {} : { blobLocations: options.blobLocations }),
        ...(options.uploadSessions === undefined ? {} : { uploadSessions: options.uploadSessions }),
        ...(signal === undefined ? {} : { signal }),
      },
    );
    report({ item, tag, status: 'copied', digest: result.root.digest });
  } catch (error) {
    if (signal?.aborted) throw abortError(signal);
    const stop = stopBehind(error, options);
    report(stop ? { item, tag, status: 'stopped', stop } : { item, tag, status: 'failed', error });
  }
}

/**
 * The stop behind a failure: a request refused for the rate limit (a final
 * 429, `TOOMANYREQUESTS`) while `shouldStop` says the budget is spent means
 * "not done", not "failed".
 */
function stopBehind(error: unknown, options: SyncOptions): SyncStop | undefined {
  if ((error as { code?: unknown } | undefined)?.code !== 'TOOMANYREQUESTS') return undefined;
  return options.shouldStop?.();
}

/**
 * The digest a copy of `source` with these platforms gives the
 * destination's tag: the source's own, or (an index with `platforms`) that
 * of the index of the platforms kept, as the copy builds it; `undefined`
 * when that cannot be known without copying (a kept entry is itself an
 * index, which the copy filters too).
 */
async function copiedDigest(
  from: Target,
  source: Descriptor,
  platforms: readonly string[] | undefined,
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  if (platforms === undefined || !isIndexMediaType(source.mediaType)) return source.digest;
  const maxSize = DEFAULT_MAX_MANIFEST_SIZE;
  const bytes = await fetchBytes(from, source, { maxBytes: maxSize, signal });
  const parsed = parseManifest(bytes, {
    contentType: source.mediaType,
    maxSize,
    expectedDigest: source.digest,
  });
  if (parsed.kind !== 'index') return source.digest;
  const entries = selectEntries(parsed, parsePlatformFilter(platforms));
  if (entries.some((entry) => isIndexMediaType(entry.mediaType))) return undefined;
  return indexFor(parsed, entries, maxSize).digest;
}

/** What a tag of the destination points at, or `undefined` when it has no such tag. */
async function resolveIfAny(
  to: Target,
  tag: string,
  signal: AbortSignal | undefined,
): Promise<Descriptor | undefined> {
  try {
    return await to.resolve(tag, { signal });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** The shard of an item: FNV-1a of its source and destination, mod count (stable when other items change). */
export function shardOf(item: SyncItem, count: number): number {
  let hash = 0x811c9dc5;
  for (const char of `${item.source}\u0000${item.destination}`) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % count;
}
