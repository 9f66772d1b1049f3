import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WRITE_BATCH_BYTES, writeFileAtomic, writeStreamToFile } from './file-io.node.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A stream of `data` in chunks of `size` bytes, as an HTTP body delivers it. */
function chunked(data: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= data.byteLength) {
        controller.close();
        return;
      }
      controller.enqueue(data.slice(at, at + size));
      at += size;
    },
  });
}

describe('writeStreamToFile', () => {
  it('writes 64 KiB chunks of a real file in batches of WRITE_BATCH_BYTES, not one write per chunk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ocikit-file-io-'));
    dirs.push(dir);
    const data = new Uint8Array(randomBytes(4 * 1024 * 1024 + 12_345));
    const handle = await open(join(dir, 'out'), 'w');
    let writes = 0;
    const write = handle.write.bind(handle);
    const writev = handle.writev.bind(handle);
    handle.write = ((...args: Parameters<typeof write>) => {
      writes += 1;
      return write(...args);
    }) as typeof handle.write;
    handle.writev = ((...args: Parameters<typeof writev>) => {
      writes += 1;
      return writev(...args);
    }) as typeof handle.writev;
    try {
      expect(await writeStreamToFile(chunked(data, 64 * 1024), handle, 0)).toBe(data.byteLength);
    } finally {
      await handle.close();
    }
    expect(writes).toBeLessThanOrEqual(Math.ceil(data.byteLength / WRITE_BATCH_BYTES) + 1);
    expect(writes).toBeLessThan(data.byteLength / (64 * 1024));
    expect((await readFile(join(dir, 'out'))).equals(data)).toBe(true);
  });
});

describe('writeFileAtomic', () => {
  it('writes bytes and streams whole, with the mode asked for, leaving no temp file; an aborted write leaves the old file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ocikit-file-io-'));
    dirs.push(dir);
    const path = join(dir, 'state.json');
    const bytes = randomBytes(300_000);
    await writeFileAtomic(path, bytes, { fsync: false, mode: 0o600 });
    expect(Buffer.compare(await readFile(path), bytes)).toBe(0);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    await writeFileAtomic(path, chunked(new TextEncoder().encode('streamed'), 3));
    expect(await readFile(path, 'utf8')).toBe('streamed');
    expect((await stat(path)).mode & 0o777).toBe(0o644);
    const controller = new AbortController();
    controller.abort();
    await expect(writeFileAtomic(path, bytes, { signal: controller.signal })).rejects.toMatchObject(
      { code: 'ABORTED' },
    );
    expect(await readFile(path, 'utf8')).toBe('streamed');
    expect(await readdir(dir)).toEqual(['state.json']);
  });
});
