import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import {
  mkdir,
  mkdtemp,
  open,
  readdir,
  readFile,
  rm,
  symlink,
  truncate,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Storage, Target } from '@ocikit/content';
import { errorCode } from '@ocikit/testbed';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type Blob, chunked, randomBlob } from './fixtures.ts';

/**
 * Where a filesystem-backed implementation keeps its files: blobs at
 * `<root>/blobs/<algorithm>/<encoded>` (the OCI image layout's blob store).
 */
export interface FilesystemHook {
  /** The directory the implementation was opened on. */
  readonly root: string;
  /** The index file every tag read goes through (`index.json` of a layout), when there is one. */
  readonly index?: string;
}

/** What the filesystem cases need of a fresh subject. */
export interface FilesystemSubject {
  subject: Storage;
  filesystem: FilesystemHook;
}

function blobPath(root: string, blob: Blob): string {
  const [algorithm, encoded] = blob.descriptor.digest.split(':') as [string, string];
  return join(root, 'blobs', algorithm, encoded);
}

/**
 * Makes a FIFO (named pipe) at `path`, with the `mkfifo` tool.
 *
 * @param path - where
 */
export async function mkfifo(path: string): Promise<void> {
  await promisify(execFile)('mkfifo', [path]);
}

/**
 * Opens and closes the write end of each FIFO still present, so a reader a
 * broken implementation left blocked on it wakes up (and the process can end).
 *
 * @param paths - the FIFOs
 */
export async function releaseFifos(paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    const handle = await open(path, constants.O_WRONLY | constants.O_NONBLOCK).catch(
      () => undefined,
    );
    await handle?.close();
  }
}

/** A directory outside the subject's root per test, and the FIFOs the test made, released after it. */
function useScratch(): { outside: () => string; fifos: string[] } {
  let outside = '';
  const fifos: string[] = [];
  beforeEach(async () => {
    outside = await mkdtemp(join(tmpdir(), 'ocikit-contract-outside-'));
  });
  afterEach(async () => {
    await releaseFifos(fifos.splice(0));
    await rm(outside, { recursive: true, force: true });
  });
  return { outside: () => outside, fifos };
}

/**
 * The cases every filesystem-backed Storage runs: links out of the root,
 * special files and directories where files belong. Registered inside the
 * implementation's `describe`.
 *
 * @param current - the subject of the running test
 */
export function storageFilesystemCases(current: () => FilesystemSubject): void {
  const scratch = useScratch();
  const store = () => current().subject;
  const root = () => current().filesystem.root;

  it('does not read a blob through a symbolic link out of the root', async () => {
    const blob = randomBlob(100);
    const secret = join(scratch.outside(), 'secret');
    await writeFile(secret, blob.bytes);
    const path = blobPath(root(), blob);
    await mkdir(join(path, '..'), { recursive: true });
    await symlink(secret, path);
    expect(await errorCode(store().fetch(blob.descriptor))).toBe('PATH_INVALID');
    expect(await store().exists(blob.descriptor)).toBe(false);
  });

  it('refuses a FIFO or a directory in place of a blob with PATH_INVALID, without blocking', async () => {
    const fifo = randomBlob(10);
    const fifoPath = blobPath(root(), fifo);
    await mkdir(join(fifoPath, '..'), { recursive: true });
    await mkfifo(fifoPath);
    scratch.fifos.push(fifoPath);
    expect(await errorCode(store().fetch(fifo.descriptor)), 'FIFO fetch').toBe('PATH_INVALID');
    expect(await store().exists(fifo.descriptor), 'FIFO exists').toBe(false);
    const dir = randomBlob(10);
    await mkdir(blobPath(root(), dir));
    expect(await errorCode(store().fetch(dir.descriptor)), 'directory fetch').toBe('PATH_INVALID');
    expect(await store().exists(dir.descriptor), 'directory exists').toBe(false);
    expect(
      await errorCode(store().push(dir.descriptor, chunked(dir.bytes))),
      'directory push',
    ).toBe('PATH_INVALID');
  });

  it('does not write through an algorithm directory that links out of the root', async () => {
    const blob = randomBlob(1000);
    const [algorithm] = blob.descriptor.digest.split(':') as [string];
    await rm(join(root(), 'blobs', algorithm), { recursive: true, force: true });
    await symlink(scratch.outside(), join(root(), 'blobs', algorithm));
    expect(await errorCode(store().push(blob.descriptor, chunked(blob.bytes)))).toBe(
      'PATH_INVALID',
    );
    expect(await readdir(scratch.outside())).toEqual([]);
  });
}

/**
 * The cases every filesystem-backed Target with an index file runs: an
 * oversized index, special files and links in its place.
 *
 * @param current - the subject of the running test
 */
export function targetFilesystemCases(current: () => FilesystemSubject): void {
  const scratch = useScratch();
  const target = () => current().subject as Target;
  const index = () => {
    const path = current().filesystem.index;
    if (path === undefined) throw new Error('the filesystem hook names no index file');
    return path;
  };

  it('refuses an oversized index file with SIZE_EXCEEDED, without reading it', async () => {
    // 3 GiB, sparse: more than any index limit, and more than one Node buffer holds.
    await rm(index());
    await writeFile(index(), '');
    await truncate(index(), 3 * 1024 ** 3);
    expect(await errorCode(target().resolve('latest'))).toBe('SIZE_EXCEEDED');
  });

  it('refuses a FIFO, a directory or a link out of the root as its index file', async () => {
    const original = await readFile(index());
    const cases: [label: string, plant: () => Promise<void>][] = [
      [
        'FIFO',
        async () => {
          await mkfifo(index());
          scratch.fifos.push(index());
        },
      ],
      ['directory', () => mkdir(index())],
      [
        'link out of the root',
        async () => {
          const copy = join(scratch.outside(), 'index.json');
          await writeFile(copy, original);
          await symlink(copy, index());
        },
      ],
    ];
    for (const [label, plant] of cases) {
      await rm(index(), { recursive: true, force: true });
      await plant();
      expect(await errorCode(target().resolve('latest')), label).toBe('PATH_INVALID');
    }
  });
}
