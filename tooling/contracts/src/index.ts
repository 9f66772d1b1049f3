export { type FilesystemHook, mkfifo, releaseFifos } from './filesystem-contract.ts';
export {
  artifactFor,
  type Blob,
  chunked,
  configBlob,
  multiPlatformImage,
  randomBlob,
  smallImage,
  type TestImage,
} from './fixtures.ts';
export {
  type Capabilities,
  describeStorage,
  describeTarget,
  type Factory,
  type StorageCapabilities,
} from './storage-contract.ts';
