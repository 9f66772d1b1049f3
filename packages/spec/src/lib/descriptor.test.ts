import { createHash } from 'node:crypto';
import { digestBytes, isOciError, OciError } from '@ocikit/digest';
import { describe, expect, it } from 'vitest';
import { descriptorData, EMPTY_DESCRIPTOR, validateDescriptor } from './descriptor.ts';
import { MediaType } from './media-types.ts';
import type { Descriptor } from './types.ts';

const D1 = 'sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270';

describe('EMPTY_DESCRIPTOR', () => {
  it('describes the two bytes {} and embeds them', () => {
    const oracle = `sha256:${createHash('sha256').update('{}').digest('hex')}`;
    expect(EMPTY_DESCRIPTOR).toEqual({
      mediaType: 'application/vnd.oci.empty.v1+json',
      digest: oracle,
      size: 2,
      data: 'e30=',
    });
    expect(Object.isFrozen(EMPTY_DESCRIPTOR)).toBe(true);
    expect(new TextDecoder().decode(descriptorData(EMPTY_DESCRIPTOR))).toBe('{}');
    expect(validateDescriptor(EMPTY_DESCRIPTOR)).toBe(EMPTY_DESCRIPTOR);
  });
});

describe('validateDescriptor', () => {
  it('returns the same object, typed', () => {
    const value = { mediaType: MediaType.OciImageManifest, digest: D1, size: 7682, extra: true };
    expect(validateDescriptor(value)).toBe(value);
  });

  it('names the field and the problem', () => {
    const base = { mediaType: MediaType.OciImageManifest, digest: D1, size: 7682 };
    const cases: [label: string, input: unknown, message: RegExp][] = [
      ['not an object', [], /the document must be an object, got an array/],
      ['no digest', { mediaType: 'a/b', size: 1 }, /digest is required/],
      ['no size', { mediaType: 'a/b', digest: D1 }, /size is required/],
      ['size null', { ...base, size: null }, /size must be a non-negative integer, got null/],
      ['size true', { ...base, size: true }, /size must be a non-negative integer, got true/],
      [
        'media type 128 characters',
        { ...base, mediaType: `${'a'.repeat(128)}/b` },
        /mediaType must be a media type/,
      ],
      [
        'media type with space',
        { ...base, mediaType: 'text/ plain' },
        /mediaType must be a media type/,
      ],
      ['urls not an array', { ...base, urls: 'https://x.test' }, /urls must be an array/],
      ['urls item not a string', { ...base, urls: [1] }, /urls\[0\] must be a string/],
      [
        'bad percent escape',
        { ...base, urls: ['https://x.test/%zz'] },
        /urls\[0\] must be an absolute URI/,
      ],
      ['data with whitespace', { ...base, size: 2, data: 'e3 0=' }, /data must be padded base64/],
      ['data url-safe alphabet', { ...base, size: 1, data: '-_==' }, /data must be padded base64/],
      [
        'artifactType empty',
        { ...base, artifactType: '' },
        /artifactType must be a media type, got ""/,
      ],
      [
        'platform without os',
        { ...base, platform: { architecture: 'amd64' } },
        /platform.os is required/,
      ],
      [
        'platform variant number',
        { ...base, platform: { architecture: 'arm', os: 'linux', variant: 7 } },
        /platform.variant must be a string/,
      ],
      ['long value shown cut', { ...base, mediaType: 'x'.repeat(500) }, /"x{80}…"/],
    ];
    for (const [label, input, message] of cases) {
      let caught: unknown;
      try {
        validateDescriptor(input);
      } catch (error) {
        caught = error;
      }
      expect(isOciError(caught, 'MANIFEST_INVALID'), label).toBe(true);
      expect((caught as Error).message, label).toMatch(/^Descriptor is invalid: /);
      expect((caught as Error).message, label).toMatch(message);
    }
  });
});

describe('descriptorData', () => {
  it('verifies embedded data before handing it out', () => {
    const bytes = new TextEncoder().encode('https://github.com/opencontainers\n');
    const good: Descriptor = {
      mediaType: 'text/plain',
      digest: digestBytes(bytes),
      size: 34,
      data: 'aHR0cHM6Ly9naXRodWIuY29tL29wZW5jb250YWluZXJzCg==',
    };
    expect(descriptorData(good)).toEqual(bytes);
    expect(descriptorData({ mediaType: 'text/plain', digest: D1, size: 3 })).toBeUndefined();
    const cases: [label: string, descriptor: Descriptor, code: string][] = [
      ['size mismatch', { ...good, size: 35 }, 'SIZE_MISMATCH'],
      ['digest mismatch', { ...good, digest: D1 }, 'DIGEST_MISMATCH'],
      ['unknown algorithm', { ...good, digest: 'foo:bar' }, 'DIGEST_UNSUPPORTED'],
      ['not base64', { ...good, data: 'not base64!' }, 'MANIFEST_INVALID'],
    ];
    for (const [label, descriptor, code] of cases) {
      let caught: unknown;
      try {
        descriptorData(descriptor);
      } catch (error) {
        caught = error;
      }
      expect(caught, label).toBeInstanceOf(OciError);
      expect((caught as OciError).code, label).toBe(code);
    }
  });
});
