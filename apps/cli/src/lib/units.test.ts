import { describe, expect, it } from 'vitest';
import { formatBytes, shortDigest } from './units.ts';

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
