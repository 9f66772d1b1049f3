import type { Descriptor } from '@ocikit/spec';
import { describe, expect, it } from 'vitest';
import { applyReferrerChange, referrersTag } from './referrers-fallback.ts';

describe('referrersTag', () => {
  it('follows the examples of the spec', () => {
    // distribution-spec spec.md, "Referrers Tag Schema" table (Apache-2.0).
    const a64 = 'a'.repeat(64);
    const cases: [string, string][] = [
      [`sha256:${a64}`, `sha256-${a64}`],
      [`sha512:${'a'.repeat(128)}`, `sha512-${a64}`],
      [
        'test+algorithm+using+algorithm+separators+and+lots+of+characters+to+excercise+overall+truncation:alsoSome=InTheEncodedSectionToShowHyphenReplacementAndLotsAndLotsOfCharactersToExcerciseEncodedTruncation',
        'test-algorithm-using-algorithm-s-alsoSome-InTheEncodedSectionToShowHyphenReplacementAndLotsAndLot',
      ],
    ];
    for (const [digest, tag] of cases) expect(referrersTag(digest), digest).toBe(tag);
  });

  it('refuses a malformed digest', () => {
    expect(() => referrersTag('nope')).toThrow(expect.objectContaining({ code: 'DIGEST_INVALID' }));
  });
});

describe('applyReferrerChange', () => {
  const entry = (n: number): Descriptor => ({
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: `sha256:${String(n).repeat(64).slice(0, 64)}`,
    size: n,
  });
  const [a, b, c] = [entry(1), entry(2), entry(3)];

  it('adds, removes and deduplicates, and says when nothing changes', () => {
    expect(applyReferrerChange([], { add: a })).toEqual([a]);
    expect(applyReferrerChange([a, b], { add: c })).toEqual([a, b, c]);
    expect(applyReferrerChange([a, b], { add: { ...b } })).toBeUndefined();
    expect(applyReferrerChange([a, b, a], { add: b })).toEqual([a, b]);
    expect(applyReferrerChange([a, b], { remove: a.digest })).toEqual([b]);
    expect(applyReferrerChange([a], { remove: c.digest })).toBeUndefined();
    expect(applyReferrerChange([a, a], { remove: a.digest })).toEqual([]);
  });
});
