import { mkdir, mkdtemp, readdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  artifactFor,
  type Blob,
  multiPlatformImage,
  randomBlob,
  type TestImage,
} from '@ocikit/contracts';
import { streamFromBytes } from '@ocikit/digest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStore } from './file-store.node.ts';

describe('FileStore.gc', () => {
  let root: string;
  let store: FileStore;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'ocikit-gc-'));
    store = await FileStore.open(root);
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function pushBlob(blob: Blob) {
    await store.push(blob.descriptor, streamFromBytes(blob.bytes));
  }
  async function pushImage(image: TestImage) {
    for (const blob of image.blobs) await pushBlob(blob);
    await store.push(image.manifest.descriptor, streamFromBytes(image.manifest.bytes));
  }

  async function setUp() {
    const { images, index } = multiPlatformImage();
    for (const image of images) await pushImage(image);
    await store.push(index.descriptor, streamFromBytes(index.bytes));
    const first = images[0];
    if (!first) throw new Error('fixture has no image');
    const signature = artifactFor(first.manifest.descriptor, 'application/vnd.example.signature');
    await pushImage(signature);
    const orphan = randomBlob(500);
    await pushBlob(orphan);
    return { images, index, signature, orphan };
  }

  async function count(): Promise<number> {
    let n = 0;
    for await (const _ of store.walk()) n += 1;
    return n;
  }

  it('keeps unreachable blobs newer than keepNewerThanMs (a push in progress) and removes older ones', async () => {
    const { index, orphan } = await setUp();
    const old = randomBlob(600);
    await pushBlob(old);
    const longAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await utimes(store.blobPath(old.descriptor.digest), longAgo, longAgo);
    const result = await store.gc([index.descriptor], { keepNewerThanMs: 60 * 60 * 1000 });
    const removed = result.removed.map((blob) => blob.digest);
    expect(removed).toContain(old.descriptor.digest);
    expect(removed).not.toContain(orphan.descriptor.digest);
    expect(await store.exists(orphan.descriptor)).toBe(true);
    expect(result.recent).toBeGreaterThanOrEqual(1);
  });

  it('removes what the roots do not reach, and keeps an index with all its children', async () => {
    const { images, index, orphan, signature } = await setUp();
    const reachable = new Set([
      index.digest,
      ...images.flatMap((image) => [
        image.manifest.digest,
        ...image.blobs.map((b) => b.descriptor.digest),
      ]),
    ]);
    const before = await count();
    const result = await store.gc([index.descriptor]);
    const removed = result.removed.map((blob) => blob.digest);
    expect(removed).toContain(orphan.descriptor.digest);
    expect(removed).toContain(signature.manifest.digest);
    expect(result.kept).toBe(reachable.size);
    expect(await count()).toBe(before - result.removed.length);
    expect(await store.exists(index.descriptor)).toBe(true);
  });

  it('keeps the subject of a kept referrer', async () => {
    const { images, signature, orphan } = await setUp();
    const result = await store.gc([signature.manifest.descriptor]);
    const subject = images[0]?.manifest;
    expect(subject && (await store.exists(subject.descriptor))).toBe(true);
    for (const blob of images[0]?.blobs ?? [])
      expect(await store.exists(blob.descriptor)).toBe(true);
    expect(result.removed.map((blob) => blob.digest)).toContain(orphan.descriptor.digest);
  });

  it('removes nothing in a dry run, and reports missing content', async () => {
    const { index } = await setUp();
    const before = await count();
    const ghost = randomBlob(10).descriptor;
    const result = await store.gc([index.descriptor, ghost], { dryRun: true });
    expect(result.removed.length).toBeGreaterThan(0);
    expect(await count()).toBe(before);
    expect(result.missing).toEqual([ghost]);
  });

  it('removes unfinished writes older than the limit, and only those', async () => {
    await setUp();
    const dir = join(root, 'blobs/sha256');
    await writeFile(join(dir, '.abc.123.tmp'), 'x');
    await writeFile(join(dir, '.ingest-young'), 'y');
    const old = new Date(Date.now() - 2 * 86_400_000);
    await utimes(join(dir, '.abc.123.tmp'), old, old);
    const result = await store.gc([], { staleWriteMs: 86_400_000 });
    expect(result.staleWrites).toBe(1);
    const left = (await readdir(dir)).filter((name) => name.startsWith('.'));
    expect(left).toEqual(['.ingest-young']);
  });

  it('does not follow a symlinked algorithm directory out of the layout', async () => {
    await setUp();
    const home = await mkdtemp(join(tmpdir(), 'ocikit-gc-home-'));
    try {
      const ssh = join(home, '.ssh');
      await mkdir(ssh);
      const files = ['authorized_keys', 'config', 'id_ed25519', 'known_hosts', '.old.tmp'];
      for (const name of files) await writeFile(join(ssh, name), name);
      const old = new Date(Date.now() - 2 * 86_400_000);
      await utimes(join(ssh, '.old.tmp'), old, old);
      const sha512 = join(home, 'sha512');
      await mkdir(sha512);
      await writeFile(join(sha512, 'a'.repeat(128)), 'x');
      await symlink(ssh, join(root, 'blobs', 'x'));
      await symlink(sha512, join(root, 'blobs', 'sha512'));
      const result = await store.gc([], { staleWriteMs: 1000 });
      expect(result.removed.every((blob) => blob.digest.startsWith('sha256:'))).toBe(true);
      expect((await readdir(ssh)).sort()).toEqual([...files].sort());
      expect(await readdir(sha512)).toEqual(['a'.repeat(128)]);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('skips a directory or a symbolic link in place of a blob, deletes nothing through it, and refuses to delete a directory', async () => {
    const { orphan } = await setUp();
    const outside = await mkdtemp(join(tmpdir(), 'ocikit-gc-outside-'));
    try {
      const dir = join(root, 'blobs/sha256');
      await mkdir(join(dir, 'b'.repeat(64)));
      await writeFile(join(outside, 'victim'), 'keep');
      await symlink(join(outside, 'victim'), join(dir, 'c'.repeat(64)));
      const result = await store.gc([]);
      expect(result.removed.map((blob) => blob.digest)).toContain(orphan.descriptor.digest);
      expect(result.removed.map((blob) => blob.digest)).not.toContain(`sha256:${'b'.repeat(64)}`);
      expect(result.removed.map((blob) => blob.digest)).not.toContain(`sha256:${'c'.repeat(64)}`);
      expect(await readdir(outside)).toEqual(['victim']);
      const directory = {
        mediaType: 'application/octet-stream',
        digest: `sha256:${'b'.repeat(64)}` as const,
        size: 1,
      };
      expect(await store.delete(directory).catch((error: unknown) => error)).toMatchObject({
        code: 'PATH_INVALID',
      });
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});
