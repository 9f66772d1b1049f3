export {
  type ArtifactFileSpec,
  CONTENT_DIGEST_ANNOTATION,
  DEFAULT_ARTIFACT_TYPE,
  DEFAULT_DIRECTORY_MEDIA_TYPE,
  DEFAULT_FILE_MEDIA_TYPE,
  parseArtifactFile,
  titleSegments,
  UNPACK_ANNOTATION,
} from './lib/artifact-titles.ts';
export {
  type ArtifactAttachOptions,
  type ArtifactPullOptions,
  type ArtifactPullResult,
  type ArtifactPushOptions,
  type ArtifactPushResult,
  Artifacts,
  type DiscoverOptions,
  type DiscoverResult,
  type PulledFile,
  type ReferrerNode,
} from './lib/artifacts.node.ts';
export type { MountBlobResult, PushBlobOptions } from './lib/blobs.node.ts';
export type {
  DeleteManifestOptions,
  PutManifestOptions,
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
export {
  exportLayout,
  gcLayout,
  type ImportedImage,
  importArchive,
  type LayoutExportResult,
  type LayoutGcOptions,
  type LayoutGcResult,
  type LayoutImportOptions,
  type LayoutImportResult,
  type LayoutListEntry,
  listLayout,
} from './lib/layout-tools.node.ts';
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
