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
export type { RangedDownloadOptions } from './lib/ranged-download.ts';
export type { ResumableSession, SessionPusher } from './lib/resumable-upload.ts';
export {
  type SyncImage,
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
export type { TaggingManifestPusher } from './lib/tagged-push.ts';
export {
  MemoryUploadSessions,
  type UploadSessionEntry,
  type UploadSessionStore,
} from './lib/upload-sessions.ts';
