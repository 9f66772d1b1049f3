import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmod,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { streamFromBytes } from '@ocikit/digest';
import { errorCode, tempDirs } from '@ocikit/testbed';
import { packTar, type TarEntry } from 'modern-tar';
import { describe, expect, it } from 'vitest';
import { packDirectory } from './artifact-directory-pack.node.ts';
import { unpackDirectory } from './artifact-directory-unpack.node.ts';

const run = promisify(execFile);

const tempDir = tempDirs('ocikit-artifact-dir-test-');

/** A tree with nested directories, an executable, a link inside, an empty file. */
async function makeTree(root: string): Promise<void> {
  await mkdir(join(root, 'sub', 'deeper'), { recursive: true });
  await writeFile(join(root, 'a.txt'), 'hello\n');
  await writeFile(join(root, 'run.sh'), '#!/bin/sh\necho hi\n');
  await chmod(join(root, 'run.sh'), 0o755);
  await writeFile(join(root, 'sub', 'deeper', 'd.txt'), 'deep\n');
  await writeFile(join(root, 'sub', 'empty'), '');
  await symlink('../a.txt', join(root, 'sub', 'link'));
}

describe('packDirectory', () => {
  it('packs a tree reproducibly (same digest twice, whatever the mtimes, also through a link to it), as GNU tar lists it: sorted, title first, modes kept, mtime 0, owner 0/0, the link', async () => {
    const dir = await tempDir();
    await makeTree(join(dir, 'tree'));
    const first = await packDirectory(join(dir, 'tree'), 'tree', join(dir, 'first.tgz'));
    await writeFile(join(dir, 'tree', 'a.txt'), 'hello\n');
    const second = await packDirectory(join(dir, 'tree'), 'tree', join(dir, 'second.tgz'));
    expect(second).toEqual(first);
    await symlink(join(dir, 'tree'), join(dir, 'link-to-tree'));
    const throughLink = await packDirectory(join(dir, 'link-to-tree'), 'tree', join(dir, 'l.tgz'));
    expect(throughLink, 'a link given as the directory is followed').toEqual(first);
    const bytes = await readFile(join(dir, 'first.tgz'));
    expect(first.digest).toBe(`sha256:${createHash('sha256').update(bytes).digest('hex')}`);
    expect(first.size).toBe(bytes.byteLength);
    expect(first.tarDigest).toBe(
      `sha256:${createHash('sha256').update(gunzipSync(bytes)).digest('hex')}`,
    );
    const { stdout } = await run('tar', ['-tzvf', join(dir, 'first.tgz')], {
      env: { TZ: 'UTC', LC_ALL: 'C' },
    });
    const listed = stdout
      .trim()
      .split('\n')
      .map((line) => line.replace(/\s+/g, ' '));
    expect(listed).toEqual([
      'drwxr-xr-x 0/0 0 1970-01-01 00:00 tree/',
      '-rw-r--r-- 0/0 6 1970-01-01 00:00 tree/a.txt',
      '-rwxr-xr-x 0/0 18 1970-01-01 00:00 tree/run.sh',
      'drwxr-xr-x 0/0 0 1970-01-01 00:00 tree/sub/',
      'drwxr-xr-x 0/0 0 1970-01-01 00:00 tree/sub/deeper/',
      '-rw-r--r-- 0/0 5 1970-01-01 00:00 tree/sub/deeper/d.txt',
      '-rw-r--r-- 0/0 0 1970-01-01 00:00 tree/sub/empty',
      'lrwxrwxrwx 0/0 0 1970-01-01 00:00 tree/sub/link -> ../a.txt',
    ]);
    const timed = await packDirectory(join(dir, 'tree'), 'tree', join(dir, 'timed.tgz'), {
      preserveTimes: true,
    });
    expect(timed.digest, 'preserveTimes keeps the real mtimes').not.toBe(first.digest);
  });

  it('refuses a FIFO, a link with an absolute target and a link that climbs out with PATH_INVALID', async () => {
    const cases: [string, (tree: string) => Promise<unknown>][] = [
      ['fifo', (tree) => run('mkfifo', [join(tree, 'pipe')])],
      ['absolute link', (tree) => symlink('/etc/passwd', join(tree, 'passwd'))],
      ['climbing link', (tree) => symlink('../../outside', join(tree, 'sub', 'out'))],
    ];
    for (const [label, setup] of cases) {
      const dir = await tempDir();
      await makeTree(join(dir, 'tree'));
      await setup(join(dir, 'tree'));
      const packed = packDirectory(join(dir, 'tree'), 'tree', join(dir, 'x.tgz'));
      expect(await errorCode(packed), label).toBe('PATH_INVALID');
    }
  });
});

/** A stream of `bytes` in chunks of `size`, each a copy at a non-zero offset of a larger buffer. */
function chunked(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.byteLength) return controller.close();
      const part = bytes.subarray(offset, offset + size);
      const backing = new Uint8Array(part.byteLength + 8);
      backing.set(part, 5);
      controller.enqueue(backing.subarray(5, 5 + part.byteLength));
      offset += part.byteLength;
    },
  });
}

/** A gzip-compressed tar of these hand-written entries. */
async function archive(entries: readonly TarEntry[]): Promise<Uint8Array> {
  return gzipSync(await packTar(entries));
}

function file(name: string, body: string, mode = 0o644): TarEntry {
  return { header: { name, size: body.length, type: 'file', mode }, body };
}

function entry(
  name: string,
  type: 'directory' | 'symlink' | 'link' | 'fifo' | 'character-device',
  linkname?: string,
): TarEntry {
  return { header: { name, size: 0, type, ...(linkname === undefined ? {} : { linkname }) } };
}

describe('unpackDirectory', () => {
  it('unpacks into an empty directory with the modes of the entries, restoring read-only directories last, and refuses a directory that holds something', async () => {
    const dir = await tempDir();
    const bytes = await archive([
      entry('tree/', 'directory'),
      file('tree/run.sh', 'echo hi\n', 0o4755),
      { header: { name: 'tree/ro/', size: 0, type: 'directory', mode: 0o555 } },
      file('tree/ro/inside.txt', 'x', 0o444),
      entry('tree/ro-link', 'symlink', 'ro/inside.txt'),
      entry('tree/hard', 'link', 'tree/run.sh'),
      file('tree/implied/parent/f.txt', 'implied'),
    ]);
    const target = join(dir, 'tree');
    await mkdir(target);
    await unpackDirectory(streamFromBytes(bytes), target, { title: 'tree' });
    expect((await readdir(dir)).sort(), 'no temp directory is left').toEqual(['tree']);
    expect((await readdir(target)).sort()).toEqual(['hard', 'implied', 'ro', 'ro-link', 'run.sh']);
    expect((await stat(join(target, 'run.sh'))).mode & 0o7777, 'no set-user-id').toBe(0o755);
    expect((await stat(join(target, 'ro'))).mode & 0o777).toBe(0o555);
    expect((await stat(join(target, 'ro', 'inside.txt'))).mode & 0o777).toBe(0o444);
    expect(await readlink(join(target, 'ro-link'))).toBe('ro/inside.txt');
    expect((await stat(join(target, 'hard'))).ino).toBe((await stat(join(target, 'run.sh'))).ino);
    expect(await readFile(join(target, 'implied/parent/f.txt'), 'utf8')).toBe('implied');
    await chmod(join(target, 'ro'), 0o755);

    const taken = join(dir, 'taken');
    await mkdir(taken);
    await writeFile(join(taken, 'mine.txt'), 'mine');
    expect(await errorCode(unpackDirectory(streamFromBytes(bytes), taken, { title: 'tree' }))).toBe(
      'PATH_INVALID',
    );
    expect(await readdir(taken)).toEqual(['mine.txt']);
    expect((await readdir(dir)).sort(), 'no temp directory is left').toEqual(['taken', 'tree']);
  });

  it('refuses hostile archives with a typed error, writing nothing outside, leaving no temp directory and the old directory as it was', async () => {
    const valid = await packTar([entry('tree/', 'directory'), file('tree/a.txt', 'a')]);
    const flipped = valid.slice();
    flipped[522] = (flipped[522] ?? 0) ^ 0x01;
    const cases: [string, Uint8Array | Promise<Uint8Array>, string, string?][] = [
      ['absolute name', archive([file('/tmp/evil', 'x')]), 'PATH_INVALID'],
      ['climbing name', archive([file('tree/../evil', 'x')]), 'PATH_INVALID'],
      ['outside the title', archive([file('other/evil', 'x')]), 'PATH_INVALID'],
      [
        'written through a link that points outside',
        archive([entry('tree/l', 'symlink', '../../outside'), file('tree/l/evil', 'x')]),
        'PATH_INVALID',
      ],
      [
        'written through a link that points inside',
        archive([
          entry('tree/d/', 'directory'),
          entry('tree/l', 'symlink', 'd'),
          file('tree/l/x', 'x'),
        ]),
        'PATH_INVALID',
      ],
      ['absolute link', archive([entry('tree/l', 'symlink', '/etc/passwd')]), 'PATH_INVALID'],
      [
        'a file over a link',
        archive([
          file('tree/a.txt', 'a'),
          entry('tree/l', 'symlink', 'a.txt'),
          file('tree/l', 'x'),
        ]),
        'TAR_INVALID',
      ],
      [
        'a chain of links that lands outside',
        archive([
          entry('tree/sub/', 'directory'),
          entry('tree/sub/up', 'symlink', '..'),
          entry('tree/sub/out', 'symlink', 'up/../..'),
        ]),
        'PATH_INVALID',
      ],
      ['hard link outside', archive([entry('tree/h', 'link', '/etc/passwd')]), 'PATH_INVALID'],
      ['climbing hard link', archive([entry('tree/h', 'link', 'tree/../../x')]), 'PATH_INVALID'],
      [
        'hard link to a link',
        archive([entry('tree/l', 'symlink', 'x'), entry('tree/h', 'link', 'tree/l')]),
        'PATH_INVALID',
      ],
      ['FIFO', archive([entry('tree/pipe', 'fifo')]), 'TAR_INVALID'],
      ['device', archive([entry('tree/null', 'character-device')]), 'TAR_INVALID'],
      ['not gzip', valid, 'TAR_INVALID'],
      ['truncated gzip', gzipSync(valid).subarray(0, 60), 'TAR_INVALID'],
      ['no end-of-archive marker', gzipSync(valid.subarray(0, 1024)), 'TAR_INVALID'],
      ['a bad header checksum', gzipSync(flipped), 'TAR_INVALID'],
      [
        'tampered, against its tar digest',
        gzipSync(valid),
        'DIGEST_MISMATCH',
        `sha256:${'0'.repeat(64)}`,
      ],
    ];
    for (const [label, bytes, code, tarDigest] of cases) {
      const dir = await tempDir();
      const outside = join(dir, 'outside');
      await mkdir(outside);
      const target = join(dir, 'out', 'tree');
      await mkdir(target, { recursive: true });
      await writeFile(join(target, 'old.txt'), 'old');
      const unpacking = unpackDirectory(streamFromBytes(await bytes), target, {
        title: 'tree',
        tarDigest,
      });
      expect(await errorCode(unpacking), label).toBe(code);
      expect(await readdir(join(dir, 'out')), label).toEqual(['tree']);
      expect(await readdir(target), label).toEqual(['old.txt']);
      expect(await readdir(outside), label).toEqual([]);
      await expect(lstat('/tmp/evil'), label).rejects.toThrow();
    }
  });

  it('stops with ABORTED when the signal has fired, packing and unpacking, leaving no temp directory', async () => {
    const dir = await tempDir();
    await makeTree(join(dir, 'tree'));
    const signal = AbortSignal.abort();
    const packing = packDirectory(join(dir, 'tree'), 'tree', join(dir, 'x.tgz'), { signal });
    expect(await errorCode(packing)).toBe('ABORTED');
    const bytes = await archive([entry('tree/', 'directory'), file('tree/a.txt', 'a')]);
    const unpacking = unpackDirectory(streamFromBytes(bytes), join(dir, 'out'), {
      title: 'tree',
      signal,
    });
    expect(await errorCode(unpacking)).toBe('ABORTED');
    expect((await readdir(dir)).filter((name) => name.includes('out'))).toEqual([]);
  });

  it('unpacks what packDirectory packed into the same tree, checked against its tar digest, whatever the chunk sizes of the stream', async () => {
    const dir = await tempDir();
    await makeTree(join(dir, 'tree'));
    const packed = await packDirectory(join(dir, 'tree'), 'tree', join(dir, 'tree.tgz'));
    const bytes = await readFile(join(dir, 'tree.tgz'));
    await mkdir(join(dir, 'out'));
    for (const chunkSize of [1, 3, 100, bytes.byteLength]) {
      const target = join(dir, 'out', `tree-${chunkSize}`);
      await unpackDirectory(chunked(bytes, chunkSize), target, {
        title: 'tree',
        tarDigest: packed.tarDigest,
      });
      const { stdout } = await run('diff', ['-r', '--no-dereference', join(dir, 'tree'), target]);
      expect(stdout, `chunks of ${chunkSize}`).toBe('');
      expect((await stat(join(target, 'run.sh'))).mode & 0o777).toBe(0o755);
    }
  });
});
