// The `ocikit` command's start (the package's bin). It runs the one-file
// bundle next to it, `cli.cjs`, through V8's code cache: the bytecode V8
// compiled in an earlier run of the same command is read back instead of
// compiled again, which takes about 20 ms off every start on Node 20 (it has
// no `module.enableCompileCache`). The cache is a file per command and
// bundle in the user's own cache directory, written once at exit; nothing
// is cached when `OCIKIT_NO_CODE_CACHE` is set or on Deno and Bun, which
// cache compiled code themselves. A cache that cannot be read or written,
// or that V8 refuses, only costs that time.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, wrap } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

const BUNDLE = join(__dirname, 'cli.cjs');

/**
 * The cache file for this bundle, this V8 and this command, or `undefined`
 * where no cache is kept. The bundle's size and modification time are in
 * the name, because V8 checks only the length of the source it is given.
 */
function cacheFile(env: NodeJS.ProcessEnv): string | undefined {
  if (env.OCIKIT_NO_CODE_CACHE || 'Bun' in process.versions || 'Deno' in globalThis) {
    return undefined;
  }
  const base = env.XDG_CACHE_HOME || (env.HOME ? join(env.HOME, '.cache') : homedir());
  if (!base) return undefined;
  const { size, mtimeMs } = statSync(BUNDLE);
  const command = /^[a-z][a-z-]{0,19}$/.test(process.argv[2] ?? '') ? process.argv[2] : 'other';
  const key = [OCIKIT_VERSION, process.versions.v8, process.arch, size, Math.trunc(mtimeMs)];
  return join(base, 'ocikit', 'code-cache', `${key.join('-')}-${command}.bin`);
}

function readCache(file: string | undefined): Buffer | undefined {
  if (file === undefined) return undefined;
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Writes the cache next to its place, then renames it there: a reader never sees half of it. */
function writeCache(file: string, script: Script): void {
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, script.createCachedData(), { mode: 0o600 });
    renameSync(partial, file);
  } catch {
    // no cache this time
  }
}

function start(): void {
  const file = cacheFile(process.env);
  if (file === undefined) {
    require('./cli.cjs');
    return;
  }
  const cached = readCache(file);
  const script = new Script(wrap(readFileSync(BUNDLE, 'utf8')), {
    filename: BUNDLE,
    ...(cached === undefined ? {} : { cachedData: cached }),
  });
  if (cached === undefined || script.cachedDataRejected === true) {
    process.once('exit', () => writeCache(file, script));
  }
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(BUNDLE), module, BUNDLE, __dirname);
}

start();
