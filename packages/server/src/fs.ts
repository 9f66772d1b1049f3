export {
  DirectoryRegistryStorage,
  type DirectoryStorageOptions,
  type RepositoryGcResult,
} from './lib/directory-storage.node.ts';
