import { describe, expect, it } from 'vitest';
import { formatBytes, parseBytes, shortDigest } from './units.ts';

describe('formatBytes and shortDigest', () => {
  it('formats byte counts in binary units and shortens digests to 12 hex digits', () => {
    const cases: [string, string, string][] = [
      ['bytes', formatBytes(512), '512 B'],
      ['KiB boundary', formatBytes(1024), '1.0 KiB'],
      ['MiB', formatBytes(1.5 * 1024 * 1024), '1.5 MiB'],
      ['GiB', formatBytes(3 * 1024 ** 3), '3.0 GiB'],
      ['digest', shortDigest(`sha256:${'ab'.repeat(32)}`), 'sha256:abababababab'],
    ];
    for (const [label, actual, expected] of cases) expect(actual, label).toBe(expected);
  });
});

describe('parseBytes', () => {
  it('reads plain bytes, binary and decimal units, and refuses what is no size', () => {
    const cases: [string, number | undefined][] = [
      ['512', 512],
      ['64MiB', 64 * 1024 ** 2],
      ['1.5 GiB', 1.5 * 1024 ** 3],
      ['8G', 8 * 1024 ** 3],
      ['2GB', 2e9],
      ['100kb', 100_000],
      ['10B', 10],
      ['', undefined],
      ['-1GiB', undefined],
      ['1 PiB', undefined],
      ['GiB', undefined],
      ['1e3', undefined],
      ['99999999999999TiB', undefined],
    ];
    for (const [text, bytes] of cases) expect(parseBytes(text), text).toBe(bytes);
  });
});
