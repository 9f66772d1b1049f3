import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestBytes } from '@ocikit/digest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileSpool } from './file-spool.node.ts';

const MiB = 1024 * 1024;

/** Appends bytes in 64 KiB chunks, as a socket delivers them. */
async function appendAll(spool: FileSpool, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.byteLength; at += 65_536) {
    await spool.append(bytes.subarray(at, at + 65_536));
  }
}

describe('FileSpool with background syncs', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocikit-spool-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('syncs while bytes arrive (before finish), then finishes with the exact bytes and their digest', async () => {
    const bytes = new Uint8Array(randomBytes(5 * MiB + 777));
    const spool = new FileSpool(join(dir, 'upload'), { syncEvery: MiB });
    await appendAll(spool, bytes);
    await spool.flush();
    const digest = await spool.finish(true);
    expect(spool.synced, 'a background sync covered the first batches').toBeGreaterThanOrEqual(MiB);
    expect(spool.synced).toBeLessThanOrEqual(bytes.byteLength);
    expect(digest).toBe(digestBytes(bytes));
    expect(digestBytes(await readFile(join(dir, 'upload')))).toBe(digest);
  });

  it('never syncs before finish without syncEvery', async () => {
    const spool = new FileSpool(join(dir, 'upload'));
    await appendAll(spool, new Uint8Array(3 * MiB).fill(1));
    await spool.finish(false);
    expect(spool.synced).toBe(0);
  });

  it('leaves no file when discarded right after its appends, its writes and background syncs still running', async () => {
    const spool = new FileSpool(join(dir, 'upload'), { syncEvery: 64 * 1024 });
    await appendAll(spool, new Uint8Array(randomBytes(4 * MiB + 5)));
    await spool.discard();
    expect(await readdir(dir)).toEqual([]);
  });
});
