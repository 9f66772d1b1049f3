import { describe, expect, it } from 'vitest';
import {
  addressOf,
  appendQuery,
  catalogPath,
  manifestPath,
  referrersPath,
  resolveHandedOut,
  tagsPath,
  uploadsPath,
} from './urls.ts';

describe('paths', () => {
  it('builds the endpoints of the spec', () => {
    expect(manifestPath('a/b', 'v1')).toBe('/v2/a/b/manifests/v1');
    expect(manifestPath('a', 'sha256:00', ['x', 'y'])).toBe(
      '/v2/a/manifests/sha256:00?tag=x&tag=y',
    );
    expect(uploadsPath('a')).toBe('/v2/a/blobs/uploads/');
    expect(
      uploadsPath('a', { mount: 'sha256:1', from: 'b/c', 'digest-algorithm': undefined }),
    ).toBe('/v2/a/blobs/uploads/?mount=sha256%3A1&from=b%2Fc');
    expect(tagsPath('a', {})).toBe('/v2/a/tags/list');
    expect(tagsPath('a', { n: 10, last: 'v1' })).toBe('/v2/a/tags/list?n=10&last=v1');
    expect(catalogPath({ n: 5 })).toBe('/v2/_catalog?n=5');
    expect(referrersPath('a', 'sha256:1', 'application/vnd.x+json')).toBe(
      '/v2/a/referrers/sha256:1?artifactType=application%2Fvnd.x%2Bjson',
    );
  });
});

describe('appendQuery', () => {
  it('keeps the location query as it is and adds the parameter', () => {
    const cases: [string, string][] = [
      [
        'http://r/v2/a/blobs/uploads/u?_state=ab%3D%3D',
        'http://r/v2/a/blobs/uploads/u?_state=ab%3D%3D&digest=sha256%3A1',
      ],
      ['/v2/a/blobs/uploads/u', '/v2/a/blobs/uploads/u?digest=sha256%3A1'],
      ['/v2/a/blobs/uploads/u?', '/v2/a/blobs/uploads/u?digest=sha256%3A1'],
      ['/u?x=1&', '/u?x=1&digest=sha256%3A1'],
      ['/u?x=1#frag', '/u?x=1&digest=sha256%3A1'],
    ];
    for (const [location, expected] of cases) {
      expect(appendQuery(location, 'digest', 'sha256:1'), location).toBe(expected);
    }
  });
});

describe('resolveHandedOut', () => {
  const from = (url: string) => {
    const response = new Response(null, { status: 202 });
    Object.defineProperty(response, 'url', { value: url });
    return response;
  };

  it('resolves against the response URL, or keeps an absolute path', () => {
    expect(
      resolveHandedOut('/v2/a/blobs/uploads/u?s=1', from('http://r:5000/v2/a/blobs/uploads/'), 'x'),
    ).toBe('http://r:5000/v2/a/blobs/uploads/u?s=1');
    expect(resolveHandedOut('u?s=1', from('http://r/v2/a/blobs/uploads/'), 'x')).toBe(
      'http://r/v2/a/blobs/uploads/u?s=1',
    );
    expect(resolveHandedOut('https://s3.example/b?sig=1', from('http://r/v2/'), 'x')).toBe(
      'https://s3.example/b?sig=1',
    );
    expect(resolveHandedOut('/v2/a/u', from(''), 'x')).toBe('/v2/a/u');
  });

  it('refuses what cannot be requested', () => {
    for (const value of ['u?s=1', '//other/x', 'ftp://x/y']) {
      expect(() => resolveHandedOut(value, from(''), 'upload Location'), value).toThrow(
        expect.objectContaining({ code: 'RESPONSE_INVALID' }),
      );
    }
    expect(() => resolveHandedOut('ftp://x/y', from('http://r/'), 'x')).toThrow();
  });

  it('addresses paths and URLs', () => {
    expect(addressOf('/v2/')).toEqual({ path: '/v2/' });
    expect(addressOf('http://r/v2/')).toEqual({ url: 'http://r/v2/' });
  });
});
