import {
  blobFromBytes,
  blobFromJson,
  type Descriptor,
  descriptorOf,
  type Platform,
  type TestBlob,
  type TestLayer,
  type TestManifest,
} from './blob.ts';
import { MediaType } from './media-types.ts';
import { formatPlatform, parsePlatform } from './platform.ts';
import { tarLayer } from './tar-layer.ts';

/** The manifest family of a test image. */
export type ImageFormat = 'oci' | 'docker';

/** A single-platform image (or an artifact): a manifest, a config and layers. */
export interface TestImage {
  readonly kind: 'image';
  /** The manifest, in memory. */
  readonly manifest: TestManifest;
  /** The config blob. */
  readonly config: TestBlob;
  /** The layers (an artifact's blobs), in manifest order, with their manifest media types. */
  readonly layers: readonly TestBlob[];
  /** The platform, for an image index entry; absent for artifacts. */
  readonly platform?: Platform;
}

/** An image index or Docker manifest list, and the manifests it lists. */
export interface TestIndex {
  readonly kind: 'index';
  /** The index, in memory. */
  readonly manifest: TestManifest;
  /** The listed images and indexes, in order. */
  readonly manifests: readonly TestNode[];
}

/** Anything a test can push or write: an image, artifact or index. */
export type TestNode = TestImage | TestIndex;

/** Options of {@link makeImage}. */
export interface MakeImageOptions {
  /**
   * OCI image-spec or Docker schema2 media types.
   * @default 'oci'
   */
  format?: ImageFormat;
  /**
   * `os/architecture[/variant]`.
   * @default 'linux/amd64'
   */
  platform?: string;
  /**
   * The layers; by default one small gzip layer with a file `<seed>.txt`.
   * Their media types are set for `format` (gzip or not as each layer is).
   */
  layers?: readonly TestLayer[];
  /**
   * Makes the default layer and config differ between images.
   * @default 'ocikit'
   */
  seed?: string;
  /** Fields merged into the image config's `config` (`Env`, `Cmd`, `Labels`, …). */
  runConfig?: Record<string, unknown>;
  /** Manifest annotations (OCI only). */
  annotations?: Record<string, string>;
  /** The manifest's `subject` (OCI only). */
  subject?: Descriptor;
}

const EPOCH = '1970-01-01T00:00:00Z';

function layerMediaType(layer: TestLayer, format: ImageFormat): string {
  if (format === 'docker')
    return layer.compressed ? MediaType.dockerLayerGzip : MediaType.dockerLayer;
  return layer.compressed ? MediaType.ociLayerGzip : MediaType.ociLayer;
}

/**
 * Makes an image: deterministic config (created at the epoch, `rootfs.diff_ids`
 * from the layers, one history entry per layer) and manifest, in compact JSON.
 *
 * @param options - {@link MakeImageOptions}
 * @returns the image
 * @throws {Error} for an invalid platform, or OCI-only fields with `docker`
 */
export async function makeImage(options: MakeImageOptions = {}): Promise<TestImage> {
  const format = options.format ?? 'oci';
  const platform = parsePlatform(options.platform ?? 'linux/amd64');
  const seed = options.seed ?? 'ocikit';
  if (format === 'docker' && (options.annotations || options.subject)) {
    throw new Error('Docker schema2 manifests have no annotations or subject');
  }
  const sourceLayers = options.layers ?? [
    await tarLayer({ [`${seed}.txt`]: `${seed} ${formatPlatform(platform)}\n` }),
  ];
  const layers = sourceLayers.map((layer) => ({
    ...layer,
    mediaType: layerMediaType(layer, format),
  }));
  const config = blobFromJson(format === 'docker' ? MediaType.dockerConfig : MediaType.ociConfig, {
    created: EPOCH,
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    config: { Labels: { 'org.ocikit.testbed.seed': seed }, ...options.runConfig },
    rootfs: { type: 'layers', diff_ids: sourceLayers.map((layer) => layer.diffId) },
    history: sourceLayers.map(() => ({ created: EPOCH, created_by: 'ocikit testbed' })),
  });
  const manifest = blobFromJson(
    format === 'docker' ? MediaType.dockerManifest : MediaType.ociManifest,
    {
      schemaVersion: 2,
      mediaType: format === 'docker' ? MediaType.dockerManifest : MediaType.ociManifest,
      config: descriptorOf(config),
      layers: layers.map((layer) => descriptorOf(layer)),
      ...(options.subject ? { subject: options.subject } : {}),
      ...(options.annotations ? { annotations: options.annotations } : {}),
    },
  );
  return { kind: 'image', manifest, config, layers, platform };
}

/** One blob of an artifact. */
export interface ArtifactBlob {
  /** Its media type. */
  mediaType: string;
  /** Its content (UTF-8 for a string). */
  content: string | Uint8Array;
  /** Descriptor annotations, such as `org.opencontainers.image.title`. */
  annotations?: Record<string, string>;
}

/** Options of {@link makeArtifact}. */
export interface MakeArtifactOptions {
  /** The manifest's `artifactType`, such as `application/vnd.example.sbom+json`. */
  artifactType: string;
  /** What the artifact refers to: a test node or a descriptor. */
  subject?: TestNode | Descriptor;
  /** The blobs; with none, the layers hold the empty descriptor, as the spec advises. */
  blobs?: readonly ArtifactBlob[];
  /** Manifest annotations. */
  annotations?: Record<string, string>;
}

/**
 * Makes an OCI 1.1 artifact: an image manifest with `artifactType`, the empty
 * config (`application/vnd.oci.empty.v1+json`, `{}`), and a `subject`.
 *
 * @param options - {@link MakeArtifactOptions}
 * @returns the artifact, as an image without platform
 * @see https://github.com/opencontainers/image-spec/blob/v1.1.0/manifest.md#guidelines-for-artifact-usage
 */
export function makeArtifact(options: MakeArtifactOptions): TestImage {
  const empty = blobFromBytes(MediaType.ociEmpty, new TextEncoder().encode('{}'));
  const blobs = (options.blobs ?? []).map((blob) => ({
    blob: blobFromBytes(
      blob.mediaType,
      typeof blob.content === 'string' ? new TextEncoder().encode(blob.content) : blob.content,
    ),
    annotations: blob.annotations,
  }));
  const subject =
    options.subject && 'kind' in options.subject
      ? descriptorOf(options.subject.manifest)
      : options.subject;
  const layers =
    blobs.length > 0
      ? blobs.map(({ blob, annotations }) => descriptorOf(blob, annotations ? { annotations } : {}))
      : [descriptorOf(empty)];
  const manifest = blobFromJson(MediaType.ociManifest, {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    artifactType: options.artifactType,
    config: descriptorOf(empty),
    layers,
    ...(subject ? { subject } : {}),
    ...(options.annotations ? { annotations: options.annotations } : {}),
  });
  return {
    kind: 'image',
    manifest,
    config: empty,
    layers: blobs.length > 0 ? blobs.map(({ blob }) => blob) : [empty],
  };
}
