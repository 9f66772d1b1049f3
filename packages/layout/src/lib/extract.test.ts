import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchBytes } from '@ocikit/content';
import { streamFromBytes } from '@ocikit/digest';
import { MediaType } from '@ocikit/spec';
import { errorCode } from '@ocikit/testbed';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BLOB,
  BLOB_DIGEST,
  badArchives,
  MANIFEST_DESCRIPTOR,
  validEntries,
} from './bad-archives.testing.ts';
import { extractArchive } from './extract.node.ts';
import { rawTar } from './raw-tar.testing.ts';

describe('extractArchive', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocikit-extract-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('extracts a layout archive into a new directory, and opens it', async () => {
    const archive = rawTar(validEntries());
    const layout = await extractArchive(streamFromBytes(archive, 333), join(dir, 'a', 'b'), {
      fsync: false,
    });
    expect(await layout.resolve('v1')).toEqual(MANIFEST_DESCRIPTOR);
    const layer = { mediaType: MediaType.OciLayer, digest: BLOB_DIGEST, size: BLOB.byteLength };
    expect(await fetchBytes(layout, layer)).toEqual(BLOB);
    expect((await readdir(join(dir, 'a', 'b'))).sort()).toEqual([
      'blobs',
      'index.json',
      'oci-layout',
    ]);
    expect(await readdir(join(dir, 'a'))).toEqual(['b']);
    await mkdir(join(dir, 'empty'));
    const gzip = streamFromBytes(archive).pipeThrough(
      new CompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>,
    );
    const again = await extractArchive(gzip, join(dir, 'empty'), { readOnly: true });
    expect(await readFile(join(dir, 'empty', 'index.json'))).toEqual(
      await readFile(join(dir, 'a', 'b', 'index.json')),
    );
    expect(await errorCode(again.tag(MANIFEST_DESCRIPTOR, 'v2'))).toBe('DENIED');
  });

  it('leaves nothing behind, inside or beside the target, when the archive is bad', async () => {
    for (const { label, bytes, code } of badArchives()) {
      const target = join(dir, 'out');
      expect(await errorCode(extractArchive(streamFromBytes(bytes, 1000), target)), label).toBe(
        code,
      );
      expect(await readdir(dir), label).toEqual([]);
    }
  });

  it('removes the parent directories it created, and no others, when the archive is bad', async () => {
    const [bad] = badArchives();
    await mkdir(join(dir, 'p'));
    const target = join(dir, 'p', 'q', 'r', 'out');
    expect(await errorCode(extractArchive(streamFromBytes(bad?.bytes as Uint8Array), target))).toBe(
      bad?.code,
    );
    expect(await readdir(dir, { recursive: true })).toEqual(['p']);
  });

  it('refuses a target that is not empty, and cancels the source', async () => {
    await mkdir(join(dir, 'full'));
    await writeFile(join(dir, 'full', 'x'), 'x');
    await writeFile(join(dir, 'file'), 'x');
    for (const target of ['full', 'file']) {
      let cancelled = false;
      const source = new ReadableStream<Uint8Array>({
        cancel() {
          cancelled = true;
        },
      });
      expect(await errorCode(extractArchive(source, join(dir, target))), target).toBe(
        'PATH_INVALID',
      );
      expect(cancelled, target).toBe(true);
    }
    expect((await readdir(dir)).sort()).toEqual(['file', 'full']);
  });

  it('stops with ABORTED when the signal fires, leaving nothing', async () => {
    const controller = new AbortController();
    const archive = rawTar(validEntries());
    let sent = 0;
    const source = new ReadableStream<Uint8Array>({
      pull(stream) {
        if (sent >= 2048) controller.abort();
        stream.enqueue(archive.slice(sent, sent + 512));
        sent += 512;
      },
    });
    const result = extractArchive(source, join(dir, 'out'), { signal: controller.signal });
    expect(await errorCode(result)).toBe('ABORTED');
    expect(await readdir(dir)).toEqual([]);
  });
});
