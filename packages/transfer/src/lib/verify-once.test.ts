import { MemoryStore } from '@ocikit/content';
import { FileStore } from '@ocikit/content/fs';
import { tempDirs } from '@ocikit/testbed';
import { describe, expect, it, vi } from 'vitest';
import { hashCounter } from '../../../digest/src/lib/hash-counter.testing.ts';
import { copy } from './copy.ts';
import { image, index, load } from './graphs.testing.ts';

vi.mock('../../../digest/src/lib/hasher.ts', async (original) =>
  (await import('../../../digest/src/lib/hash-counter.testing.ts')).countingHasherModule(
    await original(),
  ),
);

const tempDir = tempDirs('ocikit-transfer-once-');

describe('copy hashes each blob byte once', () => {
  it('memory → file store: blob bytes hashed once (manifests, a few KiB, by fetch, parse and push)', async () => {
    const graph = index([
      { graph: image([200_000, 100_000]), platform: 'linux/amd64' },
      { graph: image([300_000]), platform: 'linux/arm64' },
    ]);
    const from = new MemoryStore();
    await load(from, graph);
    const to = await FileStore.open(await tempDir(), { fsync: false });
    hashCounter.bytes = 0;
    const result = await copy({ from, to, reference: graph.root }, { tags: [] });
    const unique = new Map(
      graph.blobs.map((blob) => [blob.descriptor.digest, blob.bytes.byteLength]),
    );
    const blobBytes = [...unique.values()].reduce((sum, size) => sum + size, 0);
    const manifestBytes = graph.manifests.reduce((sum, m) => sum + m.size, 0);
    expect(result.bytesCopied).toBe(blobBytes);
    expect(hashCounter.bytes).toBeGreaterThanOrEqual(blobBytes);
    expect(hashCounter.bytes).toBeLessThanOrEqual(blobBytes + 3 * manifestBytes);
  });
});
