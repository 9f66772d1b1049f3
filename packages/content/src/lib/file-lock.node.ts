/**
 * Exclusive lock files shared by writers on one host (`index.json.lock`,
 * ingest locks). The protocol:
 *
 * - **Record.** A lock file holds one JSON record: `pid`, `host` (when it
 *   can be read without a Deno prompt), `at`, and `token`, 128 random bits
 *   that name this one holding.
 * - **Acquire.** The record is written to a temp file of its own beside the
 *   lock (`.<lock>.<token>.tmp`), then `link()`ed to the lock path: the link
 *   fails with `EEXIST` while the lock is held, and no one ever sees a lock
 *   without its record, so an empty or unparsable lock was left by a crash.
 * - **Judge.** A held lock is stale when its record names no owner (empty,
 *   unparsable), when it names a pid on this host that is gone, or this
 *   process's pid with a token this process does not hold (a pid reused
 *   after a restart), or when its file went untouched for `staleMs` (a held
 *   lock touches it every third of that). Whatever cannot be known (no
 *   hostname, no right to signal a pid) counts as alive; time then decides.
 * - **Take over.** A stale lock is taken over one generation at a time
 *   (generation: its token, or its inode and mtime when it has none): the
 *   judge takes the claim lock `<lock>.<generation>` by this same protocol
 *   (a crashed claimer's claim is itself taken over so), re-reads the lock,
 *   and only if the same generation is still there renames its own record
 *   over it (an atomic replace: the lock never vanishes meanwhile). A stale
 *   record is only replaced by the holder of its claim, so a judge acting on
 *   an old view finds another generation and backs off.
 * - **Release** (and each heartbeat) acts only while the lock still holds
 *   this holding's token.
 *
 * Not defended: locks on NFS or shared between hosts, a holder stalled for
 * longer than `staleMs` (judged dead), containers that share a hostname but
 * not a pid namespace, a local user who can write the directory. Needs hard
 * links (not FAT or exFAT).
 */
import { randomBytes } from 'node:crypto';
import { link, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { abortError, delay, isOciError, OciError } from '@ocikit/digest';
import { errnoCode, openRegularFile, type RegularFile, readAt } from './file-io.node.ts';

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
  /** Releases the lock (only while it is still this holding's); safe to call twice. */
  release(): Promise<void>;
}

interface OwnerRecord {
  pid: number;
  host?: string;
  token: string;
  at: number;
}

/** A record as read back: a pid, and what else it holds. */
type ReadRecord = Pick<OwnerRecord, 'pid'> & Partial<OwnerRecord>;

/** What a busy lock holds: who, and whether it may be taken over. */
interface Holder {
  /** Its token, or its inode and mtime when it has none. */
  generation: string;
  /** The owner, for messages. */
  owner: string;
  /** Why it is stale, or undefined while its owner may be alive. */
  stale: string | undefined;
}

const POLL_MS = 25;
const MAX_RECORD_BYTES = 4096;
/** Claims of claims stop here (a claim chain also lengthens file names). */
const MAX_CLAIM_DEPTH = 2;
const TOKEN = /^[0-9a-f]{32}$/;
const HELD_KEY = Symbol.for('ocikit.heldFileLocks');
/** Tokens of the locks this process holds, shared by every copy of this module. */
const heldTokens = sharedTokens();

function sharedTokens(): Set<string> {
  const shared = globalThis as { [HELD_KEY]?: Set<string> };
  shared[HELD_KEY] ??= new Set<string>();
  return shared[HELD_KEY];
}

/**
 * Takes an exclusive lock across processes on one host (see the protocol at
 * the top of this module); a lock whose owner is gone, or that records no
 * owner, is taken over at once, one untouched for `staleMs` too.
 *
 * @param path - the lock file
 * @param options - {@link FileLockOptions}
 * @returns the held lock
 * @throws {OciError} `LOCK_TIMEOUT` (naming the file and its owner) when the
 *   lock stays busy past `timeoutMs`; `PATH_INVALID` when the path is not a
 *   regular file; `ABORTED`
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
    const result = await attempt(path, staleMs, 0);
    if (!('generation' in result)) return result;
    if (Date.now() >= deadline) {
      throw new OciError(
        'LOCK_TIMEOUT',
        `Lock "${path}" is still held after ${timeoutMs} ms by ${result.owner}; it is taken over once its owner is gone or it goes untouched for ${staleMs} ms`,
      );
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
 * @throws {OciError} `PATH_INVALID` when the path is not a regular file
 */
export async function tryAcquireFileLock(
  path: string,
  options: Pick<FileLockOptions, 'staleMs'> = {},
): Promise<FileLock | undefined> {
  const result = await attempt(path, options.staleMs ?? 60_000, 0);
  return 'generation' in result ? undefined : result;
}

/** One try: create the lock, or take it over when stale; otherwise say who holds it. */
async function attempt(path: string, staleMs: number, depth: number): Promise<FileLock | Holder> {
  const record = ownerRecord();
  const temp = join(dirname(path), `.${basename(path)}.${record.token}.tmp`);
  await writeFile(temp, JSON.stringify(record), { flag: 'wx', mode: 0o644 });
  heldTokens.add(record.token);
  let lock: FileLock | undefined;
  try {
    let holder: Holder | undefined;
    for (let tries = 0; tries < 4 && !lock; tries++) {
      if (await linkUnlessExists(temp, path)) {
        lock = hold(path, record.token, staleMs);
        break;
      }
      holder = await inspect(path, staleMs);
      if (!holder) continue;
      if (!holder.stale || depth >= MAX_CLAIM_DEPTH) return holder;
      const claim = await attempt(`${path}.${holder.generation}`, staleMs, depth + 1);
      if ('generation' in claim) return holder;
      try {
        if ((await inspect(path, staleMs))?.generation === holder.generation) {
          await rename(temp, path);
          lock = hold(path, record.token, staleMs);
        }
      } finally {
        await claim.release();
      }
    }
    return (
      lock ?? holder ?? { generation: '', owner: 'owners that keep changing', stale: undefined }
    );
  } finally {
    if (!lock) heldTokens.delete(record.token);
    await rm(temp, { force: true });
  }
}

/** Links `temp` to `path`; false when `path` exists. */
async function linkUnlessExists(temp: string, path: string): Promise<boolean> {
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false;
    throw error;
  }
}

/** The held lock: a heartbeat keeps its file fresh, and release removes only this holding. */
function hold(path: string, token: string, staleMs: number): FileLock {
  let beat: Promise<void> = Promise.resolve();
  const heartbeat = setInterval(() => {
    beat = beat.then(async () => {
      if ((await readToken(path)) !== token) return;
      const now = new Date();
      await utimes(path, now, now);
    });
    beat = beat.catch(() => {});
  }, staleMs / 3);
  heartbeat.unref();
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      await beat;
      try {
        if ((await readToken(path)) === token) await rm(path, { force: true });
      } finally {
        heldTokens.delete(token);
      }
    },
  };
}

/** The token of the lock at `path`, if any. */
async function readToken(path: string): Promise<string | undefined> {
  const found = await readLock(path);
  return found && parseRecord(found.text)?.token;
}

/** Reads and judges the lock at `path`; undefined when there is none. */
async function inspect(path: string, staleMs: number): Promise<Holder | undefined> {
  const found = await readLock(path);
  if (!found) return undefined;
  const record = parseRecord(found.text);
  const generation = record?.token ?? `i${found.ino}m${Math.trunc(found.mtimeMs)}`;
  if (!record) return { generation, owner: 'no owner', stale: 'it records no owner' };
  const owner = `pid ${record.pid}${record.host === undefined ? '' : ` on "${record.host}"`}`;
  return { generation, owner, stale: staleReason(record, found.mtimeMs, staleMs) };
}

/** Why a lock with this record and mtime is stale, or undefined while its owner may be alive. */
function staleReason(record: ReadRecord, mtimeMs: number, staleMs: number): string | undefined {
  const age = Date.now() - mtimeMs;
  if (age > staleMs) return `it was untouched for ${Math.round(age)} ms`;
  const host = localHost();
  if (host === undefined || record.host !== host) return undefined;
  if (record.pid === process.pid) {
    return record.token && heldTokens.has(record.token)
      ? undefined
      : 'this process holds no such lock';
  }
  return processGone(record.pid) ? 'its process is gone' : undefined;
}

/** The lock file's text (its first bytes) and identity; undefined when there is none. */
async function readLock(
  path: string,
): Promise<{ text: string; ino: number; mtimeMs: number } | undefined> {
  let file: RegularFile;
  try {
    file = await openRegularFile(path, { root: dirname(path) });
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    if (isOciError(error, 'PATH_INVALID')) throw notAFile(path, error);
    throw error;
  }
  try {
    const bytes = await readAt(file.handle, 0, Math.min(file.size, MAX_RECORD_BYTES));
    return {
      text: new TextDecoder().decode(bytes),
      ino: file.stats.ino,
      mtimeMs: file.stats.mtimeMs,
    };
  } finally {
    await file.handle.close();
  }
}

function notAFile(path: string, cause: unknown): OciError {
  return new OciError('PATH_INVALID', `Lock "${path}" is not a regular file`, { cause });
}

/** The record in a lock's text, or undefined when it names no owner. */
function parseRecord(text: string): ReadRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { pid, host, token } = value as Record<string, unknown>;
  if (!Number.isSafeInteger(pid) || (pid as number) <= 0) return undefined;
  return {
    pid: pid as number,
    host: typeof host === 'string' ? host : undefined,
    token: typeof token === 'string' && TOKEN.test(token) ? token : undefined,
  };
}

function ownerRecord(): OwnerRecord {
  const host = localHost();
  return { pid: process.pid, host, token: randomBytes(16).toString('hex'), at: Date.now() };
}

let cachedHost: { host: string | undefined } | undefined;

/**
 * This host's name, undefined when it cannot be read without asking (Deno
 * without `--allow-sys=hostname`): then no pid is judged, only time.
 */
function localHost(): string | undefined {
  if (!cachedHost) {
    try {
      cachedHost = { host: permitted({ name: 'sys', kind: 'hostname' }) ? hostname() : undefined };
    } catch {
      cachedHost = { host: undefined };
    }
  }
  return cachedHost.host;
}

/** The part of Deno's permission API used here. */
interface DenoPermissions {
  permissions: { querySync(descriptor: { name: string; kind?: string }): { state: string } };
}

/**
 * Whether a call that Deno guards by a permission may be made: always
 * outside Deno; under Deno only when granted, since a library must not make
 * Deno prompt the user.
 */
function permitted(descriptor: { name: 'sys'; kind: 'hostname' } | { name: 'run' }): boolean {
  const deno = (globalThis as { Deno?: DenoPermissions }).Deno;
  if (deno === undefined) return true;
  try {
    return deno.permissions.querySync(descriptor).state === 'granted';
  } catch {
    return false;
  }
}

/** True only when the process is known to be gone; a pid that cannot be signalled counts as alive. */
function processGone(pid: number): boolean {
  if (!permitted({ name: 'run' })) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return errnoCode(error) === 'ESRCH';
  }
}
