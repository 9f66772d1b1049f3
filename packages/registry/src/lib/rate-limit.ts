/**
 * A registry's pull rate limit as it announces it, in Docker Hub's headers
 * (`ratelimit-limit: 100;w=21600`, `ratelimit-remaining: 76;w=21600`,
 * `docker-ratelimit-source`).
 *
 * @see https://docs.docker.com/docker-hub/usage/pulls/
 */
export interface RateLimit {
  /** Requests allowed per window. */
  readonly limit: number;
  /** Requests left in the current window, when the registry says. */
  readonly remaining: number | undefined;
  /** The window, in seconds, when the registry says. */
  readonly windowSeconds: number | undefined;
  /** What the limit is counted against (an IP address or an account id), when the registry says. */
  readonly source: string | undefined;
}

/** `100;w=21600` → count and window; undefined when malformed. */
function parseQuota(
  value: string | null,
): { count: number; window: number | undefined } | undefined {
  if (value === null) return undefined;
  const [count, ...parameters] = value.split(';').map((part) => part.trim());
  if (count === undefined || !/^\d{1,15}$/.test(count)) return undefined;
  let window: number | undefined;
  for (const parameter of parameters) {
    const match = /^w=(\d{1,15})$/i.exec(parameter);
    if (match?.[1] !== undefined) window = Number(match[1]);
  }
  return { count: Number(count), window };
}

/**
 * Reads the rate-limit headers of a response.
 *
 * @param headers - the response headers
 * @returns the limit, or undefined when the response announces none (or a malformed one)
 */
export function parseRateLimit(headers: Headers): RateLimit | undefined {
  const limit = parseQuota(headers.get('ratelimit-limit'));
  if (limit === undefined) return undefined;
  const remaining = parseQuota(headers.get('ratelimit-remaining'));
  const source = headers.get('docker-ratelimit-source')?.trim();
  return Object.freeze({
    limit: limit.count,
    remaining: remaining?.count,
    windowSeconds: limit.window ?? remaining?.window,
    source: source === undefined || source === '' ? undefined : source,
  });
}
