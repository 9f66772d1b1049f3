export type { CatalogOptions } from './lib/catalog.ts';
export type { ClientOptions } from './lib/client.ts';
export type { FetchedManifest, ManifestContent } from './lib/manifests.ts';
export type { MountResult } from './lib/mount.ts';
export type { RepositoryLocator } from './lib/name.ts';
export type { ReferrersMode, RepositoryOptions } from './lib/options.ts';
export type { RateLimit } from './lib/rate-limit.ts';
export { referrersTag } from './lib/referrers-fallback.ts';
export { type PingResult, Registry, type RegistryOptions } from './lib/registry.ts';
export {
  type GetManifestOptions,
  type PushBlobOptions,
  type PutManifestOptions,
  Repository,
  type ResolveOptions,
} from './lib/repository.ts';
export type { ListTagsOptions } from './lib/tags.ts';
export { UNTAG_ARTIFACT_TYPE } from './lib/untag.ts';
export type { UploadSession } from './lib/upload-session.ts';
