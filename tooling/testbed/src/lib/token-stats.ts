import { parseScope } from './token-policy.ts';

/** How a token request authenticated. */
export type TokenGrantKind = 'anonymous' | 'basic' | 'password' | 'refresh_token';

/** One request the token issuer answered. */
export interface TokenRequestRecord {
  /** When it arrived (ISO 8601). */
  time: string;
  /** `GET` (Docker token protocol) or `POST` (OAuth2). */
  method: string;
  /** How the caller authenticated. */
  grant: TokenGrantKind;
  /** The username given (right or wrong), `''` when anonymous. */
  user: string;
  /** The scopes requested, as sent. */
  scopes: string[];
  /** The repository names those scopes name. */
  repositories: string[];
  /** The status answered: 200, 400, 401. */
  status: number;
}

/** Counts of token requests, with the requests themselves. */
export interface TokenStats {
  /** How many requests matched. */
  total: number;
  /** Requests per username (`''` for anonymous). */
  byUser: Record<string, number>;
  /** Requests per scope string, as sent. */
  byScope: Record<string, number>;
  /** Requests per repository named in a scope (a request naming two counts for both). */
  byRepository: Record<string, number>;
  /** The matching requests, oldest first. */
  requests: TokenRequestRecord[];
}

/** A filter of {@link tokenStats}: requests matching every field given. */
export interface TokenStatsFilter {
  /** Only requests with a scope on this repository. */
  repository?: string;
  /** Only requests by this username (`''` for anonymous). */
  user?: string;
}

/** The repository names in scope strings, skipping unparsable ones. */
export function repositoriesOf(scopes: readonly string[]): string[] {
  const names = new Set<string>();
  for (const scope of scopes) {
    try {
      const access = parseScope(scope);
      if (access.type.startsWith('repository')) names.add(access.name);
    } catch {
      // an invalid scope names no repository
    }
  }
  return [...names];
}

function increment(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/**
 * Aggregates token request records.
 *
 * @param records - every record kept
 * @param filter - {@link TokenStatsFilter}
 * @returns the counts over the matching records
 */
export function summarizeTokenRequests(
  records: readonly TokenRequestRecord[],
  filter: TokenStatsFilter = {},
): TokenStats {
  const requests = records.filter(
    (record) =>
      (filter.repository === undefined || record.repositories.includes(filter.repository)) &&
      (filter.user === undefined || record.user === filter.user),
  );
  const stats: TokenStats = { total: 0, byUser: {}, byScope: {}, byRepository: {}, requests };
  for (const record of requests) {
    stats.total++;
    increment(stats.byUser, record.user);
    for (const scope of record.scopes) increment(stats.byScope, scope);
    for (const repository of record.repositories) increment(stats.byRepository, repository);
  }
  return stats;
}

/**
 * Reads the token issuer's request counts (`GET /_stats`). Tests share the
 * issuer, so filter by the test's own repository rather than resetting.
 *
 * @param statsUrl - `TestbedInfo.token.statsUrl`
 * @param filter - {@link TokenStatsFilter}
 * @returns the counts
 * @throws {Error} when the issuer does not answer 200
 */
export async function tokenStats(
  statsUrl: string,
  filter: TokenStatsFilter = {},
): Promise<TokenStats> {
  const url = new URL(statsUrl);
  if (filter.repository !== undefined) url.searchParams.set('repository', filter.repository);
  if (filter.user !== undefined) url.searchParams.set('user', filter.user);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url.pathname} answered ${response.status}`);
  return (await response.json()) as TokenStats;
}

/**
 * Forgets every recorded token request (`POST /_stats/reset`). This affects
 * tests running in parallel: prefer {@link tokenStats} with a filter.
 *
 * @param statsUrl - `TestbedInfo.token.statsUrl`
 * @throws {Error} when the issuer does not answer 204
 */
export async function resetTokenStats(statsUrl: string): Promise<void> {
  const response = await fetch(`${statsUrl}/reset`, { method: 'POST' });
  await response.body?.cancel();
  if (response.status !== 204) throw new Error(`POST /_stats/reset answered ${response.status}`);
}
