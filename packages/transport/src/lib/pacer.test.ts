import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseRateLimit, RegistryPacer } from './pacer.ts';

describe('parseRateLimit', () => {
  it("reads Docker Hub's rate-limit headers, with their window, and a Retry-After", () => {
    const cases: [string, Record<string, string>, ReturnType<typeof parseRateLimit>][] = [
      [
        'Docker Hub',
        { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '76;w=21600' },
        { limit: 100, remaining: 76, windowSeconds: 21600 },
      ],
      [
        'spent, with a 429 Retry-After',
        {
          'ratelimit-limit': '100;w=21600',
          'ratelimit-remaining': '0;w=21600',
          'retry-after': '60',
        },
        { limit: 100, remaining: 0, windowSeconds: 21600, retryAfterSeconds: 60 },
      ],
      ['remaining alone, no window', { 'ratelimit-remaining': '3' }, { remaining: 3 }],
      [
        'spaces around the parameter',
        { 'ratelimit-remaining': '5; w = 60' },
        { remaining: 5, windowSeconds: 60 },
      ],
      [
        'ratelimit-reset',
        { 'ratelimit-remaining': '0', 'ratelimit-reset': '30' },
        { remaining: 0, retryAfterSeconds: 30 },
      ],
      ['none', { 'retry-after': '5' }, undefined],
      ['not a number', { 'ratelimit-remaining': 'lots' }, undefined],
    ];
    for (const [label, headers, expected] of cases) {
      expect([label, parseRateLimit(new Headers(headers))]).toEqual([label, expected]);
    }
  });
});

describe('RegistryPacer', () => {
  const response = (status: number, headers: Record<string, string>) =>
    new Response(null, { status, headers });

  it('marks a registry spent at minRemaining or on a 429 with rate-limit headers, and clears it when the budget grows', () => {
    const pacer = new RegistryPacer({ minRemaining: 2 });
    pacer.onResponse('docker.io', response(200, { 'ratelimit-remaining': '3;w=21600' }));
    expect(pacer.spent()).toBeUndefined();
    pacer.onResponse('docker.io', response(200, { 'ratelimit-remaining': '2;w=21600' }));
    expect(pacer.spent()).toMatchObject({
      registry: 'docker.io',
      remaining: 2,
      windowSeconds: 21600,
    });
    pacer.onResponse('docker.io', response(200, { 'ratelimit-remaining': '90;w=21600' }));
    expect(pacer.spent()).toBeUndefined();
    pacer.onResponse('quay.io', response(429, { 'retry-after': '9' }));
    expect(pacer.spent()).toBeUndefined(); // a 429 without rate-limit headers is the transport's to retry
    pacer.onResponse('ghcr.io', response(429, { 'ratelimit-limit': '10;w=60' }));
    expect(pacer.spent()).toMatchObject({ registry: 'ghcr.io', status: 429, limit: 10 });
  });

  it('refuses a rate that is not positive, and a bad burst or minRemaining', () => {
    for (const options of [
      { requestsPerSecond: 0 },
      { requestsPerSecond: { 'docker.io': -1 } },
      { requestsPerSecond: Number.NaN },
      { burst: 0 },
      { minRemaining: -1 },
    ]) {
      expect(() => new RegistryPacer(options), JSON.stringify(options)).toThrow(
        expect.objectContaining({ code: 'OPTION_INVALID' }),
      );
    }
  });

  it('stops waiting for a token when the signal fires, with ABORTED', async () => {
    const pacer = new RegistryPacer({ requestsPerSecond: 0.001 });
    await pacer.beforeRequest({ registry: 'r' });
    const controller = new AbortController();
    const waiting = pacer.beforeRequest({ registry: 'r', signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'ABORTED' });
    const aborted = pacer.beforeRequest({ registry: 'r', signal: AbortSignal.abort() });
    await expect(aborted).rejects.toMatchObject({ code: 'ABORTED' });
  });

  describe('with fake timers', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('lets burst requests go at once, then one per 1/rate s, in the order they asked; other registries are not held', async () => {
      vi.useFakeTimers();
      const pacer = new RegistryPacer({
        requestsPerSecond: { paced: 10 },
        burst: 3,
        now: () => Date.now(),
      });
      const started = Date.now();
      const sent: [number, number][] = [];
      const waits = Array.from({ length: 6 }, (_, n) =>
        pacer.beforeRequest({ registry: 'paced' }).then(() => sent.push([n, Date.now() - started])),
      );
      await pacer.beforeRequest({ registry: 'free' });
      await vi.advanceTimersByTimeAsync(0);
      expect(sent).toEqual([
        [0, 0],
        [1, 0],
        [2, 0],
      ]);
      await vi.advanceTimersByTimeAsync(300);
      await Promise.all(waits);
      expect(sent).toEqual([
        [0, 0],
        [1, 0],
        [2, 0],
        [3, 100],
        [4, 200],
        [5, 300],
      ]);
    });
  });
});
