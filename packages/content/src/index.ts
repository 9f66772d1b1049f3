export { type BlobContent, contentStream } from './lib/blob-content.ts';
export {
  isDeleter,
  isLocated,
  isMounter,
  isRangeFetcher,
  isReferrerLister,
  isRepositoryLocation,
  isResumablePusher,
  isTagLister,
  isUntagger,
} from './lib/capabilities.ts';
export type {
  Deleter,
  ExistenceChecker,
  Fetcher,
  Located,
  Mounter,
  OperationOptions,
  Pusher,
  RangeFetcher,
  RangeFetchOptions,
  ReferrerLister,
  ReferrerListOptions,
  RepositoryLocation,
  Resolver,
  ResumablePusher,
  Storage,
  Tagger,
  TagLister,
  TagListOptions,
  Target,
  Untagger,
} from './lib/interfaces.ts';
export { MemoryStore } from './lib/memory-store.ts';
export { isNotFound, notFound } from './lib/not-found.ts';
export { pushFailure } from './lib/push-failure.ts';
export { findReachable, type Reachability } from './lib/reachable.ts';
export { type FetchBytesOptions, fetchBytes, pushBytes } from './lib/read-write.ts';
export { matchesReferrerFilter } from './lib/referrer-filter.ts';
export { assertTag } from './lib/tag.ts';
