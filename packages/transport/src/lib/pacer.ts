import { delay, OciError } from '@ocikit/digest';

/**
 * What a registry says about its request budget: Docker Hub's
 * `ratelimit-limit: 100;w=21600` and `ratelimit-remaining: 76;w=21600`
 * (pulls per window of `w` seconds), and a `Retry-After` with a 429.
 */
export interface RateLimit {
  /** The quota (`ratelimit-limit`). */
  readonly limit?: number;
  /** What is left of it (`ratelimit-remaining`). */
  readonly remaining?: number;
  /** The window the quota counts over, in seconds (`w=`). */
  readonly windowSeconds?: number;
  /** How long to wait, in seconds: a 429's `Retry-After` in seconds, or `ratelimit-reset`. */
  readonly retryAfterSeconds?: number;
}

/**
 * Reads the rate-limit headers of a response (Docker Hub's, which follow
 * the IETF draft `RateLimit-Limit` / `RateLimit-Remaining` with a `w=`
 * window parameter).
 *
 * @param headers - the response headers
 * @returns the budget, or `undefined` when the response names none
 */
export function parseRateLimit(headers: Headers): RateLimit | undefined {
  const limit = quota(headers.get('ratelimit-limit'));
  const remaining = quota(headers.get('ratelimit-remaining'));
  if (limit === undefined && remaining === undefined) return undefined;
  const windowSeconds = remaining?.window ?? limit?.window;
  const retryAfter = seconds(headers.get('retry-after') ?? headers.get('ratelimit-reset'));
  return {
    ...(limit === undefined ? {} : { limit: limit.value }),
    ...(remaining === undefined ? {} : { remaining: remaining.value }),
    ...(windowSeconds === undefined ? {} : { windowSeconds }),
    ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }),
  };
}

/** `76;w=21600` → value 76, window 21600. */
function quota(value: string | null): { value: number; window?: number } | undefined {
  if (value === null) return undefined;
  const [head = '', ...params] = value.split(';');
  const amount = seconds(head);
  if (amount === undefined) return undefined;
  const window = params
    .map((param) => /^\s*w\s*=\s*(\d+)\s*$/.exec(param)?.[1])
    .find((found) => found !== undefined);
  return { value: amount, ...(window === undefined ? {} : { window: Number(window) }) };
}

function seconds(value: string | null): number | undefined {
  const text = value?.trim();
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}

/** A registry whose budget is spent, as {@link RegistryPacer.spent} reports it. */
export interface SpentRateLimit extends RateLimit {
  /** The registry, as named in references (`docker.io`). */
  readonly registry: string;
  /** The status of the response that said so (200 with `remaining` 0, or 429). */
  readonly status: number;
}

/** Options of a {@link RegistryPacer}. */
export interface RegistryPacerOptions {
  /**
   * The most requests per second sent to a registry: one number for every
   * registry, or one per registry name as in references (`docker.io`,
   * `localhost:5000`) with `*` for the others. A fraction such as 0.5 is
   * one request every 2 s.
   * @default no pacing
   */
  requestsPerSecond?: number | Readonly<Record<string, number>>;
  /**
   * How many requests may go at once after a quiet spell (the token
   * bucket's size).
   * @default 1
   */
  burst?: number;
  /**
   * A registry's budget counts as spent when its `ratelimit-remaining` is
   * at or below this (regsync's `ratelimit.min`).
   * @default 0
   */
  minRemaining?: number;
  /**
   * The clock, in ms.
   * @default performance.now
   */
  now?: () => number;
}

interface Bucket {
  readonly rate: number;
  tokens: number;
  at: number;
}

/**
 * Paces the requests of a {@link Transport} per registry (a token bucket of
 * `requestsPerSecond`, `burst` deep) and watches what registries say of
 * their rate limits. Hand its `beforeRequest` and `onResponse` to the
 * transport's options of the same names; every request the transport sends
 * (each retry, each redirect hop, each token request) then waits for the
 * bucket of the host it goes to (a registry's own host counts as the
 * registry, `docker.io`; a token realm or a storage host a download was
 * redirected to counts as itself, paced when it has a rate, or `*`), and {@link spent}
 * says when a registry's budget is used up, so a long job (a sync) can
 * stop starting new work.
 */
export class RegistryPacer {
  readonly #rates: (registry: string) => number | undefined;
  readonly #burst: number;
  readonly #minRemaining: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();
  readonly #limits = new Map<string, SpentRateLimit>();

  /**
   * @param options - {@link RegistryPacerOptions}
   * @throws {OciError} `OPTION_INVALID` for a rate that is not a positive
   *   number, or a `burst` or `minRemaining` that is not an integer (≥ 1, ≥ 0)
   */
  constructor(options: RegistryPacerOptions = {}) {
    const rates = options.requestsPerSecond;
    const table = typeof rates === 'number' ? { '*': rates } : (rates ?? {});
    for (const [registry, rate] of Object.entries(table)) {
      if (!Number.isFinite(rate) || rate <= 0) {
        throw new OciError(
          'OPTION_INVALID',
          `requestsPerSecond for "${registry}" must be a positive number, not ${rate}`,
        );
      }
    }
    this.#rates = (registry) => table[registry] ?? table['*'];
    this.#burst = options.burst ?? 1;
    if (!Number.isInteger(this.#burst) || this.#burst < 1) {
      throw new OciError('OPTION_INVALID', `burst must be an integer ≥ 1, not ${this.#burst}`);
    }
    this.#minRemaining = options.minRemaining ?? 0;
    if (!Number.isInteger(this.#minRemaining) || this.#minRemaining < 0) {
      throw new OciError(
        'OPTION_INVALID',
        `minRemaining must be an integer ≥ 0, not ${this.#minRemaining}`,
      );
    }
    this.#now = options.now ?? (() => performance.now());
  }

  /**
   * Waits until the registry's bucket has a token and takes it (requests
   * wait in the order they asked); returns at once for a registry without
   * a rate.
   *
   * @param request - the registry and `signal`
   * @throws {OciError} `ABORTED` when the signal fires while waiting
   */
  readonly beforeRequest = async (request: {
    readonly registry: string;
    readonly signal?: AbortSignal | undefined;
  }): Promise<void> => {
    const rate = this.#rates(request.registry);
    if (rate === undefined) return;
    const now = this.#now();
    let bucket = this.#buckets.get(request.registry);
    if (!bucket) {
      bucket = { rate, tokens: this.#burst, at: now };
      this.#buckets.set(request.registry, bucket);
    }
    bucket.tokens = Math.min(this.#burst, bucket.tokens + ((now - bucket.at) * rate) / 1000);
    bucket.at = now;
    bucket.tokens -= 1;
    if (bucket.tokens >= 0) return;
    const waitMs = (-bucket.tokens * 1000) / rate;
    try {
      await delay(Math.ceil(waitMs), request.signal);
    } catch (error) {
      bucket.tokens += 1; // the token was not used
      throw error;
    }
  };

  /**
   * Reads a response's rate-limit headers: a `ratelimit-remaining` at or
   * below `minRemaining`, or a 429 that carries rate-limit headers, marks
   * the registry's budget spent; a later response with more remaining
   * clears it.
   *
   * @param registry - the registry the response came from
   * @param response - the response (its body is not read)
   */
  readonly onResponse = (registry: string, response: Response): void => {
    const limit = parseRateLimit(response.headers);
    if (limit === undefined) return;
    const spent =
      response.status === 429 ||
      (limit.remaining !== undefined && limit.remaining <= this.#minRemaining);
    if (spent) this.#limits.set(registry, { registry, status: response.status, ...limit });
    else this.#limits.delete(registry);
  };

  /**
   * The first registry whose budget is spent, as its last rate-limit
   * headers said.
   *
   * @returns the registry and its limit, or `undefined` while every budget lasts
   */
  spent(): SpentRateLimit | undefined {
    return this.#limits.values().next().value;
  }
}
