export { OciArchive, type OpenArchiveOptions } from './lib/archive-file.node.ts';
export {
  type DockerArchiveImage,
  type ImportDockerArchiveOptions,
  importDockerArchive,
} from './lib/docker-import.node.ts';
export { type ExtractArchiveOptions, extractArchive } from './lib/extract.node.ts';
export {
  INDEX_LOCK_FILE,
  type LayoutTagOptions,
  OciLayout,
  type OpenLayoutOptions,
} from './lib/layout.node.ts';
