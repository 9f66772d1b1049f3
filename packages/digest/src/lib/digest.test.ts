import { describe, expect, it } from 'vitest';
import { formatDigest, isDigest, parseDigest, supportedAlgorithms } from './digest.ts';
import { isOciError } from './errors.ts';

const SHA256 = 'e58fcf7418d4390dec8e8fb69d88c06ec07039d651fedd3aa72af9972e7d046b';
const SHA384 =
  'd3fc7881460b7e22e3d172954463dddd7866d17597e7248453c48b3e9d26d9596bf9c4a9cf8072c9d5bad76e19af801d';

type Outcome = 'ok' | 'DIGEST_INVALID' | 'DIGEST_UNSUPPORTED';

function outcome(input: string, requireSupported: boolean): Outcome {
  try {
    const parsed = parseDigest(input, { requireSupported });
    expect(parsed.digest).toBe(input);
    expect(`${parsed.algorithm}:${parsed.encoded}`).toBe(input);
    expect(parseDigest(parsed.digest).digest).toBe(input);
    return 'ok';
  } catch (error) {
    if (isOciError(error, 'DIGEST_INVALID') || isOciError(error, 'DIGEST_UNSUPPORTED')) {
      return error.code as Outcome;
    }
    throw error;
  }
}

describe('parseDigest', () => {
  // Ported from opencontainers/go-digest digest_test.go TestParseDigest
  // (Apache-2.0, commit 137fd2bb009d). go-digest's Parse rejects algorithms it
  // cannot compute, which is parseDigest with requireSupported. Its
  // ErrDigestInvalidFormat and ErrDigestInvalidLength are both DIGEST_INVALID
  // here; ErrDigestUnsupported is DIGEST_UNSUPPORTED.
  it('passes the go-digest TestParseDigest table', () => {
    const cases: [label: string, input: string, expected: Outcome][] = [
      ['0 sha256', `sha256:${SHA256}`, 'ok'],
      ['1 sha384', `sha384:${SHA384}`, 'ok'],
      ['2 empty', '', 'DIGEST_INVALID'],
      ['3 blanks', '     ', 'DIGEST_INVALID'],
      ['4 no encoded', 'sha256:', 'DIGEST_INVALID'],
      ['5 blank encoded', `sha256:${' '.repeat(64)}`, 'DIGEST_INVALID'],
      ['6 colon', ':', 'DIGEST_INVALID'],
      ['7 no algorithm', 'd41d8cd98f00b204e9800998ecf8427e', 'DIGEST_INVALID'],
      ['8 short, not hex', 'sha256:d41d8cd98f00b204e9800m98ecf8427e', 'DIGEST_INVALID'],
      ['9 short', 'sha256:abcdef0123456789', 'DIGEST_INVALID'],
      ['10 sha512 short', `sha512:${'abcdef0123456789'.repeat(4)}`, 'DIGEST_INVALID'],
      ['11 unknown algorithm', 'foo:d41d8cd98f00b204e9800998ecf8427e', 'DIGEST_UNSUPPORTED'],
      ['12 doubled separator', `sha384__foo+bar:${SHA384}`, 'DIGEST_INVALID'],
      ['13 dotted algorithm', `sha384.foo+bar:${SHA384}`, 'DIGEST_UNSUPPORTED'],
      ['14 underscored algorithm', `sha384_foo+bar:${SHA384}`, 'DIGEST_UNSUPPORTED'],
      [
        '15 base64 encoding',
        'sha256+b64:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564',
        'DIGEST_UNSUPPORTED',
      ],
      ['16 upper case', `sha256:${SHA256.toUpperCase()}`, 'DIGEST_INVALID'],
      // go-digest blake3/blake3_test.go TestBLAKE3: blake3 is not computed here.
      [
        'blake3',
        `blake3:af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262`,
        'DIGEST_UNSUPPORTED',
      ],
    ];
    for (const [label, input, expected] of cases) {
      expect(outcome(input, true), label).toBe(expected);
    }
  });

  it('lets well-formed digests of unknown algorithms through by default', () => {
    const cases: [label: string, input: string, expected: Outcome][] = [
      ['unknown algorithm', 'foo:d41d8cd98f00b204e9800998ecf8427e', 'ok'],
      ['separators', `sha384.foo+bar:${SHA384}`, 'ok'],
      ['base64url encoding', 'sha256+b64:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564', 'ok'],
      ['multihash-ish', 'multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8', 'ok'],
      ['doubled separator', `sha384__foo+bar:${SHA384}`, 'DIGEST_INVALID'],
      ['trailing separator', 'sha256-:abc', 'DIGEST_INVALID'],
      ['leading separator', '-sha256:abc', 'DIGEST_INVALID'],
      ['upper-case algorithm', 'SHA256:abc', 'DIGEST_INVALID'],
      ['glob in algorithm', 'sha25*:abc', 'DIGEST_INVALID'],
      ['space in encoded', 'foo:abc def', 'DIGEST_INVALID'],
      ['slash in encoded', 'foo:abc/def', 'DIGEST_INVALID'],
      ['sha256 still strict', `sha256:${SHA256.slice(1)}`, 'DIGEST_INVALID'],
    ];
    for (const [label, input, expected] of cases) {
      expect(outcome(input, false), label).toBe(expected);
    }
    expect(parseDigest('foo:abc').supported).toBe(false);
    expect(parseDigest(`sha256:${SHA256}`).supported).toBe(true);
  });

  it('accepts the algorithm names go-digest accepts for registration', () => {
    // go-digest algorithm_test.go Test{Good,Bad}AlgorithmNameRegistration.
    for (const name of ['sha256-test', 'sha256_384']) {
      expect(isDigest(`${name}:abc`), name).toBe(true);
    }
    for (const name of ['sha256-', '-', 'SHA256', 'sha25*']) {
      expect(isDigest(`${name}:abc`), name).toBe(false);
    }
  });

  it('quotes the bad value and the lengths in its message', () => {
    expect(() => parseDigest('sha256:abcdef0123456789')).toThrow(
      /"sha256:abcdef0123456789".*64.*16/,
    );
  });

  it('formats a digest from its parts', () => {
    expect(formatDigest('sha256', SHA256)).toBe(`sha256:${SHA256}`);
    expect(() => formatDigest('sha256', 'nothex')).toThrow(/Invalid digest/);
    expect(supportedAlgorithms()[0]).toBe('sha256');
  });
});
