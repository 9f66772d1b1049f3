import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isOciError, OciError } from '@ocikit/digest';
import { describe, expect, it } from 'vitest';
import { Checker } from './check.ts';
import { parseImageConfig } from './config.ts';
import { validateDescriptor } from './descriptor.ts';
import { parseJsonBytes } from './json.ts';
import { parseImageLayout } from './layout.ts';
import { parseManifest } from './manifest.ts';
import { MediaType } from './media-types.ts';

// The 84 cases of opencontainers/image-spec's schema tests (manifest_test.go,
// descriptor_test.go, imageindex_test.go, config_test.go,
// imagelayout_test.go, backwards_compatibility_test.go, and spec_test.go,
// which validates every ```json example of the spec's markdown files), at
// commit 13cff54902ec9ad6320cbc487a685b66fcd67171. Copyright 2016 The Linux
// Foundation, Apache-2.0. The documents are in testdata/image-spec.json,
// byte-for-byte. Every case runs through ocikit's public parsers, and no
// case differs from the Go validator's verdict.

interface VectorCase {
  id: string;
  test: string;
  validator: string;
  valid: boolean;
  comment?: string;
  input: string;
  input_digest?: string;
  converted_input?: string;
}

const fixture = JSON.parse(
  readFileSync(new URL('../testdata/image-spec.json', import.meta.url), 'utf8'),
) as { commit: string; count: number; cases: VectorCase[] };

const utf8 = new TextEncoder();

/** Runs a document through the parser ocikit uses for what the Go validator validates. */
function validate(validator: string, input: string, contentType?: string): OciError | undefined {
  const bytes = utf8.encode(input);
  try {
    switch (validator) {
      case MediaType.OciDescriptor:
        validateDescriptor(parseJsonBytes(bytes, new Checker('MANIFEST_INVALID', 'Descriptor')));
        break;
      case MediaType.OciImageManifest:
      case MediaType.OciImageIndex: {
        const parsed = parseManifest(bytes, { contentType });
        const oracle = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
        expect(parsed.digest, 'digest of the exact bytes').toBe(oracle);
        expect(parsed.bytes).toEqual(bytes);
        break;
      }
      case MediaType.OciImageConfig:
        parseImageConfig(bytes);
        break;
      case MediaType.OciLayoutHeader:
        parseImageLayout(bytes);
        break;
      default:
        throw new Error(`no parser for ${validator}`);
    }
    return undefined;
  } catch (error) {
    if (error instanceof OciError) return error;
    throw error;
  }
}

describe('image-spec schema vectors', () => {
  it('holds all 84 cases of the pinned commit', () => {
    expect(fixture.commit).toBe('13cff54902ec9ad6320cbc487a685b66fcd67171');
    expect(fixture.cases).toHaveLength(84);
    expect(fixture.count).toBe(84);
  });

  it('gives the Go validator verdict on every non-compatibility case', () => {
    const cases = fixture.cases.filter((c) => !c.test.startsWith('TestBackwardsCompatibility'));
    expect(cases).toHaveLength(80);
    for (const c of cases) {
      const label = `${c.id}: ${c.comment ?? ''}`;
      const error = validate(c.validator, c.input, c.validator);
      expect(error === undefined, `${label} ${error?.message ?? ''}`).toBe(c.valid);
      if (error) {
        expect(['MANIFEST_INVALID', 'LAYOUT_INVALID'], label).toContain(error.code);
      }
      if (c.validator === MediaType.OciImageManifest || c.validator === MediaType.OciImageIndex) {
        // Without a Content-Type the type comes from the document: same verdict.
        expect(validate(c.validator, c.input) === undefined, `${label} (detected)`).toBe(c.valid);
      }
    }
  });

  it('reads the Docker documents of the compatibility cases natively, and their OCI conversions', () => {
    const cases = fixture.cases.filter((c) => c.test.startsWith('TestBackwardsCompatibility'));
    expect(cases).toHaveLength(4);
    for (const c of cases) {
      expect(c.valid, c.id).toBe(true);
      const bytes = utf8.encode(c.input);
      if (c.validator === MediaType.OciImageConfig) {
        expect(() => parseImageConfig(bytes), c.id).not.toThrow();
      } else {
        // The Docker media type is read from the document; the digest is the
        // one the Go test pins, the sha256 of the exact bytes.
        const parsed = parseManifest(bytes);
        const docker =
          c.validator === MediaType.OciImageIndex
            ? MediaType.DockerManifestList
            : MediaType.DockerManifest;
        expect(parsed.mediaType, c.id).toBe(docker);
        expect(parsed.digest, c.id).toBe(c.input_digest);
        expect(parseManifest(bytes, { contentType: docker }).digest, c.id).toBe(c.input_digest);
      }
      expect(validate(c.validator, c.converted_input ?? '', c.validator), c.id).toBeUndefined();
    }
  });

  it('names the field in the error of each failing case', () => {
    const failures: [id: string, expected: RegExp][] = [
      ['schema/manifest_test.go/TestManifest/0', /config\.mediaType must be a media type/],
      ['schema/manifest_test.go/TestManifest/1', /not valid JSON/],
      [
        'schema/manifest_test.go/TestManifest/2',
        /layers\[0\]\.size must be a non-negative integer/,
      ],
      ['schema/manifest_test.go/TestManifest/5', /layers must have at least 1 entry/],
      ['schema/manifest_test.go/TestManifest/8', /subject must be an object/],
      ['schema/manifest_test.go/TestManifest/9', /layers\[0\]\.digest must be a digest/],
      ['schema/descriptor_test.go/TestDescriptor/2', /mediaType is required/],
      ['schema/descriptor_test.go/TestDescriptor/15', /digest must be a digest/],
      ['schema/descriptor_test.go/TestDescriptor/17', /urls\[0\] must be an absolute URI/],
      ['schema/descriptor_test.go/TestDescriptor/29', /data must be padded base64/],
      [
        'schema/descriptor_test.go/TestDescriptor/30',
        /size must be a non-negative integer, got -7682/,
      ],
      [
        'schema/imageindex_test.go/TestImageIndex/3',
        /manifests\[0\]\.platform\.architecture is required/,
      ],
      [
        'schema/imageindex_test.go/TestImageIndex/5',
        /manifests\[0\]\.mediaType must be a media type/,
      ],
      ['schema/config_test.go/TestConfig/0', /os must be a string, got 123/],
      ['schema/config_test.go/TestConfig/2', /config\.User must be a string/],
      ['schema/config_test.go/TestConfig/9', /config\.Env\[0\] must be NAME=value, got "foo"/],
      ['schema/imagelayout_test.go/TestImageLayout/0', /not valid JSON/],
    ];
    for (const [id, expected] of failures) {
      const c = fixture.cases.find((entry) => entry.id === id);
      expect(c, id).toBeDefined();
      const error = validate(c?.validator ?? '', c?.input ?? '', c?.validator);
      expect(isOciError(error), id).toBe(true);
      expect(error?.message, id).toMatch(expected);
    }
  });
});
