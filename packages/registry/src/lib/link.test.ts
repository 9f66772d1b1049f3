import { OciError } from '@ocikit/digest';
import { describe, expect, it } from 'vitest';
import { nextPage, parseNextLink } from './link.ts';

function page(url: string, link: string | undefined): Response {
  const response = new Response('{}', { headers: link === undefined ? {} : { link } });
  Object.defineProperty(response, 'url', { value: url });
  return response;
}

describe('parseNextLink', () => {
  it('finds the rel="next" target among links and parameters', () => {
    const cases: [string | null, string | undefined][] = [
      [null, undefined],
      ['</v2/x/tags/list?n=2&last=b>; rel="next"', '/v2/x/tags/list?n=2&last=b'],
      ['</a>; rel=next', '/a'],
      ['</prev>; rel="prev", </next>; rel="next"', '/next'],
      ['</both>; rel="prev next"', '/both'],
      ['</a>; type="text/html"; rel="NEXT"', '/a'],
      ['</a>; rel="prev"', undefined],
      [
        '<https://r.example/v2/_catalog?last=b&n=1>; rel="next"',
        'https://r.example/v2/_catalog?last=b&n=1',
      ],
      ['no angle brackets; rel="next"', undefined],
    ];
    for (const [header, expected] of cases)
      expect(parseNextLink(header), String(header)).toBe(expected);
  });
});

describe('nextPage', () => {
  const base = 'http://127.0.0.1:5000/v2/x/tags/list?n=2';

  it('resolves same-origin links, relative or absolute', () => {
    expect(nextPage(page(base, '</v2/x/tags/list?last=b>; rel="next"'), '127.0.0.1:5000')).toBe(
      'http://127.0.0.1:5000/v2/x/tags/list?last=b',
    );
    expect(
      nextPage(
        page(base, '<http://127.0.0.1:5000/v2/x/tags/list?last=c>; rel="next"'),
        '127.0.0.1:5000',
      ),
    ).toBe('http://127.0.0.1:5000/v2/x/tags/list?last=c');
    expect(nextPage(page(base, undefined), '127.0.0.1:5000')).toBeUndefined();
  });

  it('keeps a relative link a path when the response URL is unknown', () => {
    expect(nextPage(page('', '</v2/x/tags/list?last=b>; rel="next"'), 'r.test')).toBe(
      '/v2/x/tags/list?last=b',
    );
  });

  it('refuses a link to another origin, scheme or port', () => {
    for (const target of [
      'http://evil.example/v2/x/tags/list',
      'https://127.0.0.1:5000/v2/x/tags/list',
      'http://127.0.0.1:5001/v2/x/tags/list',
      '//evil.example/v2/',
    ]) {
      const error = (() => {
        try {
          nextPage(page(base, `<${target}>; rel="next"`), '127.0.0.1:5000');
        } catch (caught) {
          return caught;
        }
      })();
      expect(error, target).toBeInstanceOf(OciError);
      expect((error as OciError).code, target).toBe('REDIRECT_INVALID');
    }
  });

  it('refuses a link that is not http(s)', () => {
    expect(() =>
      nextPage(page(base, '<javascript:alert(1)>; rel="next"'), '127.0.0.1:5000'),
    ).toThrow(expect.objectContaining({ code: 'RESPONSE_INVALID' }));
  });
});
