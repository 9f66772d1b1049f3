export {
  DirectoryRegistryStorage,
  type DirectoryStorageOptions,
} from './lib/directory-storage.node.ts';
