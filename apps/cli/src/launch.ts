// The `ocikit` command's start (the package's bin). It runs the one-file
// bundle next to it, `cli.cjs`, through V8's code cache: the bytecode V8
// compiled in an earlier run of the same command is read back instead of
// compiled again, which takes about 20 ms off every start on Node 20 (it has
// no `module.enableCompileCache`). A cache is executable code, so it is only
// read from a directory and a file of the user's own that nobody else can
// write, not through links; it is named by the hash of the bundle's bytes
// the build wrote beside it (`cli.cjs.sha256`), with the bundle's size and
// modification time, as V8 itself checks only the source's length (an edit
// of the bundle in place changes its time); it is written once, at the
// exit of the command's first run, to a new file then renamed. Nothing is
// cached with `OCIKIT_NO_CODE_CACHE` set, on Bun and Deno (they cache
// compiled code themselves) and where there are no user ids (Windows). A
// cache that cannot be used only costs that time.
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire, wrap } from 'node:module';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { cacheHome, ownedAndPrivate } from './lib/cache-home.ts';
import { commandWord } from './lib/top-level-commands.ts';
import { BYTE_MOVING_COMMANDS, tuneV8ForMovingBytes } from './lib/v8-tuning.ts';

const BUNDLE = join(__dirname, 'cli.cjs');

/** Where the caches go, or `undefined` where none is kept. */
function cacheDir(env: NodeJS.ProcessEnv): string | undefined {
  if (env.OCIKIT_NO_CODE_CACHE || 'bun' in process.versions || 'Deno' in globalThis) {
    return undefined;
  }
  if (typeof process.getuid !== 'function') return undefined;
  return join(cacheHome(env), 'code-cache');
}

/** The cache of this key, if one of the user's own is there. */
function readCache(dir: string, file: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    const folder = lstatSync(dir);
    if (!folder.isDirectory() || !ownedAndPrivate(folder)) return undefined;
    fd = openSync(join(dir, file), constants.O_RDONLY | constants.O_NOFOLLOW);
    const stats = fstatSync(fd);
    if (!stats.isFile() || !ownedAndPrivate(stats)) return undefined;
    return readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Writes the cache to a new file, then renames it into place (a reader never
 * sees half of it), and removes the caches of other bundles.
 */
function writeCache(dir: string, file: string, key: string, script: Script): void {
  const partial = join(dir, `${file}.${process.pid}.partial`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const folder = lstatSync(dir);
    if (!folder.isDirectory() || !ownedAndPrivate(folder)) return;
    writeFileSync(partial, script.createCachedData(), { mode: 0o600, flag: 'wx' });
    renameSync(partial, join(dir, file));
    for (const name of readdirSync(dir)) {
      if (name.endsWith('.bin') && !name.startsWith(key)) unlinkSync(join(dir, name));
    }
  } catch {
    try {
      unlinkSync(partial);
    } catch {
      // never written
    }
  }
}

/**
 * What names this bundle's caches: its hash (from `cli.cjs.sha256`), size,
 * time, and the V8 version; `undefined` without a well-formed hash beside
 * it, and then no cache is kept.
 */
function bundleKey(): string | undefined {
  try {
    const hash = readFileSync(`${BUNDLE}.sha256`, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/.test(hash)) return undefined;
    const { size, mtimeMs } = statSync(BUNDLE);
    return [hash.slice(0, 32), size, Math.trunc(mtimeMs), process.versions.v8, process.arch].join(
      '-',
    );
  } catch {
    return undefined;
  }
}

/**
 * Node's built-in modules a byte-moving command loads anyway, loaded before
 * V8's flags change: Node compiles its built-ins from the code cache it
 * carries only under the flags it was built with, and after a
 * `setFlagsFromString` each one loaded compiles from source, about 3×
 * slower (`http`, `crypto` and the web streams took 11 instead of 3.5 ms,
 * and a mount copy 10% more wall time). `https` (TLS) stays lazy: it loads
 * only for an https registry.
 */
function loadBuiltinsBeforeTuning(): void {
  // child_process: commander's, loaded with the bundle.
  for (const name of ['node:child_process', 'node:crypto', 'node:http', 'node:fs/promises']) {
    require(name);
  }
  // Node's web streams load at the first touch of one of their globals.
  void globalThis.ReadableStream;
}

function start(): void {
  const command = commandWord(process.argv.slice(2));
  if (BYTE_MOVING_COMMANDS.includes(command)) {
    loadBuiltinsBeforeTuning();
    tuneV8ForMovingBytes();
  }
  const dir = cacheDir(process.env);
  const key = dir === undefined ? undefined : bundleKey();
  if (dir === undefined || key === undefined) {
    require('./cli.cjs');
    return;
  }
  const file = `${key}-${command}.bin`;
  const cached = readCache(dir, file);
  // Latin-1: the build makes the bundle pure ASCII, which reads faster so.
  const script = new Script(wrap(readFileSync(BUNDLE, 'latin1')), {
    filename: BUNDLE,
    ...(cached === undefined ? {} : { cachedData: cached }),
  });
  if (cached === undefined || script.cachedDataRejected === true) {
    process.once('exit', () => writeCache(dir, file, key, script));
  }
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(BUNDLE), module, BUNDLE, __dirname);
}

start();
