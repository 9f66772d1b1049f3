import { createHash } from 'node:crypto';
import { isOciError } from '@ocikit/digest';
import { describe, expect, it } from 'vitest';
import { createImageIndex, createImageManifest } from './build.ts';
import { EMPTY_DESCRIPTOR } from './descriptor.ts';
import { parseManifest } from './manifest.ts';
import { MediaType } from './media-types.ts';
import type { Descriptor, StringMap } from './types.ts';

const D1 = 'sha256:e258d248fda94c63753607f7c4494ee0fcbe92f1a76bfdac795c9d84101eb317';
const D2 = 'sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270';

function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

describe('createImageManifest', () => {
  it('writes canonical bytes in the member order of Go specs-go/v1, and hashes them', () => {
    const built = createImageManifest({
      artifactType: 'application/vnd.example+type',
      config: EMPTY_DESCRIPTOR,
      layers: [
        {
          size: 1234,
          annotations: { 'org.opencontainers.image.title': 'a & <b>', 'com.example.a': '\u2028' },
          digest: D1,
          mediaType: 'application/vnd.example+type',
        },
      ],
      annotations: { b: '2', a: '1' },
    });
    const expected =
      '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",' +
      '"artifactType":"application/vnd.example+type",' +
      '"config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2,"data":"e30="},' +
      `"layers":[{"mediaType":"application/vnd.example+type","digest":"${D1}","size":1234,` +
      '"annotations":{"com.example.a":"\\u2028","org.opencontainers.image.title":"a \\u0026 \\u003cb\\u003e"}}],' +
      '"annotations":{"a":"1","b":"2"}}';
    expect(text(built.bytes)).toBe(expected);
    expect(built.digest).toBe(`sha256:${createHash('sha256').update(expected).digest('hex')}`);
    expect(built.kind).toBe('manifest');
    expect(built.descriptor).toEqual({
      mediaType: MediaType.OciImageManifest,
      digest: built.digest,
      size: built.bytes.byteLength,
    });
    expect(built.value.layers[0]?.annotations?.['org.opencontainers.image.title']).toBe('a & <b>');
    const reparsed = parseManifest(built.bytes, { contentType: built.mediaType });
    expect(reparsed.digest).toBe(built.digest);
    expect(reparsed.value).toEqual(built.value);
  });

  it('gives the same bytes whatever the key order of its input, and leaves empty members out', () => {
    const layer: Descriptor = { mediaType: MediaType.OciLayerGzip, digest: D1, size: 10 };
    const reordered: Descriptor = {
      size: 10,
      digest: D1,
      mediaType: MediaType.OciLayerGzip,
      urls: [],
      annotations: {},
    };
    const config: Descriptor = { mediaType: MediaType.OciImageConfig, digest: D2, size: 7 };
    const a = createImageManifest({ config, layers: [layer] });
    const b = createImageManifest({
      layers: [reordered],
      config,
      annotations: {},
      artifactType: '',
    });
    expect(text(b.bytes)).toBe(text(a.bytes));
    expect(b.digest).toBe(a.digest);
    expect(text(a.bytes)).toBe(
      `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"${D2}","size":7},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"${D1}","size":10}]}`,
    );
  });

  it('builds subject, urls, platform and a sha512 digest', () => {
    const built = createImageManifest(
      {
        config: { mediaType: MediaType.OciImageConfig, digest: D2, size: 7 },
        layers: [
          {
            mediaType: MediaType.OciLayerNondistributableGzip,
            digest: D1,
            size: 3,
            urls: ['https://x.test/l'],
          },
        ],
        subject: { mediaType: MediaType.OciImageManifest, digest: D2, size: 9 },
      },
      { algorithm: 'sha512' },
    );
    expect(built.digest).toMatch(/^sha512:[0-9a-f]{128}$/);
    expect(built.value.subject).toEqual({
      mediaType: MediaType.OciImageManifest,
      digest: D2,
      size: 9,
    });
    expect(text(built.bytes)).toContain('"urls":["https://x.test/l"]');
  });

  it('keeps a __proto__ annotation as data', () => {
    const annotations = JSON.parse('{"__proto__":"x","a":"y"}') as StringMap;
    const built = createImageManifest({
      config: EMPTY_DESCRIPTOR,
      artifactType: 'a/b',
      layers: [EMPTY_DESCRIPTOR],
      annotations,
    });
    expect(text(built.bytes)).toContain('"annotations":{"__proto__":"x","a":"y"}');
    expect(Object.entries(built.value.annotations ?? {})).toEqual([
      ['__proto__', 'x'],
      ['a', 'y'],
    ]);
  });

  it('refuses what it must not build', () => {
    const config: Descriptor = { mediaType: MediaType.OciImageConfig, digest: D2, size: 7 };
    const layer: Descriptor = { mediaType: MediaType.OciLayer, digest: D1, size: 1 };
    const cases: [label: string, build: () => unknown, code: string, message: RegExp][] = [
      [
        'no layers in OCI',
        () => createImageManifest({ config, layers: [] }),
        'MANIFEST_INVALID',
        /layers must have at least 1 entry/,
      ],
      [
        'empty config without artifactType',
        () => createImageManifest({ config: EMPTY_DESCRIPTOR, layers: [layer] }),
        'MANIFEST_INVALID',
        /artifactType is required/,
      ],
      [
        'bad layer',
        () => createImageManifest({ config, layers: [{ ...layer, digest: 'sha256:1' as never }] }),
        'MANIFEST_INVALID',
        /layers\[0\].digest must be a digest/,
      ],
      [
        'missing size',
        () =>
          createImageManifest({
            config: { mediaType: 'a/b', digest: D1 } as unknown as Descriptor,
            layers: [layer],
          }),
        'MANIFEST_INVALID',
        /config.size is required/,
      ],
      [
        'annotations not strings',
        () => createImageManifest({ config, layers: [layer], annotations: { a: 1 } as never }),
        'MANIFEST_INVALID',
        /annotations.a must be a string/,
      ],
      [
        'annotations not an object',
        () => createImageManifest({ config, layers: [layer], annotations: 'a' as never }),
        'MANIFEST_INVALID',
        /annotations must be an object/,
      ],
      [
        'layers not an array',
        () => createImageManifest({ config, layers: 'x' as never }),
        'MANIFEST_INVALID',
        /layers must be an array/,
      ],
      [
        'Docker with annotations',
        () =>
          createImageManifest({
            mediaType: MediaType.DockerManifest,
            config,
            layers: [],
            annotations: {},
          }),
        'MANIFEST_INVALID',
        /has no annotations/,
      ],
      [
        'Docker list with subject',
        () =>
          createImageIndex({
            mediaType: MediaType.DockerManifestList,
            manifests: [],
            subject: layer,
          }),
        'MANIFEST_INVALID',
        /has no subject/,
      ],
      [
        'too big',
        () => createImageManifest({ config, layers: [layer] }, { maxSize: 100 }),
        'SIZE_EXCEEDED',
        /over the 100-byte limit/,
      ],
    ];
    for (const [label, build, code, message] of cases) {
      let caught: unknown;
      try {
        build();
      } catch (error) {
        caught = error;
      }
      expect(isOciError(caught), label).toBe(true);
      expect((caught as { code: string }).code, label).toBe(code);
      expect((caught as Error).message, label).toMatch(message);
    }
  });

  it('builds a Docker schema 2 manifest, layers optional', () => {
    const built = createImageManifest({
      mediaType: MediaType.DockerManifest,
      config: { mediaType: MediaType.DockerConfig, digest: D2, size: 7 },
      layers: [],
    });
    expect(built.mediaType).toBe(MediaType.DockerManifest);
    expect(text(built.bytes)).toMatch(
      /^\{"schemaVersion":2,"mediaType":"application\/vnd.docker.distribution.manifest.v2\+json"/,
    );
  });
});

describe('createImageIndex', () => {
  it('writes platforms in Go member order, normalized by nothing but the spec', () => {
    const built = createImageIndex({
      manifests: [
        {
          platform: { variant: 'v8', os: 'linux', architecture: 'arm64', 'os.features': [] },
          size: 7,
          digest: D1,
          mediaType: MediaType.OciImageManifest,
        },
        {
          mediaType: MediaType.OciImageIndex,
          digest: D2,
          size: 8,
          artifactType: 'application/vnd.example',
        },
      ],
      annotations: { 'org.opencontainers.image.ref.name': 'v1' },
    });
    expect(text(built.bytes)).toBe(
      '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[' +
        `{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"${D1}","size":7,"platform":{"architecture":"arm64","os":"linux","variant":"v8"}},` +
        `{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"${D2}","size":8,"artifactType":"application/vnd.example"}],` +
        '"annotations":{"org.opencontainers.image.ref.name":"v1"}}',
    );
    expect(built.kind).toBe('index');
    expect(createImageIndex({ manifests: [] }).value.manifests).toEqual([]);
    expect(
      createImageIndex({ mediaType: MediaType.DockerManifestList, manifests: [] }).mediaType,
    ).toBe(MediaType.DockerManifestList);
  });

  it('refuses an entry with a bad platform', () => {
    expect(() =>
      createImageIndex({
        manifests: [
          {
            mediaType: MediaType.OciImageManifest,
            digest: D1,
            size: 1,
            platform: { os: 'linux' } as never,
          },
        ],
      }),
    ).toThrow(/manifests\[0\].platform.architecture is required/);
  });
});
