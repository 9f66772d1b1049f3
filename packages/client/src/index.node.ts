export {
  Client,
  type ClientCopyResult,
  type CopyOptions,
  type DeleteResult,
  openLocation,
  type TagsOptions,
} from './lib/client.node.ts';
export type { ConfigSummary, InspectResult } from './lib/inspect.ts';
export type {
  CommitOptions,
  LocationTarget,
  OpenedLocation,
  OpenLocationOptions,
  OpenMode,
} from './lib/locations.node.ts';
export type { ClientOptions } from './lib/options.node.ts';
export type { ClientSyncOptions } from './lib/sync.node.ts';
export {
  type ClientSyncEntry,
  type ClientSyncPlan,
  parseShard,
  parseSyncPlan,
} from './lib/sync-plan.ts';
