import { execFileSync } from 'node:child_process';
import { readdir, readFile, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDirs } from '@ocikit/testbed';
import { describe, expect, it } from 'vitest';
import { MemoryBlobLocations } from './blob-locations.ts';
import { FileBlobLocations } from './file-blob-locations.node.ts';

const tempDir = tempDirs('ocikit-transfer-locations-');
const at = (repository: string) => ({ registry: 'r.example', repository });

describe('MemoryBlobLocations', () => {
  it('lists the repositories of a blob most recent first, at most maxRepositories', async () => {
    const cache = new MemoryBlobLocations({ maxRepositories: 2 });
    cache.remember(at('a'), 'sha256:1');
    cache.remember(at('b'), 'sha256:1');
    cache.remember(at('c'), 'sha256:1');
    cache.remember(at('b'), 'sha256:1');
    expect(await cache.repositories('r.example', 'sha256:1')).toEqual(['b', 'c']);
    expect(await cache.repositories('other.example', 'sha256:1')).toEqual([]);
  });

  it('forgets the least recently seen blob beyond maxBlobs', async () => {
    const cache = new MemoryBlobLocations({ maxBlobs: 2 });
    cache.remember(at('a'), 'sha256:1');
    cache.remember(at('a'), 'sha256:2');
    cache.remember(at('b'), 'sha256:1');
    cache.remember(at('a'), 'sha256:3');
    expect(await cache.repositories('r.example', 'sha256:2')).toEqual([]);
    expect(await cache.repositories('r.example', 'sha256:1')).toEqual(['b', 'a']);
  });

  it('refuses a bound below 1 with OPTION_INVALID', () => {
    expect(() => new MemoryBlobLocations({ maxBlobs: 0 })).toThrow(
      expect.objectContaining({ code: 'OPTION_INVALID' }),
    );
  });
});

describe('FileBlobLocations', () => {
  it('merges what two processes flushed into one file, written atomically', async () => {
    const path = join(await tempDir(), 'cache', 'locations.json');
    const first = await FileBlobLocations.open(path);
    const second = await FileBlobLocations.open(path);
    first.remember(at('a'), 'sha256:1');
    await first.flush();
    second.remember(at('b'), 'sha256:1');
    second.remember(at('b'), 'sha256:2');
    await second.flush();
    const reopened = await FileBlobLocations.open(path);
    expect(await reopened.repositories('r.example', 'sha256:1')).toEqual(['b', 'a']);
    expect(await reopened.repositories('r.example', 'sha256:2')).toEqual(['b']);
    expect(await readdir(join(path, '..'))).toEqual(['locations.json']);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ version: 1 });
  });

  it('treats a file that is not a cache as empty, and replaces it on flush', async () => {
    const path = join(await tempDir(), 'locations.json');
    await writeFile(path, '{ not json');
    const cache = await FileBlobLocations.open(path);
    expect(await cache.repositories('r.example', 'sha256:1')).toEqual([]);
    cache.remember(at('a'), 'sha256:1');
    await cache.flush();
    expect(
      await (await FileBlobLocations.open(path)).repositories('r.example', 'sha256:1'),
    ).toEqual(['a']);
  });
  it('reads the file only when asked, and writes it only after something was remembered', async () => {
    const path = join(await tempDir(), 'locations.json');
    const cache = await FileBlobLocations.open(path);
    await cache.flush();
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
    const other = await FileBlobLocations.open(path);
    other.remember(at('a'), 'sha256:1');
    await other.flush();
    // Written after `cache` was opened: read at its first question, older than what it saw itself.
    cache.remember(at('b'), 'sha256:1');
    expect(await cache.repositories('r.example', 'sha256:1')).toEqual(['b', 'a']);
    const before = await stat(path);
    expect(before.mode & 0o777).toBe(0o600);
    await other.flush();
    // A write renames a new file over it: the same inode means no write.
    expect((await stat(path)).ino).toBe(before.ino);
  });

  it('reads a file it cannot read (a path through a regular file, a link at its name) as empty, and writes concurrent flushes one after another', async () => {
    const dir = await tempDir();
    const file = join(dir, 'regular');
    await writeFile(file, '');
    const notReadable = await FileBlobLocations.open(join(file, 'locations.json'));
    expect(await notReadable.repositories('r.example', 'sha256:1')).toEqual([]);
    const real = join(dir, 'real.json');
    const first = await FileBlobLocations.open(real);
    first.remember(at('a'), 'sha256:1');
    await first.flush();
    await symlink(real, join(dir, 'link.json'));
    const linked = await FileBlobLocations.open(join(dir, 'link.json'));
    expect(await linked.repositories('r.example', 'sha256:1')).toEqual([]);

    const cache = await FileBlobLocations.open(join(dir, 'busy.json'));
    const flushes: Promise<void>[] = [];
    for (const digest of ['sha256:1', 'sha256:2', 'sha256:3']) {
      cache.remember(at('b'), digest);
      flushes.push(cache.flush());
    }
    await Promise.all(flushes);
    const reopened = await FileBlobLocations.open(join(dir, 'busy.json'));
    for (const digest of ['sha256:1', 'sha256:2', 'sha256:3']) {
      expect(await reopened.repositories('r.example', digest), digest).toEqual(['b']);
    }
  });

  it('reads no cache from a FIFO or an oversized file, without blocking or reading it', async () => {
    const dir = await tempDir();
    const fifo = join(dir, 'fifo.json');
    execFileSync('mkfifo', [fifo]);
    const huge = join(dir, 'huge.json');
    await writeFile(huge, '');
    await truncate(huge, 65 * 1024 * 1024);
    for (const path of [fifo, huge]) {
      const cache = await FileBlobLocations.open(path);
      expect(await cache.repositories('r.example', 'sha256:1'), path).toEqual([]);
    }
  });
});
