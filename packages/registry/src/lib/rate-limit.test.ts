import { describe, expect, it } from 'vitest';
import { parseRateLimit } from './rate-limit.ts';

describe('parseRateLimit', () => {
  it("reads Docker Hub's rate-limit headers", () => {
    const cases: [label: string, headers: Record<string, string>, expected: unknown][] = [
      ['none', {}, undefined],
      [
        'limit and remaining',
        { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '76;w=21600' },
        { limit: 100, remaining: 76, windowSeconds: 21600, source: undefined },
      ],
      [
        'with the source',
        {
          'ratelimit-limit': '200;w=21600',
          'ratelimit-remaining': '0;w=21600',
          'docker-ratelimit-source': '192.0.2.1',
        },
        { limit: 200, remaining: 0, windowSeconds: 21600, source: '192.0.2.1' },
      ],
      [
        'limit only',
        { 'ratelimit-limit': '5' },
        { limit: 5, remaining: undefined, windowSeconds: undefined, source: undefined },
      ],
      [
        'window on remaining only',
        { 'ratelimit-limit': '5', 'ratelimit-remaining': '4;w=60' },
        { limit: 5, remaining: 4, windowSeconds: 60, source: undefined },
      ],
      ['malformed limit', { 'ratelimit-limit': 'lots' }, undefined],
      [
        'malformed remaining',
        { 'ratelimit-limit': '5;w=60', 'ratelimit-remaining': '-1' },
        { limit: 5, remaining: undefined, windowSeconds: 60, source: undefined },
      ],
    ];
    for (const [label, headers, expected] of cases) {
      expect(parseRateLimit(new Headers(headers)), label).toEqual(expected);
    }
  });
});
