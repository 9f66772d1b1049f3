import { isOciError } from '@ocikit/digest';
import { describe, expect, it } from 'vitest';
import { IMAGE_LAYOUT_VERSION, parseImageLayout } from './layout.ts';

describe('parseImageLayout', () => {
  it('reads the oci-layout file and refuses anything but version 1.0.0', () => {
    expect(IMAGE_LAYOUT_VERSION).toBe('1.0.0');
    const encode = (text: string) => new TextEncoder().encode(text);
    expect(
      parseImageLayout(encode('{"imageLayoutVersion":"1.0.0","x":1}')).imageLayoutVersion,
    ).toBe('1.0.0');
    const cases: [label: string, input: string, message: RegExp][] = [
      ['not JSON', '{"imageLayoutVersion": 1.0.0}', /not valid JSON/],
      ['missing', '{}', /imageLayoutVersion is required/],
      ['other version', '{"imageLayoutVersion":"2.0.0"}', /must be "1.0.0", got "2.0.0"/],
      ['number', '{"imageLayoutVersion":1}', /must be "1.0.0", got 1/],
      ['array', '[]', /must be an object/],
    ];
    for (const [label, input, message] of cases) {
      let caught: unknown;
      try {
        parseImageLayout(encode(input));
      } catch (error) {
        caught = error;
      }
      expect(isOciError(caught, 'LAYOUT_INVALID'), label).toBe(true);
      expect((caught as Error).message, label).toMatch(message);
    }
  });
});
