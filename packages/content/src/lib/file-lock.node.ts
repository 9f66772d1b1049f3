import { open, readFile, rm, stat, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { abortError, delay, OciError } from '@ocikit/digest';
import { errnoCode } from './file-io.node.ts';

/** Options of {@link acquireFileLock}. */
export interface FileLockOptions {
  /**
   * How long to wait for a lock another process holds before failing with
   * `LOCK_TIMEOUT`; 0 fails at once.
   * @default 30000
   */
  timeoutMs?: number;
  /**
   * A lock whose file has not been touched for this long is stale and is
   * taken over; a held lock touches its file every third of this.
   * @default 60000
   */
  staleMs?: number;
  /** Cancels the wait. */
  signal?: AbortSignal;
}

/** A held lock. */
export interface FileLock {
  /** Releases the lock; safe to call twice. */
  release(): Promise<void>;
}

const POLL_MS = 25;

/**
 * Takes an exclusive lock across processes: a lock file created with
 * `O_EXCL` holding the owner's pid and host. A lock whose owner process is
 * gone (same host) or whose file went untouched for `staleMs` is recovered.
 *
 * @param path - the lock file
 * @param options - {@link FileLockOptions}
 * @returns the held lock
 * @throws {OciError} `LOCK_TIMEOUT` when the lock stays busy past `timeoutMs`; `ABORTED`
 */
export async function acquireFileLock(
  path: string,
  options: FileLockOptions = {},
): Promise<FileLock> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const staleMs = options.staleMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (options.signal?.aborted) throw abortError(options.signal);
    const lock = await tryCreate(path, staleMs);
    if (lock) return lock;
    if (await isStale(path, staleMs)) {
      await rm(path, { force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      throw new OciError('LOCK_TIMEOUT', `Lock "${path}" is still held after ${timeoutMs} ms`);
    }
    await delay(POLL_MS, options.signal);
  }
}

/**
 * Takes the lock if it is free (or stale) and returns undefined otherwise,
 * without waiting.
 *
 * @param path - the lock file
 * @param options - `staleMs` as in {@link FileLockOptions}
 * @returns the held lock, or undefined when another owner holds it
 */
export async function tryAcquireFileLock(
  path: string,
  options: Pick<FileLockOptions, 'staleMs'> = {},
): Promise<FileLock | undefined> {
  try {
    return await acquireFileLock(path, { ...options, timeoutMs: 0 });
  } catch (error) {
    if (error instanceof OciError && error.code === 'LOCK_TIMEOUT') return undefined;
    throw error;
  }
}

async function tryCreate(path: string, staleMs: number): Promise<FileLock | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'wx');
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return undefined;
    throw error;
  }
  try {
    await handle.writeFile(JSON.stringify({ pid: process.pid, host: hostname(), at: Date.now() }));
  } finally {
    await handle.close();
  }
  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(path, now, now).catch(() => {});
  }, staleMs / 3);
  heartbeat.unref();
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      await rm(path, { force: true });
    },
  };
}

async function isStale(path: string, staleMs: number): Promise<boolean> {
  try {
    const [info, text] = await Promise.all([stat(path), readFile(path, 'utf8')]);
    if (Date.now() - info.mtimeMs > staleMs) return true;
    const owner = JSON.parse(text) as { pid?: unknown; host?: unknown };
    return owner.host === hostname() && typeof owner.pid === 'number' && !processAlive(owner.pid);
  } catch (error) {
    // Gone already (free now), or half-written by an owner that is still
    // creating it: not stale.
    if (errnoCode(error) === 'ENOENT') return false;
    if (error instanceof SyntaxError) return false;
    throw error;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === 'EPERM';
  }
}
