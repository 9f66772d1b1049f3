import { type Fetcher, fetchBytes, type OperationOptions } from '@ocikit/content';
import {
  type Descriptor,
  formatPlatform,
  type ImageHistory,
  isImageConfigMediaType,
  type ParsedManifest,
  parseImageConfig,
  parseManifest,
} from '@ocikit/spec';

/** A summary of an image config (the fields people look at). */
export interface ConfigSummary {
  /** The config's descriptor. */
  readonly descriptor: Descriptor;
  /** When the image was built (RFC 3339), if recorded. */
  readonly created: string | undefined;
  /** `os/architecture[/variant]`, such as `linux/arm64/v8`. */
  readonly platform: string;
  /** The CPU architecture, such as `amd64`. */
  readonly architecture: string;
  /** The operating system, such as `linux`. */
  readonly os: string;
  /** `config.Labels`. */
  readonly labels: Readonly<Record<string, string>>;
  /** The build history, oldest first. */
  readonly history: readonly ImageHistory[];
}

/** What {@link Client.inspect} reports about a location. */
export interface InspectResult {
  /** The location, as written back by `formatLocation`. */
  readonly name: string;
  /** The manifest's descriptor (`mediaType`, `digest`, `size`). */
  readonly descriptor: Descriptor;
  /** `index` (image index or manifest list), `manifest`, or `schema1`. */
  readonly kind: ParsedManifest['kind'];
  /** The manifest's media type. */
  readonly mediaType: string;
  /** The manifest's digest. */
  readonly digest: string;
  /** The manifest, parsed (its `bytes` are the exact bytes stored). */
  readonly manifest: ParsedManifest;
  /** For an index, its entries with their platforms (`os/arch[/variant]`, or `undefined`). */
  readonly platforms: readonly {
    readonly platform: string | undefined;
    readonly descriptor: Descriptor;
  }[];
  /** For an image manifest with an image config: its summary. */
  readonly config: ConfigSummary | undefined;
  /** For an image manifest: the layers' sizes in bytes, base first. */
  readonly layerSizes: readonly number[];
  /**
   * The bytes of the image: manifest, config and layers (an image), or the
   * index and its entries' manifests (an index, not counting their blobs).
   */
  readonly totalSize: number;
}

/**
 * Reads a manifest (and for an image, its config) and summarizes it.
 *
 * @param source - where the content is
 * @param descriptor - the manifest
 * @param name - the location's name, for the result
 * @param options - `signal`
 * @returns the summary
 * @throws {OciError} the source's errors; `MANIFEST_INVALID`; `SIZE_EXCEEDED`
 */
export async function inspectManifest(
  source: Fetcher,
  descriptor: Descriptor,
  name: string,
  options: OperationOptions = {},
): Promise<InspectResult> {
  const manifest = parseManifest(await fetchBytes(source, descriptor, options), {
    contentType: descriptor.mediaType,
    expectedDigest: descriptor.digest,
  });
  const base = {
    name,
    descriptor,
    kind: manifest.kind,
    mediaType: manifest.mediaType,
    digest: manifest.digest,
    manifest,
  };
  if (manifest.kind === 'index') {
    const entries = manifest.value.manifests;
    return {
      ...base,
      platforms: entries.map((entry) => ({
        platform: entry.platform === undefined ? undefined : formatPlatform(entry.platform),
        descriptor: entry,
      })),
      config: undefined,
      layerSizes: [],
      totalSize: entries.reduce((sum, entry) => sum + entry.size, manifest.size),
    };
  }
  if (manifest.kind === 'schema1') {
    return { ...base, platforms: [], config: undefined, layerSizes: [], totalSize: manifest.size };
  }
  const { config, layers } = manifest.value;
  const layerSizes = layers.map((layer) => layer.size);
  const totalSize = layerSizes.reduce((sum, size) => sum + size, manifest.size + config.size);
  return {
    ...base,
    platforms: [],
    config: isImageConfigMediaType(config.mediaType)
      ? await summarizeConfig(source, config, options)
      : undefined,
    layerSizes,
    totalSize,
  };
}

async function summarizeConfig(
  source: Fetcher,
  descriptor: Descriptor,
  options: OperationOptions,
): Promise<ConfigSummary> {
  const config = parseImageConfig(await fetchBytes(source, descriptor, options));
  const { os, architecture, variant } = config;
  return {
    descriptor,
    created: config.created,
    platform: formatPlatform({ os, architecture, ...(variant === undefined ? {} : { variant }) }),
    architecture,
    os,
    labels: config.config?.Labels ?? {},
    history: config.history ?? [],
  };
}
