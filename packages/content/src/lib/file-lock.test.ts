import { mkdir, mkdtemp, readdir, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isOciError } from '@ocikit/digest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireFileLock, type FileLock, tryAcquireFileLock } from './file-lock.node.ts';

/** A pid above Linux's largest `pid_max` (2^22): no process has it. */
const DEAD_PID = 2 ** 22 + 1;

function deadOwner(): string {
  return JSON.stringify({ pid: DEAD_PID, host: hostname(), at: 0 });
}

describe('acquireFileLock', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocikit-lock-'));
    path = join(dir, 'x.lock');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('takes over a lock that records no owner at once, without waiting', async () => {
    const cases: [string, string][] = [
      ['an empty file', ''],
      ['half a record', '{"pid":12'],
      ['not JSON', 'garbage'],
      ['JSON null', 'null'],
      ['an array', '[1]'],
      ['a pid that is not a number', '{"pid":"12","host":"h"}'],
    ];
    for (const [label, content] of cases) {
      await writeFile(path, content);
      const lock = await acquireFileLock(path, { timeoutMs: 0 });
      const record = JSON.parse(await readFile(path, 'utf8'));
      expect(record.pid, label).toBe(process.pid);
      await lock.release();
      expect(await readdir(dir), label).toEqual([]);
    }
  });

  it('takes over a lock of a gone process on this host, and of this pid when this process does not hold it', async () => {
    for (const [label, pid] of [
      ['a dead pid', DEAD_PID],
      ['this pid, left by an earlier process', process.pid],
    ] as const) {
      await writeFile(path, JSON.stringify({ pid, host: hostname(), token: 'f'.repeat(32) }));
      const lock = await acquireFileLock(path, { timeoutMs: 0 });
      await lock.release();
      expect(await readdir(dir), label).toEqual([]);
    }
  });

  it('takes over a dead writer lock whose claim a crashed taker left behind', async () => {
    const stale = 'd'.repeat(32);
    await writeFile(path, JSON.stringify({ pid: DEAD_PID, host: hostname(), token: stale }));
    await writeFile(
      `${path}.${stale}`,
      JSON.stringify({ pid: DEAD_PID, host: hostname(), token: 'c'.repeat(32) }),
    );
    const lock = await acquireFileLock(path, { timeoutMs: 0 });
    expect(JSON.parse(await readFile(path, 'utf8')).pid).toBe(process.pid);
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('judges a lock of another host by its age only', async () => {
    await writeFile(
      path,
      JSON.stringify({ pid: DEAD_PID, host: 'elsewhere', token: 'e'.repeat(32) }),
    );
    const error = await acquireFileLock(path, { timeoutMs: 0 }).catch((e: unknown) => e);
    expect(isOciError(error) && error.code).toBe('LOCK_TIMEOUT');
    expect((error as Error).message).toContain(`pid ${DEAD_PID} on "elsewhere"`);
    const old = new Date(Date.now() - 120_000);
    await utimes(path, old, old);
    const lock = await acquireFileLock(path, { timeoutMs: 0, staleMs: 60_000 });
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('fails with LOCK_TIMEOUT naming the file and the live owner it found', async () => {
    const held = await acquireFileLock(path);
    const error = await acquireFileLock(path, { timeoutMs: 0 }).catch((e: unknown) => e);
    expect(isOciError(error) && error.code).toBe('LOCK_TIMEOUT');
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toContain(`pid ${process.pid}`);
    expect(await tryAcquireFileLock(path)).toBeUndefined();
    await held.release();
  });

  it('never lets release remove a lock that another owner took over', async () => {
    const lock = await acquireFileLock(path);
    const other = JSON.stringify({
      pid: process.pid + 1,
      host: 'elsewhere',
      token: 'a'.repeat(32),
    });
    await writeFile(join(dir, 'other'), other);
    await rename(join(dir, 'other'), path);
    await lock.release();
    expect(await readFile(path, 'utf8')).toBe(other);
  });

  it('holds a lock for one owner at a time when many in one process race to take over a dead writer lock', async () => {
    for (let trial = 0; trial < 100; trial++) {
      await writeFile(path, deadOwner());
      let holders = 0;
      let most = 0;
      await Promise.all(
        Array.from({ length: 6 }, async () => {
          const lock: FileLock = await acquireFileLock(path, { timeoutMs: 10_000 });
          holders += 1;
          most = Math.max(most, holders);
          await new Promise((done) => setImmediate(done));
          holders -= 1;
          await lock.release();
        }),
      );
      expect(most, `trial ${trial}`).toBe(1);
      expect(await readdir(dir), `trial ${trial}`).toEqual([]);
    }
  }, 30_000);

  it('fails with PATH_INVALID when the lock path is not a regular file', async () => {
    await mkdir(path);
    const error = await acquireFileLock(path, { timeoutMs: 0 }).catch((e: unknown) => e);
    expect(isOciError(error) && error.code).toBe('PATH_INVALID');
    expect((error as Error).message).toContain(path);
    expect(await readdir(dir)).toEqual(['x.lock']);
  });
});
