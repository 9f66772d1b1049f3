// Small formatters for the demo's output.
import type { Descriptor } from '@ocikit/spec';
import {
  formatPlatform,
  isImageConfigMediaType,
  isIndexMediaType,
  isLayerMediaType,
  isManifestMediaType,
  MediaType,
} from '@ocikit/spec';

/** A byte count for people: `512 B`, `1.5 KiB`, `2.0 MiB`. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** A digest cut to its algorithm and first 12 hex digits, as `docker images` shows it. */
export function shortDigest(digest: string): string {
  return digest.slice(0, digest.indexOf(':') + 13);
}

/** What a descriptor points at, in a word: index, manifest, config, layer, empty or blob. */
export function kindOf(descriptor: Descriptor): string {
  if (isIndexMediaType(descriptor.mediaType)) return 'index';
  if (isManifestMediaType(descriptor.mediaType)) return 'manifest';
  if (isImageConfigMediaType(descriptor.mediaType)) return 'config';
  if (isLayerMediaType(descriptor.mediaType)) return 'layer';
  if (descriptor.mediaType === MediaType.OciEmpty) return 'empty';
  return 'blob';
}

/** A descriptor's platform as `os/arch[/variant]`, or `-` when it has none. */
export function platformOf(descriptor: Descriptor): string {
  return descriptor.platform ? formatPlatform(descriptor.platform) : '-';
}
