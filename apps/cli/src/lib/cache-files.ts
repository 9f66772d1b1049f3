import { join } from 'node:path';
import type { BlobLocationCache, UploadSessionStore } from '@ocikit/transfer';
import { cacheHome, unsafeCacheHome } from './cache-home.ts';

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

/**
 * The upload sessions of `--resume-uploads`, kept in the user's cache
 * directory: blobs go to registries in `PATCH` chunks, each session's
 * location recorded after every chunk, so a rerun of an interrupted copy
 * continues a half-sent blob. None without the flag, and none for a dry run.
 *
 * @param flags - the command's flags
 * @param env - the environment (`XDG_CACHE_HOME`, `HOME`)
 * @returns the session store, or undefined
 */
export async function uploadSessions(
  flags: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): Promise<UploadSessionStore | undefined> {
  if (flags.resumeUploads !== true || flags.dryRun === true) return undefined;
  const { FileUploadSessions } = await import('@ocikit/transfer/fs');
  return FileUploadSessions.open(join(cacheHome(env), 'upload-sessions.json'));
}

/**
 * The client options of the caches a copying command uses (see
 * {@link blobCache} and {@link uploadSessions}): none, with a warning, when
 * ocikit's cache directory is not the user's alone (others could plant
 * upload locations or blob locations there).
 *
 * @param flags - the command's flags
 * @param env - the environment
 * @param warn - prints a warning
 * @returns `blobLocations` and `uploadSessions`, those in use
 */
export async function cacheOptions(
  flags: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  warn: (line: string) => void,
): Promise<{ blobLocations?: BlobLocationCache; uploadSessions?: UploadSessionStore }> {
  const wanted = flags.blobCache !== false || flags.resumeUploads === true;
  const unsafe = wanted && flags.dryRun !== true ? unsafeCacheHome(cacheHome(env)) : undefined;
  if (unsafe !== undefined) {
    warn(`warning: no blob cache and no resumable uploads: ${unsafe}`);
    return {};
  }
  const [blobLocations, sessions] = await Promise.all([
    blobCache(flags, env),
    uploadSessions(flags, env),
  ]);
  return {
    ...(blobLocations === undefined ? {} : { blobLocations }),
    ...(sessions === undefined ? {} : { uploadSessions: sessions }),
  };
}
