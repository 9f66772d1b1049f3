import { OciError } from '@ocikit/digest';
import type { UploadSessions } from './sessions.ts';
import type { RegistryStorage, RepositoryStorage } from './storage.ts';

/** The resolved settings of a registry handler. */
export interface Settings {
  readonly maxManifestSize: number;
  readonly chunkMinLength: number;
  readonly requireChildren: boolean;
  readonly maxUploadSize: number;
}

/** What a route handler works with: the request and the registry's state. */
export interface RequestContext {
  readonly request: Request;
  readonly url: URL;
  readonly storage: RegistryStorage;
  readonly sessions: UploadSessions;
  readonly settings: Settings;
  /** Whether the caller may read a repository (the source of a cross-repository mount). */
  readonly mayPull: (name: string) => Promise<boolean> | boolean;
  /** Who the request comes from, on upload routes (undefined: anonymous, or no auth). */
  readonly user: string | undefined;
}

/**
 * The repository a request names, which must exist.
 *
 * @param context - the request context
 * @param name - the validated repository name
 * @returns the repository
 * @throws {OciError} `NAME_UNKNOWN`
 */
export async function existingRepository(
  context: RequestContext,
  name: string,
): Promise<RepositoryStorage> {
  const repository = await context.storage.repository(name, { signal: context.request.signal });
  if (!repository) {
    throw new OciError('NAME_UNKNOWN', `There is no repository "${name}"`);
  }
  return repository;
}

/**
 * The repository a write goes to, made when it does not exist yet.
 *
 * @param context - the request context
 * @param name - the validated repository name
 * @returns the repository
 */
export async function writableRepository(
  context: RequestContext,
  name: string,
): Promise<RepositoryStorage> {
  const repository = await context.storage.repository(name, {
    create: true,
    signal: context.request.signal,
  });
  if (!repository) {
    throw new OciError('NAME_UNKNOWN', `Repository "${name}" cannot be created`);
  }
  return repository;
}
