import { isOciError } from '@ocikit/digest';
import { describe, expect, it } from 'vitest';
import {
  type Challenge,
  formatChallenge,
  MAX_CHALLENGE_LENGTH,
  parseChallenges,
} from './challenge.ts';

/** The challenges as plain objects, so that they compare with `toEqual` literals. */
function parsed(header: string | readonly string[] | Headers): object[] {
  return parseChallenges(header).map(({ scheme, params, token68 }) =>
    token68 === undefined
      ? { scheme, params: { ...params } }
      : { scheme, params: { ...params }, token68 },
  );
}

function failure(header: string | readonly string[]): string | undefined {
  try {
    parseChallenges(header);
    return undefined;
  } catch (error) {
    if (isOciError(error)) return error.code;
    throw error;
  }
}

describe('parseChallenges', () => {
  // Ported from distribution/distribution internal/client/auth/challenge/authchallenge_test.go
  // TestAuthChallengeParse (commit 0d6b721dc3ce, Apache-2.0, the distribution project
  // contributors), and containerd/containerd core/remotes/docker/auth/parse_test.go
  // TestParseAuthHeaderBearer and TestParseAuthHeader (commit 301026e58c61, Apache-2.0,
  // Copyright The containerd Authors).
  it('passes the distribution and containerd parse cases', () => {
    const cases: [
      label: string,
      header: string,
      expected: Record<string, string>,
      exact: boolean,
    ][] = [
      [
        'distribution TestAuthChallengeParse/0',
        'Bearer realm="https://auth.example.com/token",service="registry.example.com",other=fun,slashed="he\\"\\l\\lo"',
        {
          realm: 'https://auth.example.com/token',
          service: 'registry.example.com',
          other: 'fun',
          slashed: 'he"llo',
        },
        true,
      ],
      [
        'containerd TestParseAuthHeaderBearer/SingleScope',
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:foo/bar:pull,push"',
        {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:foo/bar:pull,push',
        },
        true,
      ],
      [
        'containerd TestParseAuthHeaderBearer/MultipleScopes',
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:foo/bar:pull,push repository:foo/baz:pull repository:foo/foo:push"',
        {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:foo/bar:pull,push repository:foo/baz:pull repository:foo/foo:push',
        },
        true,
      ],
      [
        'containerd TestParseAuthHeader/0 (empty quoted value kept)',
        'Bearer realm="https://auth.example.io/token",empty="",service="registry.example.io",scope="repository:library/hello-world:pull,push"',
        { empty: '', service: 'registry.example.io' },
        false,
      ],
    ];
    for (const [label, header, expected, exact] of cases) {
      const challenges = parseChallenges([header]);
      expect(challenges, label).toHaveLength(1);
      expect(challenges[0]?.scheme, label).toBe('bearer');
      if (exact) expect({ ...challenges[0]?.params }, label).toEqual(expected);
      else expect(challenges[0]?.params, label).toMatchObject(expected);
    }
  });

  it('parses the forms registries and RFC 9110 allow', () => {
    const cases: [label: string, header: string | string[], expected: object[]][] = [
      ['empty header', '', []],
      ['only separators', ' , ,, ', []],
      ['scheme alone', 'Basic', [{ scheme: 'basic', params: {} }]],
      [
        'case-insensitive scheme and names, values kept',
        'BEARER Realm="https://A/token",SERVICE=Reg',
        [{ scheme: 'bearer', params: { realm: 'https://A/token', service: 'Reg' } }],
      ],
      [
        'two challenges in one value',
        'Basic realm="basic", Bearer realm="https://auth/token",service="svc"',
        [
          { scheme: 'basic', params: { realm: 'basic' } },
          { scheme: 'bearer', params: { realm: 'https://auth/token', service: 'svc' } },
        ],
      ],
      [
        'two header values',
        ['Basic realm="a"', 'Bearer realm="b",error="insufficient_scope"'],
        [
          { scheme: 'basic', params: { realm: 'a' } },
          { scheme: 'bearer', params: { realm: 'b', error: 'insufficient_scope' } },
        ],
      ],
      [
        'commas and spaces inside quotes',
        'Bearer scope="repository:a:pull,push repository:b:pull", realm="x, y"',
        [
          {
            scheme: 'bearer',
            params: { scope: 'repository:a:pull,push repository:b:pull', realm: 'x, y' },
          },
        ],
      ],
      [
        'backslash escapes',
        'Bearer realm="a\\\\b\\"c\\d"',
        [{ scheme: 'bearer', params: { realm: 'a\\b"cd' } }],
      ],
      [
        'whitespace around "=" and commas',
        'Bearer  realm = "r" ,\tservice\t=\ts , , error="e"',
        [{ scheme: 'bearer', params: { realm: 'r', service: 's', error: 'e' } }],
      ],
      [
        'token68',
        'Negotiate abc+/de==',
        [{ scheme: 'negotiate', params: {}, token68: 'abc+/de==' }],
      ],
      [
        'a lone "name=" is a token68',
        'Bearer realm=',
        [{ scheme: 'bearer', params: {}, token68: 'realm=' }],
      ],
      [
        'token68 then another challenge',
        'Negotiate abc=, Basic realm="r"',
        [
          { scheme: 'negotiate', params: {}, token68: 'abc=' },
          { scheme: 'basic', params: { realm: 'r' } },
        ],
      ],
      [
        'scheme alone then another challenge',
        'Basic, Bearer realm="r"',
        [
          { scheme: 'basic', params: {} },
          { scheme: 'bearer', params: { realm: 'r' } },
        ],
      ],
      [
        'a repeated name keeps the last value',
        'Bearer a="1",a="2"',
        [{ scheme: 'bearer', params: { a: '2' } }],
      ],
      [
        'non-ASCII inside quotes',
        'Bearer realm="https://bɿɒʜɔiɿ.com/token"',
        [{ scheme: 'bearer', params: { realm: 'https://bɿɒʜɔiɿ.com/token' } }],
      ],
      [
        'a name that would be a prototype key',
        'Bearer __proto__="x",constructor="y"',
        [{ scheme: 'bearer', params: { ['__proto__']: 'x', constructor: 'y' } }],
      ],
    ];
    for (const [label, header, expected] of cases) {
      expect(parsed(header), label).toEqual(expected);
    }
  });

  it('reads the joined value of Headers', () => {
    const headers = new Headers();
    headers.append('WWW-Authenticate', 'Basic realm="a"');
    headers.append('www-authenticate', 'Bearer realm="b",service="s"');
    expect(parsed(headers)).toEqual([
      { scheme: 'basic', params: { realm: 'a' } },
      { scheme: 'bearer', params: { realm: 'b', service: 's' } },
    ]);
    expect(parseChallenges(new Headers())).toEqual([]);
  });

  it('rejects malformed input with CHALLENGE_INVALID', () => {
    const cases: [label: string, header: string][] = [
      ['unterminated quote', 'Bearer realm="abc'],
      ['escape at the end', 'Bearer realm="abc\\'],
      ['missing value', 'Bearer a="b",realm='],
      ['missing value before comma', 'Bearer realm=,service="s"'],
      ['no "=" after a name', 'Bearer realm "x"'],
      ['no space after the scheme', 'Bearer"x"'],
      ['starts with "="', '=Bearer'],
      ['garbage after a value', 'Bearer realm="x" service="y"'],
      ['non-token scheme', 'Bëarer realm="x"'],
      ['non-token unquoted value', 'Bearer realm=ẞ'],
      ['a lone quote', '"'],
      ['token68 followed by a param', 'Negotiate abc== realm="x"'],
    ];
    for (const [label, header] of cases) {
      expect(failure(header), label).toBe('CHALLENGE_INVALID');
    }
  });

  it('quotes the header and the position in its message', () => {
    expect(() => parseChallenges('Bearer realm="abc')).toThrow(
      /"Bearer realm=\\"abc".*position 17/,
    );
  });

  it('bounds the input with SIZE_EXCEEDED', () => {
    const long = `Bearer realm="${'a'.repeat(MAX_CHALLENGE_LENGTH)}"`;
    expect(failure(long)).toBe('SIZE_EXCEEDED');
    expect(failure(['Basic', 'x'.repeat(MAX_CHALLENGE_LENGTH)])).toBe('SIZE_EXCEEDED');
  });

  it('returns challenges or CHALLENGE_INVALID for random input, quickly', () => {
    // A fixed-seed generator (mulberry32), so a failure can be reproduced.
    let seed = 0x5eed;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const alphabet = [
      'a',
      'B',
      '=',
      '"',
      '\\',
      ',',
      ' ',
      '\t',
      'realm',
      'Bearer',
      '/',
      ':',
      'ẞ',
      '\u0000',
      '==',
    ];
    const started = performance.now();
    for (let round = 0; round < 5000; round += 1) {
      const length = Math.floor(random() * 40);
      let header = '';
      for (let index = 0; index < length; index += 1) {
        header += alphabet[Math.floor(random() * alphabet.length)];
      }
      const outcome = failure(header);
      expect([undefined, 'CHALLENGE_INVALID'], JSON.stringify(header)).toContain(outcome);
    }
    const pathological = `Bearer ${'a="\\\\",'.repeat(8000)}`;
    expect(parseChallenges(pathological)).toHaveLength(1);
    expect(failure(`Bearer ${', '.repeat(30_000)}"`)).toBe('CHALLENGE_INVALID');
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe('formatChallenge', () => {
  it('round-trips through parseChallenges, escaping quotes and backslashes', () => {
    const cases: [label: string, challenge: Challenge, text: string][] = [
      [
        'bearer',
        { scheme: 'Bearer', params: { realm: 'https://auth/token', service: 'reg' } },
        'Bearer realm="https://auth/token",service="reg"',
      ],
      [
        'escapes',
        { scheme: 'Basic', params: { realm: 'a"b\\c, d' } },
        'Basic realm="a\\"b\\\\c, d"',
      ],
      ['empty value', { scheme: 'Bearer', params: { empty: '' } }, 'Bearer empty=""'],
      ['no params', { scheme: 'Basic', params: {} }, 'Basic'],
      ['token68', { scheme: 'Negotiate', params: {}, token68: 'YWJj==' }, 'Negotiate YWJj=='],
    ];
    for (const [label, challenge, text] of cases) {
      expect(formatChallenge(challenge), label).toBe(text);
      const [back] = parseChallenges(text);
      expect(back?.scheme, label).toBe(challenge.scheme.toLowerCase());
      expect({ ...back?.params }, label).toEqual(challenge.params);
      expect(back?.token68, label).toBe(challenge.token68);
    }
  });

  it('rejects names and schemes that are not tokens', () => {
    const cases: [label: string, challenge: Challenge][] = [
      ['scheme with a space', { scheme: 'Bad scheme', params: {} }],
      ['param with "="', { scheme: 'Bearer', params: { 'a=b': 'c' } }],
      ['token68 with a space', { scheme: 'Negotiate', params: {}, token68: 'a b' }],
    ];
    for (const [label, challenge] of cases) {
      expect(() => formatChallenge(challenge), label).toThrow(
        expect.objectContaining({ code: 'OPTION_INVALID' }),
      );
    }
  });
});
