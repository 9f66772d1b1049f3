import { type Pusher, pushBytes } from '@ocikit/content';
import { artifactFor, type Blob, configBlob, randomBlob } from '@ocikit/contracts';
import { OciError, streamFromBytes } from '@ocikit/digest';
import {
  createImageIndex,
  createImageManifest,
  type Descriptor,
  MediaType,
  type ParsedManifest,
} from '@ocikit/spec';

/** Blobs and manifests of a test graph, children first, and its root. */
export interface Graph {
  readonly blobs: readonly Blob[];
  /** Manifests in post-order (children before parents); the root is last. */
  readonly manifests: readonly ParsedManifest[];
  readonly root: Descriptor;
}

/** Pushes a graph into a store, children first. */
export async function load(store: Pusher, graph: Graph): Promise<void> {
  for (const blob of graph.blobs) await store.push(blob.descriptor, streamFromBytes(blob.bytes));
  for (const manifest of graph.manifests)
    await pushBytes(store, manifest.bytes, manifest.mediaType);
}

/** An image with random layers (OCI or Docker schema 2). */
export function image(
  layerSizes: readonly number[],
  options: {
    docker?: boolean;
    platform?: { os: string; architecture: string; variant?: string };
  } = {},
): Graph & { manifest: ParsedManifest } {
  const config = configBlob(options.platform);
  const layerType = options.docker ? MediaType.DockerLayer : MediaType.OciLayerGzip;
  const layers = layerSizes.map((size) => randomBlob(size, layerType));
  const manifest = createImageManifest({
    ...(options.docker ? { mediaType: MediaType.DockerManifest } : {}),
    config: options.docker
      ? { ...config.descriptor, mediaType: MediaType.DockerConfig }
      : config.descriptor,
    layers: layers.map((layer) => layer.descriptor),
  });
  const configBytes = options.docker
    ? { ...config, descriptor: { ...config.descriptor, mediaType: MediaType.DockerConfig } }
    : config;
  return {
    blobs: [configBytes, ...layers],
    manifests: [manifest],
    root: manifest.descriptor,
    manifest,
  };
}

/** An index over images, each entry with its platform. */
export function index(
  entries: readonly { graph: Graph & { manifest: ParsedManifest }; platform: string }[],
  options: { docker?: boolean } = {},
): Graph {
  const manifest = createImageIndex({
    ...(options.docker ? { mediaType: MediaType.DockerManifestList } : {}),
    manifests: entries.map(({ graph, platform }) => {
      const [os = '', architecture = '', variant] = platform.split('/');
      return {
        ...graph.manifest.descriptor,
        platform: { os, architecture, ...(variant ? { variant } : {}) },
      };
    }),
  });
  return {
    blobs: entries.flatMap(({ graph }) => graph.blobs),
    manifests: [...entries.flatMap(({ graph }) => graph.manifests), manifest],
    root: manifest.descriptor,
  };
}

/** An artifact (empty config, `artifactType`) referring to `subject`. */
export function referrer(
  subject: Descriptor,
  artifactType: string,
): Graph & { manifest: ParsedManifest } {
  const artifact = artifactFor(subject, artifactType);
  return {
    blobs: artifact.blobs,
    manifests: [artifact.manifest],
    root: artifact.manifest.descriptor,
    manifest: artifact.manifest,
  };
}

/** The item at an index, which a test knows is there. */
export function nth<T>(list: readonly T[], at: number): T {
  const item = list[at];
  if (item === undefined) {
    throw new OciError('OPTION_INVALID', `No item ${at} in a list of ${list.length}`);
  }
  return item;
}
