export { type Compression, detectCompression } from './lib/compression.ts';
export {
  createDockerArchive,
  type DockerArchiveItem,
  type DockerArchiveOptions,
  parseDockerArchiveManifest,
} from './lib/docker-archive.ts';
export {
  addLayoutEntry,
  createLayoutIndex,
  DEFAULT_MAX_INDEX_SIZE,
  findLayoutEntry,
  layoutEntryTag,
  layoutTags,
  type ParseLayoutIndexOptions,
  parseLayoutIndex,
  removeLayoutEntries,
  removeLayoutTag,
  type SetLayoutTagOptions,
  serializeLayoutIndex,
  setLayoutTag,
} from './lib/index-json.ts';
export { createLayoutArchive } from './lib/layout-archive.ts';
export { assertLayoutTag, CONTAINERD_IMAGE_NAME, isLayoutTag } from './lib/tag.ts';
export {
  type LayoutArchiveEntry,
  type ReadLayoutArchiveOptions,
  readLayoutArchive,
} from './lib/tar-read.ts';
