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
