import { lstatSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * The directory of ocikit's caches: `$XDG_CACHE_HOME/ocikit`, or
 * `~/.cache/ocikit`. A relative `XDG_CACHE_HOME` is ignored, as the XDG
 * base directory specification says.
 *
 * @param env - the environment (`XDG_CACHE_HOME`, `HOME`)
 * @returns the directory (it may not exist)
 */
export function cacheHome(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.cache');
  return join(base, 'ocikit');
}

/**
 * Whether a file or directory is the user's own and writable by nobody else
 * (checked on its `lstat`, so a link is not). Without user ids (Windows),
 * whether it is not a link.
 *
 * @param stats - its `lstat`
 * @returns whether it is private to the user
 */
export function ownedAndPrivate(stats: Stats): boolean {
  if (typeof process.getuid !== 'function') return !stats.isSymbolicLink();
  return stats.uid === process.getuid() && (stats.mode & 0o022) === 0;
}

/**
 * Why ocikit's cache directory may not be used, or `undefined` when it may:
 * it is a directory of the user's own that nobody else can write, or it
 * does not exist yet (it is then created 0700). Others could otherwise put
 * files there that ocikit reads (upload locations, blob locations).
 *
 * @param dir - the directory ({@link cacheHome})
 * @returns the reason, or undefined
 */
export function unsafeCacheHome(dir: string): string | undefined {
  let stats: Stats;
  try {
    stats = lstatSync(dir);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : `${dir} cannot be read`;
  }
  if (!stats.isDirectory()) return `${dir} is not a directory`;
  if (!ownedAndPrivate(stats))
    return `${dir} is not yours alone (another owner, or writable by others)`;
  return undefined;
}
