import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { smallImage, type TestImage } from '@ocikit/contracts';
import { digestBytes, readBytes, streamFromBytes } from '@ocikit/digest';
import { OciLayout } from '@ocikit/layout/fs';
import { Repository } from '@ocikit/registry';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const TSX = resolve(import.meta.dirname, '../../../../node_modules/.bin/tsx');
const TSCONFIG = resolve(import.meta.dirname, '../../../../tsconfig.base.json');
const SCRIPT = resolve(import.meta.dirname, 'serve-directory.testing.node.ts');

/** Starts a server process on `root`; resolves to its host and the child. */
async function serverProcess(root: string): Promise<{ host: string; child: ChildProcess }> {
  const child = spawn(TSX, ['--tsconfig', TSCONFIG, SCRIPT, root], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const [host] = (await once(lines, 'line')) as [string];
  return { host, child };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.stdin?.end();
  await once(child, 'exit');
}

async function push(host: string, name: string, image: TestImage, tag: string, chunked: boolean) {
  const repo = new Repository(
    `${host}/${name}`,
    chunked ? { chunkSize: 256 * 1024, streamUploads: false } : {},
  );
  await Promise.all(
    image.blobs.map((blob) =>
      repo.pushBlob(blob.descriptor, streamFromBytes(blob.bytes, 64 * 1024)),
    ),
  );
  await repo.putManifest(image.manifest, { tags: [tag] });
  return { name, tag, image };
}

describe('two server processes sharing one directory storage', () => {
  let root: string;
  let servers: { host: string; child: ChildProcess }[];
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'ocikit-server-procs-'));
    servers = await Promise.all([serverProcess(root), serverProcess(root)]);
  });
  afterEach(async () => {
    await Promise.all(servers.map((server) => stop(server.child)));
    await rm(root, { recursive: true, force: true });
  });

  it('takes concurrent pushes of the same and of different images into the same and different repositories, and every confirmed push reads back intact from both', async () => {
    const [a, b] = servers.map((server) => server.host) as [string, string];
    const same = smallImage(3 * 1024 * 1024);
    const others = Array.from({ length: 4 }, (_, i) => smallImage(1024 * 1024 + i));
    const confirmed = await Promise.all([
      // the same image into the same repository and tag through both processes at once
      push(a, 'shared/app', same, 'v1', false),
      push(b, 'shared/app', same, 'v1', true),
      // the same image into a new repository through both at once (both create it)
      push(a, 'fresh/one', same, 'x', true),
      push(b, 'fresh/one', same, 'y', false),
      // different images into one repository, different tags, through both
      ...others.map((image, i) => push(i % 2 ? a : b, 'shared/app', image, `o${i}`, i < 2)),
      // different repositories
      ...others.map((image, i) => push(i % 2 ? b : a, `team/r${i}`, image, 'v1', i >= 2)),
    ]);

    for (const { name, tag, image } of confirmed) {
      for (const host of [a, b]) {
        const repo = new Repository(`${host}/${name}`);
        expect((await repo.resolve(tag)).digest, `${name}:${tag} via ${host}`).toBe(
          image.manifest.digest,
        );
        for (const blob of image.blobs) {
          const bytes = await readBytes(await repo.fetch(blob.descriptor), {
            maxBytes: blob.descriptor.size,
          });
          expect(digestBytes(bytes)).toBe(blob.descriptor.digest);
        }
      }
      // what is on disk is a valid layout whose every blob file matches its name
      const dir = join(root, name);
      const layout = await OciLayout.open(dir, { readOnly: true });
      expect((await layout.resolve(tag)).digest).toBe(image.manifest.digest);
      const files = (await readdir(join(dir, 'blobs/sha256'))).filter((f) => !f.startsWith('.'));
      for (const file of files) {
        expect(digestBytes(await readFile(join(dir, 'blobs/sha256', file)))).toBe(`sha256:${file}`);
      }
    }
    expect(await readdir(join(root, '.uploads'))).toEqual([]);
  }, 120_000);
});
