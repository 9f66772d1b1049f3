import { MemoryStore } from '@ocikit/content';
import { OciLayout } from '@ocikit/layout/fs';
import { Repository } from '@ocikit/registry';
import { getTestbed, tempDirs, uniqueRepo } from '@ocikit/testbed';
import { createNodeTransport } from '@ocikit/transport/node';
import { describe, expect, it, vi } from 'vitest';
import { hashCounter } from '../../../digest/src/lib/hash-counter.testing.ts';
import { type CopyDestination, type CopySource, copy } from './copy.ts';
import { type Graph, image, index, load } from './graphs.testing.ts';

vi.mock('../../../digest/src/lib/hasher.ts', async (original) =>
  (await import('../../../digest/src/lib/hash-counter.testing.ts')).countingHasherModule(
    await original(),
  ),
);

const tempDir = tempDirs('ocikit-transfer-once-');

/**
 * Copies tag `v1` and checks the hashers took in each blob byte once (plus
 * a few passes over the small manifests).
 */
async function expectBlobBytesHashedOnce(from: CopySource, to: CopyDestination, graph: Graph) {
  hashCounter.bytes = 0;
  const result = await copy({ from, to, reference: 'v1' });
  const blobBytes = graph.blobs.reduce((sum, blob) => sum + blob.bytes.byteLength, 0);
  const manifestBytes = graph.manifests.reduce((sum, m) => sum + m.size, 0);
  expect(result.bytesCopied).toBe(blobBytes);
  expect(hashCounter.bytes).toBeGreaterThanOrEqual(blobBytes);
  expect(hashCounter.bytes).toBeLessThanOrEqual(blobBytes + 4 * manifestBytes);
}

describe('copy from the real registry hashes each blob byte once', () => {
  it('registry → OCI layout: the registry fetch verifies, the layout only counts', async () => {
    const graph = index([
      { graph: image([200_000, 100_000]), platform: 'linux/amd64' },
      {
        graph: image([300_000], { platform: { os: 'linux', architecture: 'arm64' } }),
        platform: 'linux/arm64',
      },
    ]);
    const memory = new MemoryStore();
    await load(memory, graph);
    const from = new Repository(
      { registry: getTestbed().anonymous.host, repository: uniqueRepo('transfer/once') },
      { transport: createNodeTransport() },
    );
    await copy({ from: memory, to: from, reference: graph.root }, { tags: ['v1'] });
    const to = await OciLayout.open(await tempDir(), { create: true });
    await expectBlobBytesHashedOnce(from, to, graph);
  });

  it('OCI layout → registry: the layout fetch verifies, the registry upload only counts', async () => {
    const graph = image([400_000, 150_000]);
    const memory = new MemoryStore();
    await load(memory, graph);
    const from = await OciLayout.open(await tempDir(), { create: true });
    await copy({ from: memory, to: from, reference: graph.root }, { tags: ['v1'] });
    const to = new Repository(
      { registry: getTestbed().anonymous.host, repository: uniqueRepo('transfer/once-push') },
      { transport: createNodeTransport() },
    );
    await expectBlobBytesHashedOnce(from, to, graph);
  });
});
