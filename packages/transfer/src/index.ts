export {
  type BlobLocationCache,
  type BlobLocationEntry,
  type BlobLocationOptions,
  MemoryBlobLocations,
} from './lib/blob-locations.ts';
export { type CopyDestination, type CopyRequest, type CopySource, copy } from './lib/copy.ts';
export { TransferError, type TransferOrigin } from './lib/errors.ts';
export type { CopyOptions, CopyResult } from './lib/options.ts';
export type { ProgressEvent, ProgressTotals } from './lib/progress.ts';
export {
  type SyncItem,
  type SyncOptions,
  type SyncPlan,
  type SyncReport,
  type SyncStatus,
  type SyncStop,
  shardOf,
  sync,
} from './lib/sync.ts';
export type { TagFilter } from './lib/tag-filter.ts';
