import { createHash } from 'node:crypto';
import { type Digest, digestBytes, isOciError, OciError, type OciErrorCode } from '@ocikit/digest';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_MANIFEST_SIZE, type ParsedManifest, parseManifest } from './manifest.ts';
import { MediaType } from './media-types.ts';

const D1 = 'sha256:c86f7763873b6c0aae22d963bab59b4f5debbed6685761b5951584f6efb0633b';
const D2 = 'sha256:9d3dd9504c685a304985025df4ed0283e47ac9ffa9bd0326fddf4d59513f0827';
const utf8 = new TextEncoder();

function descriptor(mediaType: string, digest = D1, size = 1470): Record<string, unknown> {
  return { mediaType, digest, size };
}

function ociManifest(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemaVersion: 2,
    mediaType: MediaType.OciImageManifest,
    config: descriptor(MediaType.OciImageConfig),
    layers: [descriptor(MediaType.OciLayerGzip, D2, 675598)],
    ...extra,
  };
}

function ociIndex(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemaVersion: 2,
    mediaType: MediaType.OciImageIndex,
    manifests: [
      {
        ...descriptor(MediaType.OciImageManifest),
        platform: { architecture: 'amd64', os: 'linux' },
      },
    ],
    ...extra,
  };
}

function bytesOf(document: unknown): Uint8Array {
  return utf8.encode(typeof document === 'string' ? document : JSON.stringify(document));
}

type Outcome = 'ok' | OciErrorCode;

function outcome(input: unknown, contentType?: string): [Outcome, string] {
  try {
    const parsed = parseManifest(bytesOf(input), { contentType });
    return ['ok', parsed.kind];
  } catch (error) {
    if (error instanceof OciError) return [error.code, error.message];
    throw error;
  }
}

describe('parseManifest', () => {
  it('keeps the exact bytes and hashes them, whitespace and all', () => {
    const text = `\n  {"schemaVersion" : 2,\t"mediaType":"${MediaType.OciImageManifest}",
      "config": ${JSON.stringify(descriptor(MediaType.OciImageConfig))},
      "layers": [${JSON.stringify(descriptor(MediaType.OciLayerGzip))}] }  \r\n`;
    const bytes = utf8.encode(text);
    const parsed = parseManifest(bytes);
    const oracle = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    expect(parsed.kind).toBe('manifest');
    expect(parsed.digest).toBe(oracle);
    expect(parsed.size).toBe(bytes.byteLength);
    expect(parsed.bytes).toEqual(bytes);
    expect(parsed.descriptor).toEqual({
      mediaType: MediaType.OciImageManifest,
      digest: oracle,
      size: bytes.byteLength,
    });
    expect(new TextDecoder().decode(parsed.bytes)).toBe(text);
  });

  it('owns a copy of the bytes, even of a view into a larger buffer', () => {
    const document = bytesOf(ociManifest());
    const pool = new Uint8Array(document.byteLength + 20).fill(0x20);
    pool.set(document, 7);
    const view = pool.subarray(7, 7 + document.byteLength);
    const parsed = parseManifest(view);
    pool.fill(0);
    expect(parsed.bytes.byteOffset).toBe(0);
    expect(parsed.bytes.buffer.byteLength).toBe(document.byteLength);
    expect(parsed.bytes).toEqual(document);
    expect(parsed.digest).toBe(digestBytes(document));
    const buffer = Buffer.from(document);
    expect(parseManifest(buffer).bytes).not.toBeInstanceOf(Buffer);
  });

  it('returns a deep-frozen view', () => {
    const parsed = parseManifest(bytesOf(ociManifest({ annotations: { a: 'b' } })));
    expect(Object.isFrozen(parsed)).toBe(true);
    expect(Object.isFrozen(parsed.value)).toBe(true);
    expect(Object.isFrozen(parsed.descriptor)).toBe(true);
    if (parsed.kind !== 'manifest') throw new Error('expected a manifest');
    expect(Object.isFrozen(parsed.value.layers[0])).toBe(true);
    expect(Object.isFrozen(parsed.value.annotations)).toBe(true);
    expect(() => {
      (parsed.value.annotations as Record<string, string>).a = 'c';
    }).toThrow(TypeError);
  });

  it('tells the type from Content-Type, mediaType or shape', () => {
    const { mediaType: _omit, ...bareManifest } = ociManifest();
    const { mediaType: _omitToo, ...bareIndex } = ociIndex();
    const docker = ociManifest({ mediaType: MediaType.DockerManifest });
    const dockerList = ociIndex({ mediaType: MediaType.DockerManifestList });
    const schema1 = {
      schemaVersion: 1,
      name: 'library/x',
      tag: 'latest',
      fsLayers: [{ blobSum: D1 }],
    };
    const cases: [
      label: string,
      input: unknown,
      contentType: string | undefined,
      kind: string,
      mediaType: string,
    ][] = [
      ['OCI manifest by field', ociManifest(), undefined, 'manifest', MediaType.OciImageManifest],
      ['OCI index by field', ociIndex(), undefined, 'index', MediaType.OciImageIndex],
      ['Docker manifest by field', docker, undefined, 'manifest', MediaType.DockerManifest],
      ['Docker list by field', dockerList, undefined, 'index', MediaType.DockerManifestList],
      ['manifest by shape', bareManifest, undefined, 'manifest', MediaType.OciImageManifest],
      ['index by shape', bareIndex, undefined, 'index', MediaType.OciImageIndex],
      ['schema 1 by shape', schema1, undefined, 'schema1', MediaType.DockerSchema1Manifest],
      [
        'signed schema 1 by shape',
        { ...schema1, signatures: [{}] },
        undefined,
        'schema1',
        MediaType.DockerSchema1SignedManifest,
      ],
      [
        'Content-Type',
        ociManifest(),
        MediaType.OciImageManifest,
        'manifest',
        MediaType.OciImageManifest,
      ],
      [
        'Content-Type with parameters and case',
        ociManifest(),
        ' Application/VND.oci.image.manifest.v1+json; charset=utf-8',
        'manifest',
        MediaType.OciImageManifest,
      ],
      [
        'Content-Type without field',
        bareIndex,
        MediaType.DockerManifestList,
        'index',
        MediaType.DockerManifestList,
      ],
      [
        'application/json detects',
        docker,
        'application/json',
        'manifest',
        MediaType.DockerManifest,
      ],
      ['empty Content-Type detects', dockerList, '', 'index', MediaType.DockerManifestList],
      [
        'schema 1 Content-Type',
        schema1,
        MediaType.DockerSchema1SignedManifest,
        'schema1',
        MediaType.DockerSchema1SignedManifest,
      ],
    ];
    for (const [label, input, contentType, kind, mediaType] of cases) {
      const parsed = parseManifest(bytesOf(input), { contentType });
      expect(parsed.kind, label).toBe(kind);
      expect(parsed.mediaType, label).toBe(mediaType);
      expect(parsed.descriptor.mediaType, label).toBe(mediaType);
    }
    expect(parseManifest(bytesOf(ociManifest()), { contentType: null }).kind).toBe('manifest');
  });

  it('refuses hostile and malformed documents with a coded error naming the field', () => {
    const huge = 2 ** 53;
    const cases: [
      label: string,
      input: unknown,
      contentType: string | undefined,
      code: Outcome,
      message?: RegExp,
    ][] = [
      ['invalid JSON', '{"schemaVersion": 2,', undefined, 'MANIFEST_INVALID', /not valid JSON/],
      ['empty input', '', undefined, 'MANIFEST_INVALID', /not valid JSON/],
      [
        'array',
        '[]',
        undefined,
        'MANIFEST_INVALID',
        /the document must be an object, got an array/,
      ],
      ['string', '"manifest"', undefined, 'MANIFEST_INVALID', /must be an object, got "manifest"/],
      ['null', 'null', undefined, 'MANIFEST_INVALID', /must be an object, got null/],
      ['number', '2', undefined, 'MANIFEST_INVALID', /must be an object, got 2/],
      ['no clue to the type', { schemaVersion: 2 }, undefined, 'MANIFEST_INVALID', /tell its type/],
      [
        'unknown mediaType field',
        ociManifest({ mediaType: 'application/vnd.example+json' }),
        undefined,
        'UNSUPPORTED_MEDIA_TYPE',
        /"application\/vnd.example\+json"/,
      ],
      [
        'mediaType field not a string',
        ociManifest({ mediaType: 7 }),
        undefined,
        'MANIFEST_INVALID',
        /mediaType must be a string, got 7/,
      ],
      [
        'unknown Content-Type',
        ociManifest(),
        'application/octet-stream',
        'UNSUPPORTED_MEDIA_TYPE',
        /"application\/octet-stream"/,
      ],
      [
        'layer type as Content-Type',
        ociManifest(),
        MediaType.OciLayerGzip,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      [
        'mediaType disagrees with Content-Type',
        ociManifest(),
        MediaType.DockerManifest,
        'MANIFEST_INVALID',
        /mediaType is "application\/vnd.oci.image.manifest.v1\+json", but the Content-Type is "application\/vnd.docker.distribution.manifest.v2\+json"/,
      ],
      [
        'index served as a manifest',
        ociIndex({ mediaType: undefined }),
        MediaType.OciImageManifest,
        'MANIFEST_INVALID',
        /manifests must not appear/,
      ],
      [
        'manifest with manifests (ambiguous)',
        ociManifest({ manifests: [] }),
        undefined,
        'MANIFEST_INVALID',
        /manifests must not appear/,
      ],
      [
        'index with layers (ambiguous)',
        ociIndex({ layers: [] }),
        undefined,
        'MANIFEST_INVALID',
        /layers must not appear/,
      ],
      [
        'index with config (ambiguous)',
        ociIndex({ config: {} }),
        undefined,
        'MANIFEST_INVALID',
        /config must not appear/,
      ],
      [
        'schemaVersion 1 in OCI',
        ociManifest({ schemaVersion: 1 }),
        undefined,
        'MANIFEST_INVALID',
        /schemaVersion must be 2, got 1/,
      ],
      [
        'schemaVersion as string',
        ociManifest({ schemaVersion: '2' }),
        undefined,
        'MANIFEST_INVALID',
        /schemaVersion must be 2, got "2"/,
      ],
      [
        'schemaVersion missing',
        ociManifest({ schemaVersion: undefined }),
        undefined,
        'MANIFEST_INVALID',
        /schemaVersion is required/,
      ],
      [
        'layers not an array',
        ociManifest({ layers: {} }),
        undefined,
        'MANIFEST_INVALID',
        /layers must be an array, got an object/,
      ],
      [
        'no layers in OCI',
        ociManifest({ layers: [] }),
        undefined,
        'MANIFEST_INVALID',
        /layers must have at least 1 entry/,
      ],
      [
        'config null',
        ociManifest({ config: null }),
        undefined,
        'MANIFEST_INVALID',
        /config must be an object, got null/,
      ],
      [
        'size as string',
        ociManifest({ config: { ...descriptor(MediaType.OciImageConfig), size: '1470' } }),
        undefined,
        'MANIFEST_INVALID',
        /config.size must be a non-negative integer, got "1470"/,
      ],
      [
        'negative size',
        ociManifest({ config: descriptor(MediaType.OciImageConfig, D1, -1) }),
        undefined,
        'MANIFEST_INVALID',
        /config.size must be a non-negative integer, got -1/,
      ],
      [
        'fractional size',
        ociManifest({ config: descriptor(MediaType.OciImageConfig, D1, 1.5) }),
        undefined,
        'MANIFEST_INVALID',
        /got 1.5/,
      ],
      [
        'size past 2^53',
        ociManifest({ config: descriptor(MediaType.OciImageConfig, D1, huge) }),
        undefined,
        'MANIFEST_INVALID',
        /over the 9007199254740991-byte limit/,
      ],
      [
        'size 1e400 (Infinity)',
        '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"a/b","digest":"' +
          D1 +
          '","size":1e400},"layers":[]}',
        undefined,
        'MANIFEST_INVALID',
        /got Infinity/,
      ],
      [
        'digest not a string',
        ociManifest({ config: { ...descriptor(MediaType.OciImageConfig), digest: 5 } }),
        undefined,
        'MANIFEST_INVALID',
        /config.digest must be a string/,
      ],
      [
        'short sha256',
        ociManifest({ config: descriptor(MediaType.OciImageConfig, 'sha256:abc') }),
        undefined,
        'MANIFEST_INVALID',
        /config.digest must be a digest, got "sha256:abc"/,
      ],
      [
        'mediaType with parameters',
        ociManifest({ config: descriptor('application/json; charset=utf-8') }),
        undefined,
        'MANIFEST_INVALID',
        /config.mediaType must be a media type/,
      ],
      [
        'annotations non-string value',
        ociManifest({ annotations: { a: 1 } }),
        undefined,
        'MANIFEST_INVALID',
        /annotations.a must be a string, got 1/,
      ],
      [
        'annotations null value',
        ociManifest({ annotations: { 'com.example/x y': null } }),
        undefined,
        'MANIFEST_INVALID',
        /annotations."com.example\/x y" must be a string, got null/,
      ],
      [
        'annotations an array',
        ociManifest({ annotations: ['a=b'] }),
        undefined,
        'MANIFEST_INVALID',
        /annotations must be an object, got an array/,
      ],
      [
        'annotations null',
        ociManifest({ annotations: null }),
        undefined,
        'MANIFEST_INVALID',
        /annotations must be an object, got null/,
      ],
      [
        'layer annotations',
        ociManifest({ layers: [{ ...descriptor(MediaType.OciLayer), annotations: { a: true } }] }),
        undefined,
        'MANIFEST_INVALID',
        /layers\[0\].annotations.a must be a string, got true/,
      ],
      [
        'urls not URIs',
        ociManifest({
          layers: [{ ...descriptor(MediaType.DockerForeignLayer), urls: ['relative/path'] }],
        }),
        undefined,
        'MANIFEST_INVALID',
        /layers\[0\].urls\[0\] must be an absolute URI/,
      ],
      [
        'urls with a space',
        ociManifest({
          layers: [{ ...descriptor(MediaType.DockerForeignLayer), urls: ['https://x.test/a b'] }],
        }),
        undefined,
        'MANIFEST_INVALID',
        /must be an absolute URI/,
      ],
      [
        'artifactType invalid',
        ociManifest({ artifactType: 'sbom' }),
        undefined,
        'MANIFEST_INVALID',
        /artifactType must be a media type, got "sbom"/,
      ],
      [
        'subject a string',
        ociManifest({ subject: D1 }),
        undefined,
        'MANIFEST_INVALID',
        /subject must be an object/,
      ],
      [
        'subject without size',
        ociManifest({ subject: { mediaType: MediaType.OciImageManifest, digest: D1 } }),
        undefined,
        'MANIFEST_INVALID',
        /subject.size is required/,
      ],
      [
        'platform not an object',
        ociIndex({
          manifests: [{ ...descriptor(MediaType.OciImageManifest), platform: 'linux/amd64' }],
        }),
        undefined,
        'MANIFEST_INVALID',
        /manifests\[0\].platform must be an object/,
      ],
      [
        'platform os.features not strings',
        ociIndex({
          manifests: [
            {
              ...descriptor(MediaType.OciImageManifest),
              platform: { os: 'windows', architecture: 'amd64', 'os.features': [1] },
            },
          ],
        }),
        undefined,
        'MANIFEST_INVALID',
        /manifests\[0\].platform.os.features\[0\] must be a string/,
      ],
      [
        'index entry negative size',
        ociIndex({ manifests: [descriptor(MediaType.OciImageManifest, D1, -5)] }),
        undefined,
        'MANIFEST_INVALID',
        /manifests\[0\].size/,
      ],
      [
        'data not base64',
        ociManifest({ config: { ...descriptor(MediaType.OciEmpty, D1, 2), data: 'e30' } }),
        undefined,
        'MANIFEST_INVALID',
        /config.data must be padded base64/,
      ],
      [
        'data of the wrong size',
        ociManifest({ config: { ...descriptor(MediaType.OciEmpty, D1, 3), data: 'e30=' } }),
        undefined,
        'MANIFEST_INVALID',
        /config.data holds 2 bytes, but the descriptor's size is 3/,
      ],
      [
        'data of the wrong digest',
        ociManifest({ config: { ...descriptor(MediaType.OciEmpty, D1, 2), data: 'e30=' } }),
        undefined,
        'MANIFEST_INVALID',
        /config.data hashes to sha256:44136fa3/,
      ],
      [
        'schema 1 without layers',
        { schemaVersion: 1, fsLayers: [] },
        undefined,
        'MANIFEST_INVALID',
        /fsLayers must have at least 1 entry/,
      ],
      [
        'schema 1 bad blobSum',
        { schemaVersion: 1, fsLayers: [{ blobSum: 'nope' }] },
        undefined,
        'MANIFEST_INVALID',
        /fsLayers\[0\].blobSum must be a digest/,
      ],
      [
        'schema 1 history mismatch',
        { schemaVersion: 1, fsLayers: [{ blobSum: D1 }], history: [] },
        undefined,
        'MANIFEST_INVALID',
        /history has 0 entries for 1 fsLayers/,
      ],
      [
        'schema 1 version 2',
        { schemaVersion: 2, fsLayers: [{ blobSum: D1 }] },
        MediaType.DockerSchema1Manifest,
        'MANIFEST_INVALID',
        /schemaVersion must be 1/,
      ],
    ];
    for (const [label, input, contentType, code, message] of cases) {
      const [actual, detail] = outcome(input, contentType);
      expect(actual, `${label}: ${detail}`).toBe(code);
      if (message) expect(detail, label).toMatch(message);
    }
  });

  it('accepts what the spec allows', () => {
    const cases: [label: string, input: unknown][] = [
      ['unknown members', ociManifest({ 'x-extension': { nested: [1, 2, 3] } })],
      [
        'unknown digest algorithm',
        ociManifest({
          config: descriptor(
            MediaType.OciImageConfig,
            'multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8',
          ),
        }),
      ],
      [
        'sha512 digest',
        ociManifest({ config: descriptor(MediaType.OciImageConfig, `sha512:${'a'.repeat(128)}`) }),
      ],
      [
        'Docker schema 2 without layers',
        ociManifest({ mediaType: MediaType.DockerManifest, layers: [] }),
      ],
      [
        'index of indexes',
        ociIndex({
          manifests: [
            descriptor(MediaType.OciImageIndex),
            descriptor(MediaType.DockerManifestList, D2),
          ],
        }),
      ],
      ['empty index', ociIndex({ manifests: [] })],
      [
        'size zero',
        ociManifest({
          layers: [
            descriptor(
              MediaType.OciLayer,
              'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
              0,
            ),
          ],
        }),
      ],
      [
        'largest safe size',
        ociManifest({ layers: [descriptor(MediaType.OciLayer, D1, Number.MAX_SAFE_INTEGER)] }),
      ],
      [
        'data matching',
        ociManifest({
          artifactType: 'application/vnd.example',
          config: {
            mediaType: MediaType.OciEmpty,
            digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
            size: 2,
            data: 'e30=',
          },
        }),
      ],
      [
        'data of an unknown algorithm',
        ociManifest({
          config: { mediaType: MediaType.OciEmpty, digest: 'foo:bar', size: 2, data: 'e30=' },
        }),
      ],
      [
        'foreign layer with urls',
        ociManifest({
          mediaType: MediaType.DockerManifest,
          layers: [
            {
              ...descriptor(MediaType.DockerForeignLayer),
              urls: ['https://go.microsoft.com/fwlink/?linkid=837858'],
            },
          ],
        }),
      ],
      [
        'unicode annotation',
        ociManifest({ annotations: { 'org.opencontainers.image.title': 'café ☕ 𝄞' } }),
      ],
    ];
    for (const [label, input] of cases) {
      expect(outcome(input), label).toEqual(['ok', expect.any(String)]);
    }
  });

  it('keeps the last of duplicate members, as Go encoding/json does', () => {
    const text = `{"schemaVersion":2,"mediaType":"${MediaType.DockerManifest}","mediaType":"${MediaType.OciImageManifest}","config":${JSON.stringify(descriptor(MediaType.OciImageConfig))},"layers":[${JSON.stringify(descriptor(MediaType.OciLayer))}]}`;
    const parsed = parseManifest(utf8.encode(text));
    expect(parsed.mediaType).toBe(MediaType.OciImageManifest);
    expect(parsed.digest).toBe(digestBytes(text));
  });

  it('keeps a __proto__ annotation as data', () => {
    const text = JSON.stringify(ociManifest()).replace(/}$/, ',"annotations":{"__proto__":"x"}}');
    const parsed = parseManifest(utf8.encode(text));
    if (parsed.kind !== 'manifest') throw new Error('expected a manifest');
    expect(Object.getPrototypeOf(parsed.value.annotations)).toBe(Object.prototype);
    expect(Object.entries(parsed.value.annotations ?? {})).toEqual([['__proto__', 'x']]);
    const bad = text.replace('"x"', '{"polluted":true}');
    expect(outcome(bad)).toEqual([
      'MANIFEST_INVALID',
      expect.stringMatching(/annotations.__proto__ must be a string, got an object/),
    ]);
  });

  it('refuses a byte order mark and invalid UTF-8', () => {
    const document = bytesOf(ociManifest());
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...document]);
    expect(() => parseManifest(withBom)).toThrow(/byte order mark/);
    const invalid = new Uint8Array([...document.slice(0, -2), 0xff, 0x7d]);
    expect(() => parseManifest(invalid)).toThrow(/not valid UTF-8/);
  });

  it('survives deep nesting in members it does not read', () => {
    const depth = 100_000;
    const text = JSON.stringify(ociManifest()).replace(
      /}$/,
      `,"x":${'['.repeat(depth)}${']'.repeat(depth)}}`,
    );
    expect(parseManifest(utf8.encode(text)).kind).toBe('manifest');
  });

  it('caps the size at 4 MiB by default, and at maxSize', () => {
    expect(DEFAULT_MAX_MANIFEST_SIZE).toBe(4 * 1024 * 1024);
    const document = bytesOf(ociManifest());
    const padded = new Uint8Array(DEFAULT_MAX_MANIFEST_SIZE + 1).fill(0x20);
    padded.set(document);
    let caught: unknown;
    try {
      parseManifest(padded);
    } catch (error) {
      caught = error;
    }
    expect(isOciError(caught, 'SIZE_EXCEEDED')).toBe(true);
    expect((caught as Error).message).toContain(`${DEFAULT_MAX_MANIFEST_SIZE + 1} bytes`);
    expect((caught as Error).message).toContain(`${DEFAULT_MAX_MANIFEST_SIZE}-byte limit`);
    expect(parseManifest(padded.subarray(0, DEFAULT_MAX_MANIFEST_SIZE)).kind).toBe('manifest');
    expect(parseManifest(document, { maxSize: document.byteLength }).size).toBe(
      document.byteLength,
    );
    expect(() => parseManifest(document, { maxSize: document.byteLength - 1 })).toThrow(
      expect.objectContaining({ code: 'SIZE_EXCEEDED' }),
    );
    for (const maxSize of [-1, 1.5, Number.NaN]) {
      expect(() => parseManifest(document, { maxSize }), String(maxSize)).toThrow(
        expect.objectContaining({ code: 'OPTION_INVALID' }),
      );
    }
  });

  it('checks the bytes against an expected digest, in its algorithm', () => {
    const document = bytesOf(ociIndex());
    const sha256 = digestBytes(document);
    const sha512 = digestBytes(document, 'sha512');
    expect(parseManifest(document, { expectedDigest: sha256 }).digest).toBe(sha256);
    expect(parseManifest(document, { expectedDigest: sha512 }).digest).toBe(sha512);
    const other: Digest = digestBytes('other');
    expect(() => parseManifest(document, { expectedDigest: other })).toThrow(
      expect.objectContaining({ code: 'DIGEST_MISMATCH' }),
    );
    // The digest is checked before the JSON: wrong bytes are a mismatch, not an invalid manifest.
    expect(() => parseManifest(utf8.encode('not json'), { expectedDigest: sha256 })).toThrow(
      expect.objectContaining({ code: 'DIGEST_MISMATCH' }),
    );
    expect(() => parseManifest(document, { expectedDigest: 'foo:bar' })).toThrow(
      expect.objectContaining({ code: 'DIGEST_UNSUPPORTED' }),
    );
    expect(() => parseManifest(document, { expectedDigest: 'sha256:x' as Digest })).toThrow(
      expect.objectContaining({ code: 'DIGEST_INVALID' }),
    );
  });

  it('narrows the result by kind', () => {
    const parsed: ParsedManifest = parseManifest(bytesOf(ociIndex()));
    if (parsed.kind === 'index') {
      expect(parsed.value.manifests[0]?.platform).toEqual({ architecture: 'amd64', os: 'linux' });
    } else {
      throw new Error('expected an index');
    }
    const schema1 = parseManifest(
      bytesOf({
        schemaVersion: 1,
        fsLayers: [{ blobSum: D1 }, { blobSum: D2 }],
        history: [{ v1Compatibility: '{}' }, { v1Compatibility: '{}' }],
      }),
    );
    if (schema1.kind !== 'schema1') throw new Error('expected schema 1');
    expect(schema1.value.fsLayers.map((layer) => layer.blobSum)).toEqual([D1, D2]);
  });
});
