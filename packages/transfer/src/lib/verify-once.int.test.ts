import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore } from '@ocikit/content';
import { OciLayout } from '@ocikit/layout/fs';
import { Repository } from '@ocikit/registry';
import { getTestbed, uniqueRepo } from '@ocikit/testbed';
import { createNodeTransport } from '@ocikit/transport/node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as hasher from '../../../digest/src/lib/hasher.ts';
import { copy } from './copy.ts';
import { image, index, load } from './graphs.testing.ts';

/** Counts the bytes the real hashers take in. */
vi.mock('../../../digest/src/lib/hasher.ts', async (original) => {
  const real = await original<typeof import('../../../digest/src/lib/hasher.ts')>();
  const counter = { bytes: 0 };
  return {
    ...real,
    counter,
    createHasher: (algorithm?: string) => {
      const created = real.createHasher(algorithm);
      const update = created.update.bind(created);
      created.update = (chunk: Uint8Array) => {
        counter.bytes += chunk.byteLength;
        return update(chunk);
      };
      return created;
    },
  };
});
const hashed = (hasher as unknown as { counter: { bytes: number } }).counter;

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

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
    dir = await mkdtemp(join(tmpdir(), 'ocikit-transfer-once-'));
    const to = await OciLayout.open(dir, { create: true });
    hashed.bytes = 0;
    const result = await copy({ from, to, reference: 'v1' });
    const blobBytes = graph.blobs.reduce((sum, blob) => sum + blob.bytes.byteLength, 0);
    const manifestBytes = graph.manifests.reduce((sum, m) => sum + m.size, 0);
    expect(result.bytesCopied).toBe(blobBytes);
    expect(hashed.bytes).toBeGreaterThanOrEqual(blobBytes);
    expect(hashed.bytes).toBeLessThanOrEqual(blobBytes + 4 * manifestBytes);
  });
});
