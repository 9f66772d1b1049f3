import { isOciError } from '@ocikit/digest';
import { describe, expect, it } from 'vitest';
import { createImageIndex, createImageManifest } from './build.ts';
import { manifestChildren, manifestSubject, referrerDescriptor } from './children.ts';
import { EMPTY_DESCRIPTOR } from './descriptor.ts';
import { parseManifest } from './manifest.ts';
import { MediaType } from './media-types.ts';
import type { Descriptor } from './types.ts';

const D1 = 'sha256:e258d248fda94c63753607f7c4494ee0fcbe92f1a76bfdac795c9d84101eb317';
const D2 = 'sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270';
const config: Descriptor = { mediaType: MediaType.OciImageConfig, digest: D2, size: 7 };
const layer: Descriptor = { mediaType: MediaType.OciLayerGzip, digest: D1, size: 3 };
const subject: Descriptor = { mediaType: MediaType.OciImageManifest, digest: D2, size: 100 };

describe('manifestChildren and manifestSubject', () => {
  it('lists config then layers, or the index entries, and the subject apart', () => {
    const image = createImageManifest({ config, layers: [layer, layer], subject });
    expect(manifestChildren(image)).toEqual([config, layer, layer]);
    expect(manifestSubject(image)).toEqual(subject);
    const index = createImageIndex({ manifests: [image.descriptor, subject] });
    expect(manifestChildren(index)).toEqual([image.descriptor, subject]);
    expect(manifestSubject(index)).toBeUndefined();
  });

  it('refuses to list schema 1 blobs as descriptors', () => {
    const schema1 = parseManifest(
      new TextEncoder().encode(JSON.stringify({ schemaVersion: 1, fsLayers: [{ blobSum: D1 }] })),
    );
    expect(manifestSubject(schema1)).toBeUndefined();
    let caught: unknown;
    try {
      manifestChildren(schema1);
    } catch (error) {
      caught = error;
    }
    expect(isOciError(caught, 'UNSUPPORTED_MEDIA_TYPE')).toBe(true);
    expect(() => referrerDescriptor(schema1)).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_MEDIA_TYPE' }),
    );
  });
});

describe('referrerDescriptor', () => {
  it('carries artifactType (or the config media type) and annotations', () => {
    const annotations = { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' };
    const cases: [
      label: string,
      built: ReturnType<typeof createImageManifest> | ReturnType<typeof createImageIndex>,
      artifactType: string | undefined,
    ][] = [
      [
        'artifactType',
        createImageManifest({
          artifactType: 'application/vnd.example.sbom',
          config: EMPTY_DESCRIPTOR,
          layers: [EMPTY_DESCRIPTOR],
          subject,
          annotations,
        }),
        'application/vnd.example.sbom',
      ],
      [
        'config media type',
        createImageManifest({
          config: { ...config, mediaType: 'application/vnd.example.config' },
          layers: [layer],
          subject,
        }),
        'application/vnd.example.config',
      ],
      [
        'index with one',
        createImageIndex({ artifactType: 'application/vnd.example.set', manifests: [], subject }),
        'application/vnd.example.set',
      ],
      ['index without', createImageIndex({ manifests: [], subject, annotations }), undefined],
    ];
    for (const [label, built, artifactType] of cases) {
      const referrer = referrerDescriptor(built);
      expect(referrer.digest, label).toBe(built.digest);
      expect(referrer.size, label).toBe(built.size);
      expect(referrer.mediaType, label).toBe(built.mediaType);
      expect(referrer.artifactType, label).toBe(artifactType);
      expect(referrer.annotations, label).toEqual(built.value.annotations);
      expect('artifactType' in referrer, label).toBe(artifactType !== undefined);
    }
  });
});
