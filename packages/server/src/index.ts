export {
  type AuthRefusal,
  type HtpasswdAuthOptions,
  htpasswdAuth,
  parseHtpasswd,
  type RegistryAuth,
} from './lib/basic-auth.ts';
export {
  createRegistryHandler,
  type RegistryHandler,
  type RegistryHandlerOptions,
} from './lib/handler.ts';
export { MemoryRegistryStorage, type MemoryRegistryStorageOptions } from './lib/memory-storage.ts';
export type {
  RegistryStorage,
  RepositoryLookupOptions,
  RepositoryStorage,
  StatOptions,
  UploadSpool,
} from './lib/storage.ts';
export { type TokenAuthOptions, tokenAuth } from './lib/token-auth.ts';
export type {
  Grantee,
  RepositoryAction,
  TokenGrant,
} from './lib/token-grants.ts';
