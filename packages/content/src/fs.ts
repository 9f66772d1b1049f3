export {
  type AtomicWriteOptions,
  errnoCode,
  isTempFile,
  type OpenRegularFileOptions,
  openRegularFile,
  type ReadFileStreamOptions,
  type ReadRangeOptions,
  type RegularFile,
  type RemoveStaleOptions,
  readAt,
  readFileStream,
  readRange,
  readRegularFile,
  removeStaleFiles,
  syncDirectory,
  writeFileAtomic,
  writeStreamToFile,
} from './lib/file-io.node.ts';
export {
  acquireFileLock,
  type FileLock,
  type FileLockOptions,
  tryAcquireFileLock,
} from './lib/file-lock.node.ts';
export {
  FileStore,
  type FileStoreOptions,
  type GcOptions,
  type GcResult,
  type StoredBlob,
} from './lib/file-store.node.ts';
