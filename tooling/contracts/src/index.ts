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
} from './storage-contract.ts';
