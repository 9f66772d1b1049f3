import { blobFromJson, type Descriptor, descriptorOf } from './blob.ts';
import { type ImageFormat, makeImage, type TestIndex, type TestNode } from './image.ts';
import { MediaType } from './media-types.ts';

/** Options of {@link makeIndex}. */
export interface MakeIndexOptions {
  /**
   * An OCI image index or a Docker manifest list (whose entries must be Docker manifests).
   * @default 'oci'
   */
  format?: ImageFormat;
  /** Index annotations (OCI only). */
  annotations?: Record<string, string>;
  /** The index's `artifactType` (OCI only). */
  artifactType?: string;
  /** The index's `subject` (OCI only). */
  subject?: Descriptor;
}

/**
 * Makes an index over images and indexes; each image's platform goes into its entry.
 *
 * @param manifests - the listed nodes, in order
 * @param options - {@link MakeIndexOptions}
 * @returns the index
 * @throws {Error} for a Docker list over non-Docker manifests, or OCI-only fields with `docker`
 */
export function makeIndex(
  manifests: readonly TestNode[],
  options: MakeIndexOptions = {},
): TestIndex {
  const format = options.format ?? 'oci';
  if (format === 'docker') {
    if (options.annotations || options.artifactType || options.subject) {
      throw new Error('Docker manifest lists have no annotations, artifactType or subject');
    }
    const foreign = manifests.find((node) => node.manifest.mediaType !== MediaType.dockerManifest);
    if (foreign) {
      throw new Error(`A Docker manifest list cannot list "${foreign.manifest.mediaType}"`);
    }
  }
  const mediaType = format === 'docker' ? MediaType.dockerManifestList : MediaType.ociIndex;
  const manifest = blobFromJson(mediaType, {
    schemaVersion: 2,
    mediaType,
    ...(options.artifactType ? { artifactType: options.artifactType } : {}),
    manifests: manifests.map((node) =>
      descriptorOf(
        node.manifest,
        node.kind === 'image' && node.platform ? { platform: node.platform } : {},
      ),
    ),
    ...(options.subject ? { subject: options.subject } : {}),
    ...(options.annotations ? { annotations: options.annotations } : {}),
  });
  return { kind: 'index', manifest, manifests };
}

/** Options of {@link makeMultiPlatformImage}. */
export interface MakeMultiPlatformOptions {
  /**
   * The platforms, one image each.
   * @default ['linux/amd64', 'linux/arm64/v8']
   */
  platforms?: readonly string[];
  /**
   * OCI index of OCI images, or Docker list of Docker images.
   * @default 'oci'
   */
  format?: ImageFormat;
  /**
   * Makes the images differ from those of other tests.
   * @default 'ocikit'
   */
  seed?: string;
}

/**
 * Makes one small image per platform and an index over them.
 *
 * @param options - {@link MakeMultiPlatformOptions}
 * @returns the index, its images in `manifests`
 */
export async function makeMultiPlatformImage(
  options: MakeMultiPlatformOptions = {},
): Promise<TestIndex> {
  const format = options.format ?? 'oci';
  const platforms = options.platforms ?? ['linux/amd64', 'linux/arm64/v8'];
  const images = await Promise.all(
    platforms.map((platform) => makeImage({ format, platform, seed: options.seed })),
  );
  return makeIndex(images, { format });
}
