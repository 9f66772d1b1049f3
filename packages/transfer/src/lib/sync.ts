import { isNotFound, isTagLister, type Target } from '@ocikit/content';
import { abortError, OciError } from '@ocikit/digest';
import type { Descriptor } from '@ocikit/spec';
import type { BlobLocationCache } from './blob-locations.ts';
import { copy } from './copy.ts';
import type { CopyOptions } from './options.ts';

/** One line of a {@link SyncPlan}: the tags of one repository to mirror into another. */
export interface SyncItem {
  /** Where to read, as the `open` of {@link SyncOptions} understands it (`registry.example/app`). */
  readonly source: string;
  /** Where to write. */
  readonly destination: string;
  /**
   * The tags to copy: a regular expression (source text) a whole tag must
   * match, such as `v\d+\.\d+`.
   * @default every tag
   */
  readonly tags?: string;
  /** {@link CopyOptions.platforms} */
  readonly platforms?: readonly string[];
  /** {@link CopyOptions.referrers} */
  readonly referrers?: CopyOptions['referrers'];
}

/** What to keep in sync (regsync's and `skopeo sync`'s configuration, as data). */
export interface SyncPlan {
  readonly items: readonly SyncItem[];
}

/** Options of {@link sync}. */
export interface SyncOptions {
  /** Opens a location of the plan as a Target (the caller knows registries and layouts; transfer does not). */
  open(location: string): Target | Promise<Target>;
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
  /** Called with each tag's outcome as it is known. */
  onReport?: (report: SyncReport) => void;
  /** Cancels the sync. */
  signal?: AbortSignal;
}

/** The outcome of one tag of one item, or of an item that failed before its tags were known. */
export interface SyncReport {
  readonly item: SyncItem;
  /** The tag; absent when the item failed before listing its tags. */
  readonly tag?: string;
  /** `copied`; `unchanged` (the destination's tag has the source's digest); `failed`. */
  readonly status: 'copied' | 'unchanged' | 'failed';
  /** The digest the destination's tag now points at. */
  readonly digest?: string;
  /** Why it failed. */
  readonly error?: unknown;
}

/**
 * Mirrors the tags of a plan's items: for each item of this shard, lists the
 * source's tags, keeps those matching its filter, and for each compares the
 * source's digest with the destination's tag first, copying only what
 * changed (with the item's platforms and referrers). A failing tag or item
 * is reported and the sync goes on; only `signal` stops it.
 *
 * @param plan - {@link SyncPlan}
 * @param options - {@link SyncOptions}
 * @returns a report per tag (and per item that failed before its tags), in plan order
 * @throws {OciError} `OPTION_INVALID` for a bad shard or tag filter; `ABORTED`
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
  const filters = plan.items.map((item) => tagFilter(item.tags));
  const reports: SyncReport[] = [];
  const report = (entry: SyncReport) => {
    reports.push(entry);
    options.onReport?.(entry);
  };
  for (const [at, item] of plan.items.entries()) {
    if (shardOf(item, shard.count) !== shard.index) continue;
    const matches = filters[at] as (tag: string) => boolean;
    try {
      await syncItem(item, matches, options, report);
    } catch (error) {
      if (options.signal?.aborted) throw abortError(options.signal);
      report({ item, status: 'failed', error });
    }
  }
  return reports;
}

/** Syncs the tags of one item; throws only what prevents listing them. */
async function syncItem(
  item: SyncItem,
  matches: (tag: string) => boolean,
  options: SyncOptions,
  report: (entry: SyncReport) => void,
): Promise<void> {
  const signal = options.signal;
  const from = await options.open(item.source);
  const to = await options.open(item.destination);
  if (!isTagLister(from)) {
    throw new OciError('OPTION_INVALID', `The source "${item.source}" cannot list its tags`);
  }
  const tags: string[] = [];
  for await (const tag of from.tags({ signal })) if (matches(tag)) tags.push(tag);
  for (const tag of tags) {
    try {
      const source = await from.resolve(tag, { signal });
      const present = await resolveIfAny(to, tag, signal);
      if (present?.digest === source.digest) {
        report({ item, tag, status: 'unchanged', digest: source.digest });
        continue;
      }
      const result = await copy(
        { from, to, reference: source },
        {
          tags: [tag],
          ...(item.platforms === undefined ? {} : { platforms: item.platforms }),
          ...(item.referrers === undefined ? {} : { referrers: item.referrers }),
          ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
          ...(options.blobLocations === undefined ? {} : { blobLocations: options.blobLocations }),
          ...(signal === undefined ? {} : { signal }),
        },
      );
      report({ item, tag, status: 'copied', digest: result.root.digest });
    } catch (error) {
      if (signal?.aborted) throw abortError(signal);
      report({ item, tag, status: 'failed', error });
    }
  }
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

/** A whole-tag matcher of a filter's source text; every tag without one. */
function tagFilter(source: string | undefined): (tag: string) => boolean {
  if (source === undefined) return () => true;
  let pattern: RegExp;
  try {
    pattern = new RegExp(`^(?:${source})$`);
  } catch (error) {
    throw new OciError('OPTION_INVALID', `The tag filter /${source}/ is not a regular expression`, {
      cause: error,
    });
  }
  return (tag) => pattern.test(tag);
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
