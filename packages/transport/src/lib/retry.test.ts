import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  isRetryableStatus,
  networkRetries,
  parseRetryAfter,
  retryPolicy,
} from './retry.ts';

describe('parseRetryAfter', () => {
  const now = Date.parse('Mon, 23 Nov 2026 12:00:00 GMT');

  it('reads delta-seconds and HTTP dates, and nothing else', () => {
    const cases: [label: string, value: string | null, expected: number | undefined][] = [
      ['absent', null, undefined],
      ['zero', '0', 0],
      ['seconds', '120', 120_000],
      ['padded', ' 5 ', 5000],
      ['IMF date ahead', 'Mon, 23 Nov 2026 12:00:30 GMT', 30_000],
      ['date in the past', 'Mon, 23 Nov 2026 11:00:00 GMT', 0],
      ['negative', '-1', undefined],
      ['fraction', '1.5', undefined],
      ['garbage', 'soon', undefined],
      ['bare number-ish date', '2026', 2_026_000],
    ];
    for (const [label, value, expected] of cases)
      expect(parseRetryAfter(value, now), label).toBe(expected);
  });
});

describe('backoffDelay', () => {
  it('doubles the ceiling per retry up to the maximum, with full jitter', () => {
    const top = retryPolicy({ minDelayMs: 100, maxDelayMs: 1000, random: () => 0.999999 });
    expect([0, 1, 2, 3, 4, 10].map((retry) => backoffDelay(retry, top))).toEqual([
      99, 199, 399, 799, 999, 999,
    ]);
    const bottom = retryPolicy({ random: () => 0 });
    expect(backoffDelay(3, bottom)).toBe(0);
  });
});

describe('retryPolicy', () => {
  it('fills in defaults and refuses bad numbers', () => {
    expect(retryPolicy()).toMatchObject({
      retries: 3,
      minDelayMs: 200,
      maxDelayMs: 10_000,
      maxRetryAfterMs: 60_000,
    });
    for (const bad of [
      { retries: -1 },
      { minDelayMs: Number.NaN },
      { maxDelayMs: Number.POSITIVE_INFINITY },
    ]) {
      expect(() => retryPolicy(bad), JSON.stringify(bad)).toThrow(
        expect.objectContaining({ code: 'OPTION_INVALID' }),
      );
    }
  });
});

describe('isRetryableStatus', () => {
  it('retries 429, 502, 503 and 504 only', () => {
    const retried = [200, 301, 400, 401, 403, 404, 429, 500, 501, 502, 503, 504, 505].filter(
      isRetryableStatus,
    );
    expect(retried).toEqual([429, 502, 503, 504]);
  });
});

describe('networkRetries', () => {
  it('gives DNS misses none, refused connections one, and everything else the policy', () => {
    const policy = retryPolicy({ retries: 3 });
    const cases: [label: string, code: string | undefined, retries: number][] = [
      ['host does not resolve', 'ENOTFOUND', 0],
      ['temporary DNS failure', 'EAI_AGAIN', 3],
      ['connection refused', 'ECONNREFUSED', 1],
      ['connection reset', 'ECONNRESET', 3],
      ['no system code (timeout)', undefined, 3],
    ];
    for (const [label, code, retries] of cases) {
      expect(networkRetries(code, policy), label).toBe(retries);
    }
    expect(networkRetries('ECONNREFUSED', retryPolicy({ retries: 0 }))).toBe(0);
  });
});
