import { MemoryStore, pushBytes } from '@ocikit/content';
import { createImageIndex, createImageManifest, MediaType } from '@ocikit/spec';
import { describe, expect, it } from 'vitest';
import { inspectManifest } from './inspect.ts';

const encode = (text: string) => new TextEncoder().encode(text);

describe('inspectManifest', () => {
  it('summarizes an image (config, layer sizes, total) and an index (platforms)', async () => {
    const store = new MemoryStore();
    const layers = [
      await pushBytes(store, encode('first layer'), MediaType.OciLayer),
      await pushBytes(store, encode('second'), MediaType.OciLayer),
    ];
    const config = await pushBytes(
      store,
      encode(
        JSON.stringify({
          created: '2026-12-04T15:00:00Z',
          architecture: 'arm64',
          variant: 'v7',
          os: 'linux',
          config: { Labels: { team: 'ocikit' } },
          rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.digest) },
          history: [{ created_by: 'COPY . /' }],
        }),
      ),
      MediaType.OciImageConfig,
    );
    const manifest = createImageManifest({ config, layers });
    await pushBytes(store, manifest.bytes, manifest.mediaType);
    const image = await inspectManifest(store, manifest.descriptor, 'oci:x:v1');
    expect(image).toMatchObject({
      name: 'oci:x:v1',
      kind: 'manifest',
      digest: manifest.digest,
      mediaType: MediaType.OciImageManifest,
      layerSizes: [11, 6],
      totalSize: manifest.size + config.size + 17,
      platforms: [],
    });
    expect(image.config).toMatchObject({
      created: '2026-12-04T15:00:00Z',
      platform: 'linux/arm64/v7',
      labels: { team: 'ocikit' },
      history: [{ created_by: 'COPY . /' }],
    });

    const index = createImageIndex({
      manifests: [{ ...manifest.descriptor, platform: { os: 'linux', architecture: 'arm64' } }],
    });
    await pushBytes(store, index.bytes, index.mediaType);
    const top = await inspectManifest(store, index.descriptor, 'oci:x:v1');
    expect(top).toMatchObject({ kind: 'index', config: undefined, layerSizes: [] });
    expect(top.platforms).toEqual([
      { platform: 'linux/arm64', descriptor: index.value.manifests[0] },
    ]);
    expect(top.totalSize).toBe(index.size + manifest.size);
  });
});
