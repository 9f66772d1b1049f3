import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBlob } from '@ocikit/contracts';
import { streamFromBytes } from '@ocikit/digest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hashCounter } from '../../../digest/src/lib/hash-counter.testing.ts';
import { FileStore } from './file-store.node.ts';
import { MemoryStore } from './memory-store.ts';

vi.mock('../../../digest/src/lib/hasher.ts', async (original) =>
  (await import('../../../digest/src/lib/hash-counter.testing.ts')).countingHasherModule(
    await original(),
  ),
);

const dirs: string[] = [];
afterEach(async () => {
  hashCounter.bytes = 0;
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function fileStore(): Promise<FileStore> {
  const dir = await mkdtemp(join(tmpdir(), 'ocikit-verify-once-'));
  dirs.push(dir);
  return FileStore.open(dir, { fsync: false });
}

describe('a fetch of one store pushed into another is hashed once', () => {
  it('memory and file stores, in each direction', async () => {
    const blob = randomBlob(100_000);
    const pairs: [
      string,
      () => Promise<MemoryStore | FileStore>,
      () => Promise<MemoryStore | FileStore>,
    ][] = [
      ['memory → memory', async () => new MemoryStore(), async () => new MemoryStore()],
      ['memory → file', async () => new MemoryStore(), fileStore],
      ['file → memory', fileStore, async () => new MemoryStore()],
      ['file → file', fileStore, fileStore],
    ];
    for (const [label, makeSource, makeDestination] of pairs) {
      const source = await makeSource();
      const destination = await makeDestination();
      await source.push(blob.descriptor, streamFromBytes(blob.bytes));
      hashCounter.bytes = 0;
      await destination.push(blob.descriptor, await source.fetch(blob.descriptor));
      expect(hashCounter.bytes, label).toBe(blob.bytes.byteLength);
      expect(await destination.exists(blob.descriptor), label).toBe(true);
    }
  });

  it('a pushed stream that does not verify itself is still hashed and refused when wrong', async () => {
    const blob = randomBlob(1000);
    const wrong = blob.bytes.slice();
    wrong[10] = (wrong[10] ?? 0) ^ 1;
    for (const store of [new MemoryStore(), await fileStore()]) {
      await expect(store.push(blob.descriptor, streamFromBytes(wrong))).rejects.toMatchObject({
        code: 'DIGEST_MISMATCH',
      });
      expect(await store.exists(blob.descriptor)).toBe(false);
    }
  });
});
