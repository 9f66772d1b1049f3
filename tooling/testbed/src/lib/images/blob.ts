import { type Digest, digestBytes, streamFromBytes } from '@ocikit/digest';

/** An OS and CPU, as in an image index. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
}

/** An OCI content descriptor. */
export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
  artifactType?: string;
  urls?: string[];
}

/** Content of a test image: a config, a layer, a manifest. */
export interface TestBlob {
  /** The media type its descriptor carries. */
  readonly mediaType: string;
  /** Its sha256 digest. */
  readonly digest: Digest;
  /** Its size in bytes. */
  readonly size: number;
  /** The bytes, when they are in memory; absent for large streamed layers. */
  readonly bytes?: Uint8Array;
  /** A fresh stream of the content (callable any number of times). */
  stream(): ReadableStream<Uint8Array>;
}

/** A layer: a blob with the digest of its uncompressed tar. */
export interface TestLayer extends TestBlob {
  /** The digest of the uncompressed tar (the config's `rootfs.diff_ids` entry). */
  readonly diffId: Digest;
  /** Whether the blob is gzip-compressed. */
  readonly compressed: boolean;
}

/** A manifest or index: always in memory. */
export interface TestManifest extends TestBlob {
  readonly bytes: Uint8Array;
}

/**
 * Wraps bytes in memory as a blob.
 *
 * @param mediaType - its media type
 * @param bytes - the content
 * @returns the blob
 */
export function blobFromBytes(mediaType: string, bytes: Uint8Array): TestManifest {
  return {
    mediaType,
    digest: digestBytes(bytes),
    size: bytes.byteLength,
    bytes,
    stream: () => streamFromBytes(bytes),
  };
}

/**
 * Serializes a value as compact JSON (keys in insertion order) into a blob.
 *
 * @param mediaType - its media type
 * @param value - the JSON value
 * @returns the blob
 */
export function blobFromJson(mediaType: string, value: unknown): TestManifest {
  return blobFromBytes(mediaType, new TextEncoder().encode(JSON.stringify(value)));
}

/**
 * The descriptor of a blob.
 *
 * @param blob - the blob
 * @param extra - fields to add (`platform`, `annotations`, `artifactType`)
 * @returns the descriptor
 */
export function descriptorOf(
  blob: TestBlob,
  extra: Omit<Partial<Descriptor>, 'mediaType' | 'digest' | 'size'> = {},
): Descriptor {
  return { mediaType: blob.mediaType, digest: blob.digest, size: blob.size, ...extra };
}
