import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchBytes, MemoryStore, pushBytes } from '@ocikit/content';
import { artifactFor, mkfifo, releaseFifos, smallImage } from '@ocikit/contracts';
import { digestBytes, isOciError, readBytes, streamFromBytes } from '@ocikit/digest';
import { MediaType } from '@ocikit/spec';
import { collect, errorCode } from '@ocikit/testbed';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OciArchive } from './archive-file.node.ts';
import {
  BLOB,
  BLOB_DIGEST,
  badArchives,
  MANIFEST_DESCRIPTOR,
  validEntries,
} from './bad-archives.testing.ts';
import { createLayoutIndex, setLayoutTag } from './index-json.ts';
import { createLayoutArchive } from './layout-archive.ts';
import { rawTar } from './raw-tar.testing.ts';

describe('OciArchive', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocikit-archive-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function archiveFile(bytes: Uint8Array, name = 'image.tar'): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, bytes);
    return path;
  }

  it('serves tags, manifests and blobs from the file, verified', async () => {
    const archive = await OciArchive.open(await archiveFile(rawTar(validEntries())));
    try {
      expect(await collect(archive.tags())).toEqual(['v1']);
      expect(await archive.resolve('v1')).toEqual(MANIFEST_DESCRIPTOR);
      expect(await archive.resolve(MANIFEST_DESCRIPTOR.digest)).toEqual(MANIFEST_DESCRIPTOR);
      const layer = { mediaType: MediaType.OciLayer, digest: BLOB_DIGEST, size: BLOB.byteLength };
      expect(await archive.exists(layer)).toBe(true);
      expect(await archive.exists({ ...layer, size: 1 })).toBe(false);
      expect(await fetchBytes(archive, layer)).toEqual(BLOB);
      const rest = await archive.fetchRange(layer, { offset: 6 });
      expect(await readBytes(rest, { maxBytes: 100 })).toEqual(BLOB.subarray(6));
      expect((await archive.readIndex()).manifests).toHaveLength(1);
      expect(await errorCode(archive.resolve('v2'))).toBe('MANIFEST_UNKNOWN');
      expect(await errorCode(archive.resolve(BLOB_DIGEST))).toBe('MANIFEST_UNKNOWN');
      expect(await errorCode(archive.fetch({ ...layer, digest: digestBytes('absent') }))).toBe(
        'BLOB_UNKNOWN',
      );
    } finally {
      await archive.close();
    }
    await archive.close();
    expect(await errorCode(archive.fetch(MANIFEST_DESCRIPTOR))).toBe('OPTION_INVALID');
  });

  it('lists referrers of an archive written from another store', async () => {
    const store = new MemoryStore();
    const image = smallImage();
    const signature = artifactFor(image.manifest.descriptor, 'application/vnd.example.sig');
    for (const { blobs, manifest } of [image, signature]) {
      for (const blob of blobs) await pushBytes(store, blob.bytes, blob.descriptor.mediaType);
      await pushBytes(store, manifest.bytes, manifest.mediaType);
    }
    let index = setLayoutTag(createLayoutIndex(), image.manifest.descriptor, 'v1');
    index = setLayoutTag(index, signature.manifest.descriptor, 'sig');
    const stream = await createLayoutArchive(store, index);
    const path = await archiveFile(new Uint8Array(await new Response(stream).arrayBuffer()));
    const archive = await OciArchive.open(path);
    try {
      const referrers = await collect(archive.referrers(image.manifest.descriptor));
      expect(referrers.map((referrer) => referrer.digest)).toEqual([signature.manifest.digest]);
      expect(referrers[0]?.artifactType).toBe('application/vnd.example.sig');
      expect(
        await collect(archive.referrers(image.manifest.descriptor, { artifactType: 'x/y' })),
      ).toEqual([]);
    } finally {
      await archive.close();
    }
  });

  it('fails every broken archive with its code, on open or when the bad blob is read', async () => {
    for (const { label, bytes, code, onFetch } of badArchives()) {
      const path = await archiveFile(bytes, 'bad.tar');
      if (!onFetch) {
        expect(await errorCode(OciArchive.open(path)), label).toBe(code);
        continue;
      }
      const archive = await OciArchive.open(path);
      const layer = { mediaType: MediaType.OciLayer, digest: BLOB_DIGEST, size: BLOB.byteLength };
      expect(await errorCode(fetchBytes(archive, layer)), label).toBe(code);
      await archive.close();
    }
  });

  it('refuses a FIFO or a directory as the archive file with PATH_INVALID, without blocking', async () => {
    const fifo = join(dir, 'fifo.tar');
    await mkfifo(fifo);
    const directory = join(dir, 'dir.tar');
    await mkdir(directory);
    try {
      expect(await errorCode(OciArchive.open(fifo)), 'FIFO').toBe('PATH_INVALID');
      expect(await errorCode(OciArchive.open(directory)), 'directory').toBe('PATH_INVALID');
    } finally {
      await releaseFifos([fifo]);
    }
  });

  it('refuses a compressed archive with a hint, and names the file in errors', async () => {
    const gzip = await new Response(
      streamFromBytes(rawTar(validEntries())).pipeThrough(
        new CompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>,
      ),
    ).arrayBuffer();
    const path = await archiveFile(new Uint8Array(gzip), 'image.tar.gz');
    const error = await OciArchive.open(path).catch((caught: unknown) => caught);
    expect(isOciError(error, 'TAR_INVALID')).toBe(true);
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toContain('extractArchive');
    expect(await errorCode(OciArchive.open(path, { signal: AbortSignal.abort() }))).toBe('ABORTED');
    expect(await errorCode(OciArchive.open(join(dir, 'absent.tar')))).toBe('LAYOUT_INVALID');
  });
});
