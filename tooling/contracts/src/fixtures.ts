import { randomBytes } from 'node:crypto';
import { digestBytes, streamFromBytes } from '@ocikit/digest';
import {
  createImageIndex,
  createImageManifest,
  type Descriptor,
  EMPTY_DESCRIPTOR,
  MediaType,
  type ParsedManifest,
} from '@ocikit/spec';

/** Content with its descriptor. */
export interface Blob {
  readonly descriptor: Descriptor;
  readonly bytes: Uint8Array;
}

/** Random bytes of a given size, described as a layer. */
export function randomBlob(size: number, mediaType: string = MediaType.OciLayerGzip): Blob {
  const bytes = new Uint8Array(randomBytes(size));
  return { descriptor: { mediaType, digest: digestBytes(bytes), size }, bytes };
}

/** A JSON config blob. */
export function configBlob(platform = { os: 'linux', architecture: 'amd64' }): Blob {
  const bytes = new TextEncoder().encode(
    JSON.stringify({ ...platform, rootfs: { type: 'layers', diff_ids: [] }, config: {} }),
  );
  return {
    descriptor: {
      mediaType: MediaType.OciImageConfig,
      digest: digestBytes(bytes),
      size: bytes.byteLength,
    },
    bytes,
  };
}

/** The blobs and manifest of a small image, children first. */
export interface TestImage {
  readonly blobs: readonly Blob[];
  readonly manifest: ParsedManifest;
}

/** A one-layer image with a random layer. */
export function smallImage(layerSize = 1024): TestImage {
  const config = configBlob();
  const layer = randomBlob(layerSize);
  const manifest = createImageManifest({ config: config.descriptor, layers: [layer.descriptor] });
  return { blobs: [config, layer], manifest };
}

/** An index over two single-platform images. */
export function multiPlatformImage(): { images: TestImage[]; index: ParsedManifest } {
  const images = [smallImage(300), smallImage(400)];
  const platforms = [
    { os: 'linux', architecture: 'amd64' },
    { os: 'linux', architecture: 'arm64', variant: 'v8' },
  ];
  const index = createImageIndex({
    manifests: images.map((image, i) => ({ ...image.manifest.descriptor, platform: platforms[i] })),
  });
  return { images, index };
}

/** An artifact manifest (empty config) that refers to `subject`. */
export function artifactFor(subject: Descriptor, artifactType: string): TestImage {
  const payload = randomBlob(64, 'application/vnd.example.payload');
  const empty: Blob = { descriptor: EMPTY_DESCRIPTOR, bytes: new TextEncoder().encode('{}') };
  const manifest = createImageManifest({
    artifactType,
    config: EMPTY_DESCRIPTOR,
    layers: [payload.descriptor],
    subject,
    annotations: { 'org.example.kind': artifactType },
  });
  return { blobs: [empty, payload], manifest };
}

/** A stream of bytes in chunks of `chunkSize`. */
export function chunked(bytes: Uint8Array, chunkSize = 7919): ReadableStream<Uint8Array> {
  return streamFromBytes(bytes, chunkSize);
}
