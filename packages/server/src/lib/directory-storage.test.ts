import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeTarget, smallImage } from '@ocikit/contracts';
import { digestBytes, isOciError, readBytes, streamFromBytes } from '@ocikit/digest';
import { OciLayout } from '@ocikit/layout/fs';
import { Repository } from '@ocikit/registry';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DirectoryRegistryStorage } from './directory-storage.node.ts';
import { createRegistryHandler } from './handler.ts';
import { listen, type RunningRegistry } from './node-adapter.node.ts';

describeTarget(
  'DirectoryRegistryStorage repository (an OCI layout)',
  async () => {
    const root = await mkdtemp(join(tmpdir(), 'ocikit-server-dir-'));
    const storage = new DirectoryRegistryStorage(root, { fsync: false });
    const subject = await storage.repository('contract/repo', { create: true });
    if (!subject) throw new Error('no repository made');
    return { subject, cleanup: () => rm(root, { recursive: true, force: true }) };
  },
  { tagLister: true, referrerLister: true, untagger: true, deleter: true },
);

/** The error body of a distribution-spec answer. */
type WireBody = { errors: { code: string }[] };

describe('DirectoryRegistryStorage behind the handler, over HTTP', () => {
  let root: string;
  let server: RunningRegistry;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'ocikit-server-dir-'));
    server = await listen(
      createRegistryHandler({ storage: new DirectoryRegistryStorage(root, { fsync: false }) }),
    );
  });
  afterEach(async () => {
    await server.close();
    await rm(root, { recursive: true, force: true });
  });

  it('keeps what the registry client pushes as a plain OCI layout per repository', async () => {
    const repo = new Repository(`${server.host}/team/app`, {
      chunkSize: 4096,
      streamUploads: false,
    });
    const image = smallImage(20_000);
    for (const blob of image.blobs)
      await repo.pushBlob(blob.descriptor, streamFromBytes(blob.bytes));
    await repo.putManifest(image.manifest, { tags: ['v1'] });

    const layout = await OciLayout.open(join(root, 'team/app'), { readOnly: true });
    expect((await layout.resolve('v1')).digest).toBe(image.manifest.digest);
    const layer = image.blobs[1];
    if (!layer) throw new Error('fixture without a layer');
    const onDisk = await readFile(
      join(root, 'team/app/blobs/sha256', layer.descriptor.digest.slice(7)),
    );
    expect(digestBytes(onDisk)).toBe(layer.descriptor.digest);
    const pulled = await readBytes(await repo.fetch(layer.descriptor), { maxBytes: 30_000 });
    expect(pulled).toEqual(layer.bytes);
    expect((await repo.resolve(image.manifest.digest)).mediaType).toBe(image.manifest.mediaType);
  });

  it('serves a layout written beside it, lists it in the catalog, and refuses nested repositories', async () => {
    const layout = await OciLayout.open(join(root, 'written/by-hand'), { create: true });
    const image = smallImage(100);
    for (const blob of image.blobs) await layout.push(blob.descriptor, streamFromBytes(blob.bytes));
    await layout.push(image.manifest.descriptor, streamFromBytes(image.manifest.bytes));
    await layout.tag(image.manifest.descriptor, 'latest');

    const repo = new Repository(`${server.host}/written/by-hand`);
    expect((await repo.fetchManifest('latest')).bytes).toEqual(image.manifest.bytes);
    const catalog = await fetch(new URL('/v2/_catalog', server.url));
    expect(await catalog.json()).toEqual({ repositories: ['written/by-hand'] });

    const inside = new Repository(`${server.host}/written/by-hand/inner`);
    const blob = image.blobs[0];
    if (!blob) throw new Error('fixture without a blob');
    const error = await inside
      .pushBlob(blob.descriptor, streamFromBytes(blob.bytes))
      .catch((e: unknown) => e);
    expect(isOciError(error, 'NAME_INVALID')).toBe(true);
  });

  it('leaves no blob behind a client that disconnects mid-upload, and takes concurrent uploads of one digest', async () => {
    const bytes = new Uint8Array(300_000).fill(9);
    const digest = digestBytes(bytes);
    const socket = connect(Number(server.url.port), server.url.hostname);
    await once(socket, 'connect');
    socket.write(
      `POST /v2/team/app/blobs/uploads/?digest=${digest} HTTP/1.1\r\nHost: ${server.host}\r\nContent-Length: ${bytes.byteLength}\r\n\r\n`,
    );
    socket.write(bytes.subarray(0, 150_000));
    socket.destroy();
    await once(socket, 'close');
    const repo = new Repository(`${server.host}/team/app`);
    const blob = { mediaType: 'application/octet-stream', digest, size: bytes.byteLength };
    expect(await repo.exists(blob)).toBe(false);

    await Promise.all([1, 2, 3].map(() => repo.pushBlob(blob, streamFromBytes(bytes, 10_000))));
    const pulled = await readBytes(await repo.fetch(blob), { maxBytes: bytes.byteLength });
    expect(digestBytes(pulled)).toBe(digest);
    // Unfinished writes are dot-files (FileStore ingest files, kept for a resume until gc).
    const visible = (await readdir(join(root, 'team/app/blobs/sha256'))).filter(
      (name) => !name.startsWith('.'),
    );
    expect(visible).toEqual([digest.slice(7)]);
  });

  it('commits a streamed upload by renaming its spool file into the layout (same inode), and keeps nothing of a wrong digest', async () => {
    const bytes = new Uint8Array(200_000).map((_, index) => index % 251);
    const digest = digestBytes(bytes);
    const base = server.url.origin;
    const start = async () => {
      const opened = await fetch(`${base}/v2/team/app/blobs/uploads/`, { method: 'POST' });
      expect(opened.status).toBe(202);
      const location = new URL(opened.headers.get('location') ?? '', base);
      const patched = await fetch(location, { method: 'PATCH', body: bytes });
      expect(patched.status).toBe(202);
      return location;
    };
    const spoolInodes = async () =>
      Promise.all(
        (await readdir(join(root, '.uploads'))).map(
          async (name) => (await stat(join(root, '.uploads', name))).ino,
        ),
      );

    const wrong = await start();
    const refused = await fetch(`${wrong.href}?digest=${digestBytes('other')}`, { method: 'PUT' });
    expect(refused.status).toBe(400);
    expect((await refused.json()).errors[0].code).toBe('DIGEST_INVALID');
    expect(await readdir(join(root, 'team/app/blobs/sha256')).catch(() => [])).toEqual([]);
    expect(await readdir(join(root, '.uploads'))).toEqual([]);

    const location = await start();
    const [inode] = await spoolInodes();
    const put = await fetch(`${location.href}?digest=${digest}`, { method: 'PUT' });
    expect(put.status).toBe(201);
    const blob = join(root, 'team/app/blobs/sha256', digest.slice(7));
    expect((await stat(blob)).ino).toBe(inode);
    expect(digestBytes(await readFile(blob))).toBe(digest);
    expect(await readdir(join(root, '.uploads'))).toEqual([]);
  });

  it('with fsync (the default), keeps nothing visible of an upload whose client went away mid-PATCH or whose digest is wrong, though its spool was synced while it streamed', async () => {
    const synced = await listen(
      createRegistryHandler({ storage: new DirectoryRegistryStorage(root) }),
    );
    try {
      const base = synced.url.origin;
      const bytes = new Uint8Array(randomBytes(20 * (1 << 20)));
      const digest = digestBytes(bytes);
      const open = async () => {
        const opened = await fetch(`${base}/v2/team/durable/blobs/uploads/`, { method: 'POST' });
        return new URL(opened.headers.get('location') ?? '', base);
      };
      const blobs = join(root, 'team/durable/blobs/sha256');

      const cut = await open();
      const socket = connect(Number(synced.url.port), synced.url.hostname);
      await once(socket, 'connect');
      socket.write(
        `PATCH ${cut.pathname} HTTP/1.1\r\nHost: ${synced.host}\r\nContent-Length: ${bytes.byteLength}\r\n\r\n`,
      );
      await new Promise<void>((resolve) =>
        socket.write(bytes.subarray(0, 12 * (1 << 20)), () => resolve()),
      );
      socket.destroy();
      await once(socket, 'close');
      expect(await readdir(blobs).catch(() => [])).toEqual([]);
      // The session is busy until the server has seen the disconnect; then it can be cancelled.
      let cancelled = await fetch(cut, { method: 'DELETE' });
      for (let attempt = 0; cancelled.status === 400 && attempt < 200; attempt += 1) {
        expect((await cancelled.json()).errors[0].code).toBe('BLOB_UPLOAD_INVALID');
        await new Promise((resolve) => setTimeout(resolve, 10));
        cancelled = await fetch(cut, { method: 'DELETE' });
      }
      expect(cancelled.status).toBe(204);
      expect(await readdir(join(root, '.uploads'))).toEqual([]);

      const wrong = await open();
      expect((await fetch(wrong, { method: 'PATCH', body: bytes })).status).toBe(202);
      const refused = await fetch(`${wrong.href}?digest=${digestBytes('other')}`, {
        method: 'PUT',
      });
      expect((await refused.json()).errors[0].code).toBe('DIGEST_INVALID');
      expect(await readdir(blobs).catch(() => [])).toEqual([]);
      expect(await readdir(join(root, '.uploads'))).toEqual([]);

      const right = await open();
      expect((await fetch(right, { method: 'PATCH', body: bytes })).status).toBe(202);
      expect((await fetch(`${right.href}?digest=${digest}`, { method: 'PUT' })).status).toBe(201);
      expect(digestBytes(await readFile(join(blobs, digest.slice(7))))).toBe(digest);
    } finally {
      await synced.close();
    }
  });

  it('spools PATCH chunks that cross its 1 MiB write batches at every kind of boundary into the exact file', async () => {
    const bytes = new Uint8Array(randomBytes(3 * (1 << 20) + 12_345));
    const digest = digestBytes(bytes);
    const base = server.url.origin;
    const opened = await fetch(`${base}/v2/team/app/blobs/uploads/`, { method: 'POST' });
    const location = new URL(opened.headers.get('location') ?? '', base);
    // A tiny chunk, one ending exactly on a batch boundary, one spanning two
    // batches, and the odd rest.
    const ends = [1, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) - 7, bytes.byteLength];
    let at = 0;
    for (const end of ends) {
      const patched = await fetch(location, { method: 'PATCH', body: bytes.subarray(at, end) });
      expect(patched.headers.get('range')).toBe(`0-${end - 1}`);
      at = end;
    }
    const put = await fetch(`${location.href}?digest=${digest}`, { method: 'PUT' });
    expect(put.status).toBe(201);
    const stored = await readFile(join(root, 'team/app/blobs/sha256', digest.slice(7)));
    expect(stored.byteLength).toBe(bytes.byteLength);
    expect(digestBytes(stored)).toBe(digest);
  });

  it('streams a large blob to the client through many drains without piling up listeners', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const bytes = new Uint8Array(24 * 1024 * 1024).map((_, index) => index % 253);
      const blob = {
        mediaType: 'application/octet-stream',
        digest: digestBytes(bytes),
        size: bytes.byteLength,
      };
      const upload = new URL(`/v2/team/big/blobs/uploads/?digest=${blob.digest}`, server.url);
      expect((await fetch(upload, { method: 'POST', body: bytes })).status).toBe(201);
      const response = await fetch(new URL(`/v2/team/big/blobs/${blob.digest}`, server.url));
      const pulled = new Uint8Array(await response.arrayBuffer());
      expect(digestBytes(pulled)).toBe(blob.digest);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('mounts a blob across repositories as a hard link: one copy on disk, each side deletable alone', async () => {
    const bytes = new Uint8Array(50_000).fill(3);
    const blob = {
      mediaType: 'application/octet-stream',
      digest: digestBytes(bytes),
      size: 50_000,
    };
    const source = new Repository(`${server.host}/team/source`);
    const target = new Repository(`${server.host}/team/target`);
    await source.pushBlob(blob, streamFromBytes(bytes));
    expect(await target.mountBlob(blob, source.name)).toMatchObject({ mounted: true });
    const file = (name: string) => join(root, name, 'blobs/sha256', blob.digest.slice(7));
    const [a, b] = await Promise.all([stat(file('team/source')), stat(file('team/target'))]);
    expect(b.ino).toBe(a.ino);
    await source.delete(blob);
    expect(await source.exists(blob)).toBe(false);
    const pulled = await readBytes(await target.fetch(blob), { maxBytes: blob.size });
    expect(digestBytes(pulled)).toBe(blob.digest);
  });

  it('collects garbage per repository: stray blobs go, tagged images stay, untagged ones go', async () => {
    const storage = new DirectoryRegistryStorage(root, { fsync: false });
    const repo = new Repository(`${server.host}/team/gc`);
    const image = smallImage(500);
    for (const blob of image.blobs)
      await repo.pushBlob(blob.descriptor, streamFromBytes(blob.bytes));
    await repo.putManifest(image.manifest, { tags: ['v1'] });
    const stray = new Uint8Array(100).fill(5);
    const strayBlob = {
      mediaType: 'application/octet-stream',
      digest: digestBytes(stray),
      size: 100,
    };
    await repo.pushBlob(strayBlob, streamFromBytes(stray));

    // As an offline collection does: no grace for blobs of pushes in progress.
    const first = await storage.gc({ staleWriteMs: 0, keepNewerThanMs: 0 });
    expect(first.map(({ repository, removed }) => [repository, removed.length])).toEqual([
      ['team/gc', 1],
    ]);
    expect(await repo.exists(strayBlob)).toBe(false);
    expect((await repo.fetchManifest('v1')).bytes).toEqual(image.manifest.bytes);

    await repo.untag('v1');
    const second = await storage.gc({ staleWriteMs: 0, keepNewerThanMs: 0 });
    expect(second[0]?.removed).toHaveLength(3);
    for (const blob of image.blobs) expect(await repo.exists(blob.descriptor)).toBe(false);
  });

  it('collects while a push is in flight: its layers and a blob mounted for it stay (an hour by default), an old stray goes, and the manifest then lands', async () => {
    const storage = new DirectoryRegistryStorage(root, { fsync: false });
    const file = (name: string, digest: string) =>
      join(root, name, 'blobs/sha256', digest.slice(7));
    const longAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    const source = new Repository(`${server.host}/team/gc-source`);
    const target = new Repository(`${server.host}/team/gc-push`);
    const image = smallImage(700);
    const [mounted, ...uploaded] = image.blobs;
    if (mounted === undefined) throw new Error('smallImage has no blobs');
    // The source holds the mounted blob since long ago, unreferenced there.
    await source.pushBlob(mounted.descriptor, streamFromBytes(mounted.bytes));
    await utimes(file('team/gc-source', mounted.descriptor.digest), longAgo, longAgo);
    const stray = new Uint8Array(100).fill(9);
    const strayBlob = {
      mediaType: 'application/octet-stream',
      digest: digestBytes(stray),
      size: 100,
    };
    await target.pushBlob(strayBlob, streamFromBytes(stray));
    await utimes(file('team/gc-push', strayBlob.digest), longAgo, longAgo);

    // The push: one blob mounted, the others uploaded; no manifest yet.
    expect(await target.mountBlob(mounted.descriptor, source.name)).toMatchObject({
      mounted: true,
    });
    for (const blob of uploaded)
      await target.pushBlob(blob.descriptor, streamFromBytes(blob.bytes));
    const collected = await storage.gc();
    const pushing = collected.find(({ repository }) => repository === 'team/gc-push');
    expect(pushing?.removed.map(({ digest }) => digest)).toEqual([strayBlob.digest]);
    expect(pushing?.recent).toBe(image.blobs.length);

    await target.putManifest(image.manifest, { tags: ['v1'] });
    expect((await target.fetchManifest('v1')).bytes).toEqual(image.manifest.bytes);
    for (const blob of image.blobs) expect(await target.exists(blob.descriptor)).toBe(true);
  });

  it('answers blob requests from the blob file alone, without reading index.json', async () => {
    const repo = new Repository(`${server.host}/team/blobs`);
    const image = smallImage(300);
    for (const blob of image.blobs) {
      await repo.pushBlob(blob.descriptor, streamFromBytes(blob.bytes));
    }
    await writeFile(join(root, 'team/blobs/index.json'), '{ not an index');
    const { descriptor, bytes } = image.blobs[0] as (typeof image.blobs)[number];
    expect(await repo.exists(descriptor)).toBe(true);
    expect(await readBytes(await repo.fetch(descriptor), { maxBytes: descriptor.size })).toEqual(
      bytes,
    );
  });

  it('answers a reader 404, not 500, for a repository another process is creating (oci-layout, no index.json yet)', async () => {
    await mkdir(join(root, 'team/new/blobs'), { recursive: true });
    await writeFile(join(root, 'team/new/oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    const base = `${server.url.href}v2/team/new`;
    const manifest = await fetch(`${base}/manifests/v1`);
    expect(manifest.status).toBe(404);
    const tags = await fetch(`${base}/tags/list`);
    expect(tags.status).toBe(404);
    const bodies = [(await manifest.json()) as WireBody, (await tags.json()) as WireBody];
    expect(bodies.map((body) => body.errors[0]?.code)).toEqual(['NAME_UNKNOWN', 'NAME_UNKNOWN']);
    const image = smallImage(200);
    const repo = new Repository(`${server.host}/team/new`);
    for (const blob of image.blobs) {
      await repo.pushBlob(blob.descriptor, streamFromBytes(blob.bytes));
    }
    await repo.putManifest(image.manifest, { tags: ['v1'] });
    expect((await repo.fetchManifest('v1')).bytes).toEqual(image.manifest.bytes);
  });

  it('drops the spooled bytes of an upload session once it expires: its file under .uploads is gone', async () => {
    let now = 1_000_000;
    const handler = createRegistryHandler({
      storage: new DirectoryRegistryStorage(root, { fsync: false }),
      uploadTimeout: 60_000,
      now: () => now,
    });
    const call = (method: string, path: string, body?: Uint8Array<ArrayBuffer>) =>
      handler(
        new Request(new URL(path, 'http://registry.test'), { method, ...(body ? { body } : {}) }),
      );
    const opened = await call('POST', '/v2/team/idle/blobs/uploads/');
    const location = opened.headers.get('location') ?? '';
    const patched = await call('PATCH', location, new Uint8Array(4096).fill(7));
    expect(patched.status).toBe(202);
    const spooled = await readdir(join(root, '.uploads'));
    expect(spooled, 'one spool file holds the chunk').toHaveLength(1);
    expect((await stat(join(root, '.uploads', spooled[0] ?? ''))).size).toBe(4096);

    now += 61_000;
    const expired = await call('GET', location);
    expect(expired.status).toBe(404);
    expect(await readdir(join(root, '.uploads')), 'the expired spool is removed').toEqual([]);
  });

  it('collects the upload spools a crash left behind once they are stale, and keeps fresh ones', async () => {
    const storage = new DirectoryRegistryStorage(root, { fsync: false });
    const uploads = join(root, '.uploads');
    await mkdir(uploads, { recursive: true });
    await writeFile(join(uploads, 'orphan'), new Uint8Array(10));
    const past = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000);
    await utimes(join(uploads, 'orphan'), past, past);
    await writeFile(join(uploads, 'fresh'), new Uint8Array(10));

    await storage.gc();
    expect(await readdir(uploads)).toEqual(['fresh']);
  });
});
