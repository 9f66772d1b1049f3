import { OciError } from '@ocikit/digest';

/** How requests are retried after network errors, 502, 503, 504 and 429. */
export interface RetryOptions {
  /**
   * How many times a request is repeated after its first attempt.
   * @default 3
   */
  retries?: number;
  /**
   * The backoff before the first retry; it doubles with every retry.
   * @default 200
   */
  minDelayMs?: number;
  /**
   * The longest backoff between two attempts.
   * @default 10000
   */
  maxDelayMs?: number;
  /**
   * The longest `Retry-After` honoured; a server asking for more fails the
   * request at once with `TOOMANYREQUESTS`.
   * @default 60000
   */
  maxRetryAfterMs?: number;
  /**
   * The random source of the jitter, in [0, 1).
   * @default Math.random
   */
  random?: () => number;
}

/** {@link RetryOptions} with every default filled in. */
export type RetryPolicy = Required<RetryOptions>;

/**
 * Fills in and checks retry options.
 *
 * @param options - {@link RetryOptions}
 * @returns the complete policy
 * @throws {OciError} `OPTION_INVALID` for a negative or non-finite value
 */
export function retryPolicy(options: RetryOptions = {}): RetryPolicy {
  const policy: RetryPolicy = {
    retries: options.retries ?? 3,
    minDelayMs: options.minDelayMs ?? 200,
    maxDelayMs: options.maxDelayMs ?? 10_000,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
    random: options.random ?? Math.random,
  };
  for (const name of ['retries', 'minDelayMs', 'maxDelayMs', 'maxRetryAfterMs'] as const) {
    const value = policy[name];
    if (!Number.isFinite(value) || value < 0) {
      throw new OciError(
        'OPTION_INVALID',
        `retry.${name} must be a finite number ≥ 0, not ${value}`,
      );
    }
  }
  return policy;
}

/**
 * The wait before retry number `retry` (0-based): exponential backoff with
 * full jitter, `random() × min(maxDelayMs, minDelayMs × 2^retry)`.
 *
 * @param retry - how many retries came before this one
 * @param policy - the retry policy
 * @returns milliseconds to wait
 */
export function backoffDelay(retry: number, policy: RetryPolicy): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** retry);
  return Math.floor(policy.random() * ceiling);
}

/**
 * Reads a `Retry-After` header: delta-seconds or an HTTP date.
 *
 * @param value - the header value
 * @param now - the current time, in ms since the epoch
 * @returns milliseconds to wait (0 for a date in the past), or undefined
 *   when the header is absent or malformed
 * @see https://www.rfc-editor.org/rfc/rfc9110#field.retry-after
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date) || !/[a-z]/i.test(text)) return undefined;
  return Math.max(0, date - now);
}

/**
 * Tells whether a response status is worth another attempt: 429, 502, 503, 504.
 *
 * @param status - the HTTP status
 * @returns whether to retry
 */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504;
}

/**
 * How many retries a network failure gets, by its system error code: none
 * for a host name that does not resolve (`ENOTFOUND`: waiting does not make
 * it exist), one for a refused connection (`ECONNREFUSED`: a registry that
 * is restarting), the policy's `retries` for everything else (resets,
 * timeouts, a temporary DNS failure `EAI_AGAIN`).
 *
 * @param systemCode - the system error code behind the failure, if any
 * @param policy - the retry policy
 * @returns the most retries
 */
export function networkRetries(systemCode: string | undefined, policy: RetryPolicy): number {
  if (systemCode === 'ENOTFOUND') return 0;
  if (systemCode === 'ECONNREFUSED') return Math.min(1, policy.retries);
  return policy.retries;
}
