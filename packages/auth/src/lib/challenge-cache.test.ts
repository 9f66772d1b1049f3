import { describe, expect, it } from 'vitest';
import { parseChallenges } from './challenge.ts';
import { ChallengeCache, challengeEndpoint } from './challenge-cache.ts';

describe('ChallengeCache', () => {
  // Ported from distribution/distribution internal/client/auth/challenge/authchallenge_test.go
  // TestAuthChallengeNormalization (3 hosts) and TestFilteringManager (commit 0d6b721dc3ce,
  // Apache-2.0, the distribution project contributors). The lookup URLs are the canonical
  // forms distribution's addr.go computes (lower-cased host, default port added).
  it('finds challenges again under the normalized endpoint', () => {
    const cases: [label: string, requestUrl: string, header: string, lookupUrl: string][] = [
      [
        'upper-case host',
        'https://reg.EXAMPLE.com/v2/',
        'Bearer realm="https://reg.EXAMPLE.com/token",service="registry.example.com"',
        'https://reg.example.com:443/v2/',
      ],
      [
        'non-ASCII host',
        'https://bɿɒʜɔiɿ-ɿɘƚƨim-ƚol-ɒ-ƨʞnɒʜƚ.com/v2/',
        'Bearer realm="https://bɿɒʜɔiɿ-ɿɘƚƨim-ƚol-ɒ-ƨʞnɒʜƚ.com/token",service="registry.example.com"',
        'https://bɿɒʜɔiɿ-ɿɘƚƨim-ƚol-ɒ-ƨʞnɒʜƚ.com:443/v2/',
      ],
      [
        'explicit non-default port',
        'https://reg.example.com:80/v2/',
        'Bearer realm="https://reg.example.com:80/token",service="registry.example.com"',
        'https://reg.example.com:80/v2/',
      ],
    ];
    for (const [label, requestUrl, header, lookupUrl] of cases) {
      const cache = new ChallengeCache();
      cache.set(requestUrl, parseChallenges([header]));
      expect(cache.get(lookupUrl).length, label).toBeGreaterThanOrEqual(1);
      expect(cache.get(lookupUrl)[0]?.params.service, label).toBe('registry.example.com');
    }
  });

  it('keeps only the challenges the filter accepts (TestFilteringManager)', () => {
    const cache = new ChallengeCache({
      keep: (challenge) => challenge.params.service === 'keep.example.com',
    });
    cache.set(
      'https://registry.example.com/v2/',
      parseChallenges([
        'Bearer realm="https://auth.example.com/token",service="keep.example.com"',
        'Bearer realm="https://evil.example.net/token",service="drop.example.net"',
      ]),
    );
    const kept = cache.get('https://registry.example.com/v2/');
    expect(kept).toHaveLength(1);
    expect(kept[0]?.params.service).toBe('keep.example.com');
  });

  it('keys by scheme, host and port only', () => {
    const cases: [label: string, url: string, endpoint: string][] = [
      ['https default port', 'https://Reg.Example.com/v2/foo?x=1', 'https://reg.example.com:443'],
      ['http default port', 'http://127.0.0.1/v2/', 'http://127.0.0.1:80'],
      ['explicit default port', 'https://reg.example.com:443/', 'https://reg.example.com:443'],
      ['custom port', 'http://localhost:5000/v2/', 'http://localhost:5000'],
      ['IPv6', 'https://[::1]:5000/v2/', 'https://[::1]:5000'],
      ['user info dropped', 'https://user:secret@reg.example.com/', 'https://reg.example.com:443'],
    ];
    for (const [label, url, endpoint] of cases) {
      expect(challengeEndpoint(url), label).toBe(endpoint);
    }
    const cache = new ChallengeCache();
    cache.set('https://a.example/v2/', parseChallenges('Basic realm="a"'));
    expect(cache.get('https://a.example/v2/other')).toHaveLength(1);
    expect(cache.get('http://a.example/v2/')).toHaveLength(0);
    expect(cache.get('https://b.example/v2/')).toHaveLength(0);
    expect(cache.delete(new URL('https://A.example:443/'))).toBe(true);
    expect(cache.get('https://a.example/v2/')).toHaveLength(0);
  });

  it('rejects a relative URL without quoting it', () => {
    expect(() => challengeEndpoint('/v2/?token=secret')).toThrow(
      expect.objectContaining({
        code: 'OPTION_INVALID',
        message: expect.not.stringContaining('secret'),
      }),
    );
  });
});
