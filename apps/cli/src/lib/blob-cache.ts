import { join } from 'node:path';
import type { BlobLocationCache } from '@ocikit/transfer';
import { cacheHome } from './cache-home.ts';

/**
 * Where blobs were seen, kept in the user's cache directory across runs (as
 * skopeo keeps its blob-info cache): a copy of a layout into a new
 * repository mounts what an earlier copy put into another one. None with
 * `--no-blob-cache` (`flags.blobCache === false`), and none for a dry run
 * (it would record nothing).
 *
 * @param flags - the command's flags
 * @param env - the environment (`XDG_CACHE_HOME`, `HOME`)
 * @returns the cache, or undefined
 */
export async function blobCache(
  flags: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): Promise<BlobLocationCache | undefined> {
  if (flags.blobCache === false || flags.dryRun === true) return undefined;
  const { FileBlobLocations } = await import('@ocikit/transfer/fs');
  return FileBlobLocations.open(join(cacheHome(env), 'blob-locations.json'));
}
