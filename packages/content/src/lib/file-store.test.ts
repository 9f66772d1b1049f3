import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describeStorage } from '@ocikit/contracts';
import { digestBytes, readBytes, streamFromBytes } from '@ocikit/digest';
import type { Descriptor } from '@ocikit/spec';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStore } from './file-store.node.ts';

const LAYER = 'application/vnd.oci.image.layer.v1.tar';

function describeBytes(data: Uint8Array, mediaType = LAYER): Descriptor {
  return { mediaType, digest: digestBytes(data), size: data.byteLength };
}

/** A stream of `data` that fails with `error` after `failAfter` bytes. */
function failingStream(
  data: Uint8Array,
  failAfter: number,
  error: Error,
): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream({
    pull(controller) {
      if (sent) {
        controller.error(error);
        return;
      }
      controller.enqueue(data.subarray(0, failAfter));
      sent = true;
    },
  });
}

/** Every file under the store's blobs directory, including hidden ones. */
async function filesUnder(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const algorithm of await readdir(join(root, 'blobs'))) {
    for (const name of await readdir(join(root, 'blobs', algorithm)))
      out.push(`${algorithm}/${name}`);
  }
  return out.sort();
}

describe('FileStore', () => {
  let root: string;
  let store: FileStore;
  const data = randomBytes(3 * 1024 * 1024 + 17);
  const descriptor = describeBytes(data);

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'ocikit-filestore-'));
    store = await FileStore.open(root);
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('stores content at blobs/<algorithm>/<encoded> and reads it back verified', async () => {
    await store.push(descriptor, streamFromBytes(data, 65536));
    const [, encoded] = descriptor.digest.split(':');
    expect(await digestOfFile(join(root, 'blobs/sha256', encoded ?? ''))).toBe(descriptor.digest);
    expect(await store.exists(descriptor)).toBe(true);
    const read = await readBytes(await store.fetch(descriptor), { maxBytes: data.byteLength });
    expect(Buffer.compare(read, data)).toBe(0);
    const walked = [];
    for await (const blob of store.walk()) walked.push(blob);
    expect(walked).toEqual([{ digest: descriptor.digest, size: descriptor.size }]);
    expect(await filesUnder(root)).toEqual([`sha256/${encoded}`]);
  });

  it('reads from an offset with fetchRange', async () => {
    await store.push(descriptor, streamFromBytes(data));
    const rest = await readBytes(await store.fetchRange(descriptor, { offset: 1000 }), {
      maxBytes: data.byteLength,
    });
    expect(Buffer.compare(rest, data.subarray(1000))).toBe(0);
  });

  it('commits nothing and leaves no file behind when content is wrong', async () => {
    const cases: [label: string, body: Uint8Array, code: string][] = [
      ['wrong bytes', randomBytes(data.byteLength), 'DIGEST_MISMATCH'],
      ['one byte too many', Buffer.concat([data, Buffer.of(0)]), 'SIZE_EXCEEDED'],
    ];
    for (const [label, body, code] of cases) {
      await expect(
        store.push(descriptor, streamFromBytes(body, 100_000)),
        label,
      ).rejects.toMatchObject({
        code,
      });
      expect(await filesUnder(root), label).toEqual([]);
      expect(await store.exists(descriptor), label).toBe(false);
      expect(await store.resumeOffset(descriptor), label).toBe(0);
    }
  });

  it('keeps the bytes of a push whose source broke off, and resumes from there', async () => {
    const failure = new Error('connection reset');
    await expect(store.push(descriptor, failingStream(data, 1_000_000, failure))).rejects.toBe(
      failure,
    );
    expect(await store.exists(descriptor)).toBe(false);
    const offset = await store.resumeOffset(descriptor);
    expect(offset).toBe(1_000_000);
    await store.pushFrom(descriptor, streamFromBytes(data.subarray(offset), 70_000), { offset });
    expect(await store.exists(descriptor)).toBe(true);
    expect(await digestOfFile(store.blobPath(descriptor.digest))).toBe(descriptor.digest);
    expect((await filesUnder(root)).filter((name) => name.includes('/.'))).toEqual([]);
  });

  it('resumes a push that ended short (a truncated body)', async () => {
    await expect(
      store.push(descriptor, streamFromBytes(data.subarray(0, 5000))),
    ).rejects.toMatchObject({
      code: 'SIZE_MISMATCH',
    });
    expect(await store.resumeOffset(descriptor)).toBe(5000);
    await store.pushFrom(descriptor, streamFromBytes(data.subarray(5000)), { offset: 5000 });
    expect(await store.exists(descriptor)).toBe(true);
  });

  it('drops the partial bytes when the resumed whole is wrong', async () => {
    await expect(
      store.push(descriptor, failingStream(data, 5000, new Error('reset'))),
    ).rejects.toThrow();
    const wrongRest = randomBytes(data.byteLength - 5000);
    await expect(
      store.pushFrom(descriptor, streamFromBytes(wrongRest), { offset: 5000 }),
    ).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    expect(await store.resumeOffset(descriptor)).toBe(0);
    expect(await filesUnder(root)).toEqual([]);
  });

  it('refuses to resume from an offset it does not hold', async () => {
    await expect(
      store.pushFrom(descriptor, streamFromBytes(data.subarray(10)), { offset: 10 }),
    ).rejects.toMatchObject({ code: 'BLOB_UPLOAD_INVALID' });
  });

  it('fails with ABORTED, keeping the bytes so far, when aborted', async () => {
    const controller = new AbortController();
    let sent = 0;
    const source = new ReadableStream<Uint8Array>({
      pull(stream) {
        if (sent >= 2) {
          controller.abort();
        }
        stream.enqueue(data.subarray(sent * 1000, (sent + 1) * 1000));
        sent += 1;
      },
    });
    await expect(
      store.push(descriptor, source, { signal: controller.signal }),
    ).rejects.toMatchObject({
      code: 'ABORTED',
    });
    expect(await store.exists(descriptor)).toBe(false);
    expect(await store.resumeOffset(descriptor)).toBeGreaterThan(0);
    await expect(
      store.push(descriptor, streamFromBytes(data), { signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('accepts a push of content it already has, and cancels the source', async () => {
    await store.push(descriptor, streamFromBytes(data));
    let cancelled = false;
    await store.push(
      descriptor,
      new ReadableStream({
        cancel() {
          cancelled = true;
        },
      }),
    );
    expect(cancelled).toBe(true);
  });

  it('reports missing content with BLOB_UNKNOWN or MANIFEST_UNKNOWN', async () => {
    await expect(store.fetch(descriptor)).rejects.toMatchObject({ code: 'BLOB_UNKNOWN' });
    await expect(
      store.fetch({ ...descriptor, mediaType: 'application/vnd.oci.image.manifest.v1+json' }),
    ).rejects.toMatchObject({ code: 'MANIFEST_UNKNOWN' });
    await expect(store.delete(descriptor)).rejects.toMatchObject({ code: 'BLOB_UNKNOWN' });
  });

  it('fails the read of a blob corrupted on disk', async () => {
    await store.push(descriptor, streamFromBytes(data));
    const corrupted = Buffer.from(data);
    corrupted[12345] = (corrupted[12345] ?? 0) ^ 0xff;
    await writeFile(store.blobPath(descriptor.digest), corrupted);
    await expect(readBytes(await store.fetch(descriptor), { maxBytes: 1e8 })).rejects.toMatchObject(
      {
        code: 'DIGEST_MISMATCH',
      },
    );
  });

  it('deletes content', async () => {
    await store.push(descriptor, streamFromBytes(data));
    await store.delete(descriptor);
    expect(await store.exists(descriptor)).toBe(false);
  });

  it('maps only valid digests to paths inside the store', () => {
    for (const digest of ['sha256:../../etc/passwd', 'sha256/../x:abc', '../..:abc', 'sha256:']) {
      expect(() => store.blobPath(digest), digest).toThrow(
        expect.objectContaining({ code: 'DIGEST_INVALID' }),
      );
    }
    expect(store.blobPath('foo+bar:abc')).toBe(resolve(root, 'blobs/foo+bar/abc'));
  });

  it('lets many concurrent writers of one digest in one process end with one correct blob', async () => {
    const writers = Array.from({ length: 8 }, () =>
      store.push(descriptor, streamFromBytes(data, 4096)),
    );
    await Promise.all(writers);
    expect(await digestOfFile(store.blobPath(descriptor.digest))).toBe(descriptor.digest);
    expect(await filesUnder(root)).toHaveLength(1);
  });

  it('lets writers in separate processes end with one correct blob', async () => {
    const source = join(root, 'source.bin');
    await writeFile(source, data);
    const script = join(root, 'writer.mts');
    await writeFile(
      script,
      `import { readFile } from 'node:fs/promises';
import { streamFromBytes } from '@ocikit/digest';
import { FileStore } from ${JSON.stringify(resolve(import.meta.dirname, 'file-store.node.ts'))};
const [root, source, descriptor] = process.argv.slice(2);
const store = await FileStore.open(root);
await store.push(JSON.parse(descriptor), streamFromBytes(await readFile(source), 1024));
`,
    );
    const tsx = resolve(import.meta.dirname, '../../../../node_modules/.bin/tsx');
    const tsconfig = resolve(import.meta.dirname, '../../../../tsconfig.base.json');
    const run = promisify(execFile);
    await Promise.all(
      Array.from({ length: 4 }, () =>
        run(tsx, ['--tsconfig', tsconfig, script, root, source, JSON.stringify(descriptor)]),
      ),
    );
    expect(await digestOfFile(store.blobPath(descriptor.digest))).toBe(descriptor.digest);
    expect((await filesUnder(root)).filter((name) => name.includes('/.'))).toEqual([]);
  }, 30_000);

  it('does not write through a symbolic link planted as the ingest file', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'ocikit-filestore-outside-'));
    try {
      const victim = join(outside, 'victim');
      await writeFile(victim, 'keep');
      const path = store.blobPath(descriptor.digest);
      await mkdir(join(path, '..'), { recursive: true });
      const ingest = join(path, '..', `.ingest-${descriptor.digest.split(':')[1]}`);
      await symlink(victim, ingest);
      expect(await store.resumeOffset(descriptor)).toBe(0);
      await store.push(descriptor, streamFromBytes(data));
      expect(await readFile(victim, 'utf8')).toBe('keep');
      expect((await lstat(path)).isFile()).toBe(true);
      expect(await digestOfFile(path)).toBe(descriptor.digest);
      const other = describeBytes(randomBytes(100));
      const otherPath = store.blobPath(other.digest);
      await symlink(victim, join(otherPath, '..', `.ingest-${other.digest.split(':')[1]}`));
      expect(await store.resumeOffset(other)).toBe(0);
      const rest = streamFromBytes(new Uint8Array(96));
      expect(
        await store.pushFrom(other, rest, { offset: 4 }).catch((caught: unknown) => caught),
      ).toMatchObject({ code: 'BLOB_UPLOAD_INVALID' });
      expect(await readFile(victim, 'utf8')).toBe('keep');
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('refuses a directory planted as the ingest file with PATH_INVALID', async () => {
    const path = store.blobPath(descriptor.digest);
    await mkdir(join(path, '..', `.ingest-${descriptor.digest.split(':')[1]}`), {
      recursive: true,
    });
    expect(
      await store.push(descriptor, streamFromBytes(data)).catch((error: unknown) => error),
    ).toMatchObject({ code: 'PATH_INVALID' });
  });

  it('takes over the ingest lock of a writer that died', async () => {
    const path = store.blobPath(descriptor.digest);
    await store.push(descriptor, failingStream(data, 4096, new Error('reset'))).catch(() => {});
    const lock = join(path, '..', `.ingest-${descriptor.digest.split(':')[1]}.lock`);
    await writeFile(
      lock,
      JSON.stringify({ pid: 2 ** 22 + 1, host: (await import('node:os')).hostname(), at: 0 }),
    );
    expect(await store.resumeOffset(descriptor)).toBe(4096);
    await store.pushFrom(descriptor, streamFromBytes(data.subarray(4096)), { offset: 4096 });
    expect(await store.exists(descriptor)).toBe(true);
    await expect(stat(lock)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('resumes at once past an ingest lock that records no owner', async () => {
    const path = store.blobPath(descriptor.digest);
    await store.push(descriptor, failingStream(data, 4096, new Error('reset'))).catch(() => {});
    const lock = join(path, '..', `.ingest-${descriptor.digest.split(':')[1]}.lock`);
    await writeFile(lock, '');
    await store.pushFrom(descriptor, streamFromBytes(data.subarray(4096)), { offset: 4096 });
    expect(await digestOfFile(path)).toBe(descriptor.digest);
    await expect(stat(lock)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

async function digestOfFile(path: string): Promise<string> {
  return digestBytes(await readFile(path));
}

describeStorage(
  'FileStore',
  async () => {
    const root = await mkdtemp(join(tmpdir(), 'ocikit-filestore-contract-'));
    return {
      subject: await FileStore.open(root),
      cleanup: () => rm(root, { recursive: true, force: true }),
      filesystem: { root },
    };
  },
  { filesystem: true },
);
