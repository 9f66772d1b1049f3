import { catalogScope, formatScope } from '@ocikit/auth';
import type { Client } from './client.ts';
import { checkInteger } from './options.ts';
import { listPages } from './pagination.ts';
import { catalogPath } from './urls.ts';

/** Options of {@link Registry.catalog}. */
export interface CatalogOptions {
  /** List only the repositories that sort after this one. */
  last?: string;
  /**
   * How many repositories to ask for per page (`n`).
   * @default the registry's own page size (distribution: 100)
   */
  pageSize?: number;
  /** Cancels the listing. */
  signal?: AbortSignal;
}

/** The limits a catalog listing runs under. */
export interface CatalogLimits {
  readonly maxPages: number;
  readonly maxListSize: number;
}

/**
 * Lists the repositories of a registry across pages (`GET /v2/_catalog`,
 * token scope `registry:catalog:*`), following `Link` headers.
 *
 * @param client - the registry
 * @param limits - pages and page size bounds
 * @param options - {@link CatalogOptions}
 * @returns the repository names
 * @throws {OciError} `UNAUTHORIZED`/`DENIED` without catalog access;
 *   `UNSUPPORTED` where the registry has no catalog; as `listPages`
 * @see https://distribution.github.io/distribution/spec/api/#listing-repositories
 */
export async function* listCatalog(
  client: Client,
  limits: CatalogLimits,
  options: CatalogOptions = {},
): AsyncGenerator<string> {
  if (options.pageSize !== undefined) checkInteger('pageSize', options.pageSize, 1);
  yield* listPages({
    client,
    what: `Repositories of ${client.registry}`,
    path: catalogPath,
    key: 'repositories',
    scopes: [formatScope(catalogScope())],
    pageSize: options.pageSize,
    last: options.last,
    maxPages: limits.maxPages,
    maxBytes: limits.maxListSize,
    signal: options.signal,
    notFound: 'UNSUPPORTED',
  });
}
