export { Annotation } from './lib/annotations.ts';
export {
  type BuildManifestOptions,
  createImageIndex,
  createImageManifest,
  type ImageIndexInput,
  type ImageManifestInput,
} from './lib/build.ts';
export { manifestChildren, manifestSubject, referrerDescriptor } from './lib/children.ts';
export { configPlatform, type ParseImageConfigOptions, parseImageConfig } from './lib/config.ts';
export { descriptorData, EMPTY_DESCRIPTOR, validateDescriptor } from './lib/descriptor.ts';
export { IMAGE_LAYOUT_VERSION, parseImageLayout } from './lib/layout.ts';
export {
  DEFAULT_MAX_MANIFEST_SIZE,
  type ParsedImageIndex,
  type ParsedImageManifest,
  type ParsedManifest,
  type ParsedManifestBase,
  type ParsedSchema1Manifest,
  type ParseManifestOptions,
  parseManifest,
} from './lib/manifest.ts';
export {
  DEFAULT_MANIFEST_ACCEPT,
  type ImageManifestMediaType,
  type IndexMediaType,
  isImageConfigMediaType,
  isImageManifestMediaType,
  isIndexMediaType,
  isLayerMediaType,
  isManifestMediaType,
  isNondistributableMediaType,
  isSchema1MediaType,
  isValidMediaType,
  MANIFEST_MEDIA_TYPES,
  type ManifestMediaType,
  MediaType,
  parseContentType,
  type Schema1MediaType,
} from './lib/media-types.ts';
export { formatPlatform, normalizePlatform, parsePlatform } from './lib/platform.ts';
export {
  type PlatformMatchOptions,
  platformMatches,
  selectPlatform,
} from './lib/platform-match.ts';
export type {
  Descriptor,
  ImageConfig,
  ImageExecutionConfig,
  ImageHistory,
  ImageIndex,
  ImageLayout,
  ImageManifest,
  Platform,
  RootFs,
  Schema1Layer,
  Schema1Manifest,
  StringMap,
} from './lib/types.ts';
