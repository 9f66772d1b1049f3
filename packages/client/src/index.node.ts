export type { MountBlobResult, PushBlobOptions } from './lib/blobs.node.ts';
export type {
  DeleteManifestOptions,
  PutManifestOptions,
  ReferrersOptions,
  RepositoriesOptions,
} from './lib/client.node.ts';
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
export type { ReferrerNode, ReferrerTree } from './lib/referrer-tree.ts';
