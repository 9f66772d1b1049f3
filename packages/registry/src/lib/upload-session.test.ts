import { describe, expect, it } from 'vitest';
import { uploadOffset } from './upload-session.ts';

describe('uploadOffset', () => {
  it('reads the Range of an upload, settling the ambiguous 0-0', () => {
    const cases: [
      label: string,
      value: string | null,
      expected: number | undefined,
      result: number | undefined,
    ][] = [
      ['missing', null, undefined, undefined],
      ['fresh session (distribution)', '0-0', undefined, 0],
      ['one byte, expected', '0-0', 1, 1],
      ['fresh, expected 0', '0-0', 0, 0],
      ['after 5 bytes', '0-4', undefined, 5],
      ['bytes= prefix', 'bytes=0-99', undefined, 100],
      ['malformed', '5-9', undefined, undefined],
      ['garbage', 'lots', undefined, undefined],
    ];
    for (const [label, value, expected, result] of cases) {
      expect(uploadOffset(value, expected), label).toBe(result);
    }
  });
});
