import type { Target } from '@ocikit/content';
import { OciError } from '@ocikit/digest';
import type { Location } from '@ocikit/reference';
import {
  type SyncImage,
  type SyncItem,
  type SyncReport,
  type SyncStop,
  sync,
} from '@ocikit/transfer';
import { RegistryPacer, type SpentRateLimit } from '@ocikit/transport';
import {
  type OpenContext,
  type OpenedLocation,
  openWithContext,
  parseClientLocation,
} from './locations.node.ts';
import { type ClientOptions, clientSettings } from './options.node.ts';
import { pick } from './pick.ts';
import { type ClientSyncEntry, type ClientSyncPlan, parseShard } from './sync-plan.ts';

/** Options of {@link Client.sync}. */
export interface ClientSyncOptions {
  /**
   * Sync only this shard (`INDEX/COUNT` such as `0/3`, or `{ index, count }`);
   * overrides the plan's `shard`.
   * @default the plan's, else all of it
   */
  shard?: string | { readonly index: number; readonly count: number };
  /**
   * Compare only: copy nothing, report what would be copied (`would-copy`).
   * @default false
   */
  dryRun?: boolean;
  /**
   * The most blob and manifest operations of one tag's copy at once.
   * @default the client's `concurrency`
   */
  concurrency?: number;
  /** Called with each tag's outcome as it is known. */
  onReport?: (report: SyncReport) => void;
  /** Cancels the sync (`ABORTED`). */
  signal?: AbortSignal;
}

/**
 * Runs a sync plan with a client's options: every location is opened with
 * a transport of its own for this sync, paced per the plan's `registries`
 * and watched for rate limits.
 *
 * @param plan - the plan
 * @param clientOptions - the client's options (credentials, TLS, hosts)
 * @param context - the client's open context, whose transport this sync replaces
 * @param concurrency - the client's concurrency
 * @param options - {@link ClientSyncOptions}
 * @returns the reports, in plan order
 */
export async function runSyncPlan(
  plan: ClientSyncPlan,
  clientOptions: ClientOptions,
  context: OpenContext,
  concurrency: number,
  options: ClientSyncOptions,
): Promise<SyncReport[]> {
  const items = plan.sync.map((entry) => syncItem(plan, entry));
  const shardOption = options.shard ?? plan.shard;
  const shard = typeof shardOption === 'string' ? parseShard(shardOption) : shardOption;
  const pacer = new RegistryPacer({
    ...(plan.registries === undefined ? {} : { requestsPerSecond: rates(plan.registries) }),
    ...(plan.rateLimit?.minRemaining === undefined
      ? {}
      : { minRemaining: plan.rateLimit.minRemaining }),
  });
  const { transport } = clientSettings(clientOptions, {
    beforeRequest: pacer.beforeRequest,
    onResponse: pacer.onResponse,
  });
  const paced: OpenContext = { ...context, repository: { ...context.repository, transport } };
  const opened: OpenedLocation[] = [];
  // A location is opened once for the whole sync, an archive once whatever
  // image of it an entry names: a gzip archive is unpacked once, not per entry.
  const openings = new Map<string, Promise<Target>>();
  const open = (location: string, role: 'source' | 'destination'): Promise<Target> => {
    const parsed = parseClientLocation(location, false);
    const key = `${role} ${parsed.kind === 'oci-archive' ? `oci-archive:${parsed.path}` : location}`;
    let target = openings.get(key);
    if (target === undefined) {
      const mode = role === 'source' ? 'read' : 'write';
      const signal = options.signal;
      target = openWithContext(location, paced, { mode, defaultTag: false, signal }).then(
        (place) => {
          opened.push(place);
          return place.target as Target;
        },
      );
      openings.set(key, target);
    }
    return target;
  };
  try {
    return await sync(
      { items },
      {
        open,
        concurrency: options.concurrency ?? concurrency,
        ...pick(clientOptions, ['blobLocations', 'uploadSessions']),
        shouldStop: () => stopFor(pacer.spent()),
        ...(shard === undefined ? {} : { shard }),
        ...(options.dryRun === undefined ? {} : { dryRun: options.dryRun }),
        ...(options.onReport === undefined ? {} : { onReport: options.onReport }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      },
    );
  } finally {
    for (const place of opened) await place.close();
  }
}

/** An entry with the plan's defaults filled in, its locations checked. */
function syncItem(plan: ClientSyncPlan, entry: ClientSyncEntry): SyncItem {
  const source = namedIn(entry.source, 'source');
  const destination = namedIn(entry.destination, 'destination');
  const image = entry.type === 'image' ? imageOf(entry, source, destination) : undefined;
  if (image === undefined) {
    for (const [input, named] of [
      [entry.source, source],
      [entry.destination, destination],
    ] as const) {
      if (named.tag === undefined && named.digest === undefined) continue;
      throw new OciError(
        'REFERENCE_INVALID',
        `A repository entry names a repository or layout, not a tag or digest: "${input}" names "${named.tag ?? named.digest}" (pick tags with tags.include, or make it an entry of type: image)`,
      );
    }
  }
  const tags = image === undefined ? (entry.tags ?? plan.defaults?.tags) : undefined;
  const platforms = entry.platforms ?? plan.defaults?.platforms;
  const referrers = entry.referrers ?? plan.defaults?.referrers;
  return {
    source: entry.source,
    destination: entry.destination,
    ...(image === undefined ? {} : { image }),
    ...(tags === undefined ? {} : { tags }),
    ...(platforms === undefined ? {} : { platforms }),
    ...(referrers === undefined ? {} : { referrers }),
  };
}

/** The tag and digest a sync location names, once its kind is checked for its role. */
interface Named {
  readonly kind: Location['kind'];
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

/**
 * Checks that a location can take its role in a sync, and says what it
 * names. A sync reads registries, layout directories and OCI archives
 * (plain or gzip), and writes registries and layout directories: a
 * destination is written tag by tag, which an archive (rewritten whole) is
 * not; a Docker archive holds no manifests to compare or list.
 */
function namedIn(input: string, role: 'source' | 'destination'): Named {
  const location = parseClientLocation(input, false);
  if (location.kind === 'docker-archive') {
    throw new OciError(
      'UNSUPPORTED',
      `Cannot sync with the Docker archive "${input}": it holds no manifests to compare or tags to list; copy it into an oci: layout directory first (\`ocikit copy docker-archive:FILE oci:DIR:TAG\`) and sync that`,
    );
  }
  if (location.kind === 'oci-archive' && role === 'destination') {
    throw new OciError(
      'UNSUPPORTED',
      `Cannot sync into the archive "${input}": a sync writes tag by tag, and an archive is written whole; sync into an oci: layout directory and export that (\`exportLayout\`, \`ocikit layout export\`)`,
    );
  }
  return location.kind === 'registry'
    ? { kind: location.kind, tag: location.reference.tag, digest: location.reference.digest }
    : { kind: location.kind, tag: location.tag, digest: location.digest };
}

/**
 * The image of an `image` entry: the source's digest, else its tag, else
 * `latest` (a registry's; a layout or archive must name its image); the
 * destination's tag, else the source's (a digest source needs one).
 */
function imageOf(entry: ClientSyncEntry, source: Named, destination: Named): SyncImage {
  if (source.kind !== 'registry' && source.tag === undefined && source.digest === undefined) {
    throw new OciError(
      'REFERENCE_INVALID',
      `An image entry's source names its image: "${entry.source}" names no tag or digest (such as "${entry.source}:TAG")`,
    );
  }
  const reference = source.digest ?? source.tag ?? 'latest';
  if (destination.digest !== undefined) {
    throw new OciError(
      'REFERENCE_INVALID',
      `An image entry's destination names the tag to set, not a digest: "${entry.destination}"`,
    );
  }
  const tag = destination.tag ?? source.tag ?? (source.digest === undefined ? 'latest' : undefined);
  if (tag === undefined) {
    throw new OciError(
      'REFERENCE_INVALID',
      `The image entry from "${entry.source}" names a digest: its destination "${entry.destination}" must name the tag to set (such as "${entry.destination}:TAG")`,
    );
  }
  return { reference, tag };
}

function rates(registries: NonNullable<ClientSyncPlan['registries']>): Record<string, number> {
  const table: Record<string, number> = {};
  for (const [registry, settings] of Object.entries(registries)) {
    if (settings.requestsPerSecond !== undefined) table[registry] = settings.requestsPerSecond;
  }
  return table;
}

/** A spent budget as the reason a sync stops. */
function stopFor(spent: SpentRateLimit | undefined): SyncStop | undefined {
  if (spent === undefined) return undefined;
  const window = spent.windowSeconds === undefined ? '' : ` per ${spent.windowSeconds} s`;
  const quota = spent.limit === undefined ? '' : ` (limit ${spent.limit}${window})`;
  return {
    code: 'RATE_LIMITED',
    registry: spent.registry,
    ...(spent.limit === undefined ? {} : { limit: spent.limit }),
    ...(spent.windowSeconds === undefined ? {} : { windowSeconds: spent.windowSeconds }),
    ...(spent.retryAfterSeconds === undefined
      ? {}
      : { retryAfterSeconds: spent.retryAfterSeconds }),
    message: `${spent.registry} says its rate limit is spent${quota}; run the sync again later`,
  };
}
