import type { Digest } from '@ocikit/digest';

/** A string-to-string map, as used by annotations and labels. */
export type StringMap = Readonly<Record<string, string>>;

/**
 * The platform an image runs on.
 *
 * @see https://github.com/opencontainers/image-spec/blob/main/image-index.md#image-index-property-descriptions
 */
export interface Platform {
  /** The CPU architecture, such as `amd64` or `arm64` (Go's `GOARCH` values). */
  readonly architecture: string;
  /** The operating system, such as `linux` or `windows` (Go's `GOOS` values). */
  readonly os: string;
  /** The operating system version, such as `10.0.20348.3091` on Windows. */
  readonly 'os.version'?: string;
  /** Operating system features the image needs, such as `win32k`. */
  readonly 'os.features'?: readonly string[];
  /** The CPU variant, such as `v7` for `arm` or `v2` for `amd64`. */
  readonly variant?: string;
}

/**
 * A content descriptor: what a piece of content is, its digest and its size.
 *
 * @see https://github.com/opencontainers/image-spec/blob/main/descriptor.md
 */
export interface Descriptor {
  /** The media type of the content. */
  readonly mediaType: string;
  /** The digest of the content. */
  readonly digest: Digest;
  /** The size of the content in bytes. */
  readonly size: number;
  /** Places the content may also be downloaded from. */
  readonly urls?: readonly string[];
  /** Arbitrary metadata. */
  readonly annotations?: StringMap;
  /** The content itself, base64-encoded (small blobs only). */
  readonly data?: string;
  /** The platform of the manifest this descriptor points to (index entries). */
  readonly platform?: Platform;
  /** The type of the artifact the descriptor points to. */
  readonly artifactType?: string;
}

/**
 * An image manifest: one image's config and layers. Also the shape of a
 * Docker schema 2 manifest.
 *
 * @see https://github.com/opencontainers/image-spec/blob/main/manifest.md
 */
export interface ImageManifest {
  /** Always `2`. */
  readonly schemaVersion: 2;
  /** The manifest's own media type, when written into the document. */
  readonly mediaType?: string;
  /** The artifact type, for artifacts. */
  readonly artifactType?: string;
  /** The image config (or an artifact's config, or the empty descriptor). */
  readonly config: Descriptor;
  /** The layers, base first. */
  readonly layers: readonly Descriptor[];
  /** The manifest this one refers to (referrers API). */
  readonly subject?: Descriptor;
  /** Arbitrary metadata. */
  readonly annotations?: StringMap;
}

/**
 * An image index: manifests for several platforms (or any set of manifests).
 * Also the shape of a Docker manifest list.
 *
 * @see https://github.com/opencontainers/image-spec/blob/main/image-index.md
 */
export interface ImageIndex {
  /** Always `2`. */
  readonly schemaVersion: 2;
  /** The index's own media type, when written into the document. */
  readonly mediaType?: string;
  /** The artifact type, for artifacts. */
  readonly artifactType?: string;
  /** The manifests (or nested indexes) the index lists. */
  readonly manifests: readonly Descriptor[];
  /** The manifest this one refers to (referrers API). */
  readonly subject?: Descriptor;
  /** Arbitrary metadata. */
  readonly annotations?: StringMap;
}

/** One layer of a Docker schema 1 manifest. */
export interface Schema1Layer {
  /** The digest of the layer blob. */
  readonly blobSum: Digest;
}

/**
 * A Docker schema 1 manifest, deprecated. ocikit recognises it and reads its
 * layer list; it does not verify its signatures.
 *
 * @see https://github.com/distribution/distribution/blob/v2.8.3/docs/spec/manifest-v2-1.md
 */
export interface Schema1Manifest {
  /** Always `1`. */
  readonly schemaVersion: 1;
  /** The repository name. */
  readonly name?: string;
  /** The tag. */
  readonly tag?: string;
  /** The architecture. */
  readonly architecture?: string;
  /** The layers, newest first (the reverse of schema 2). */
  readonly fsLayers: readonly Schema1Layer[];
  /** The v1 image JSON of each layer, as strings. */
  readonly history?: readonly { readonly v1Compatibility: string }[];
  /** JWS signatures of a signed manifest, unverified. */
  readonly signatures?: readonly unknown[];
}

/**
 * The execution parameters of an image (the `config` member of an image
 * config).
 *
 * @see https://github.com/opencontainers/image-spec/blob/main/config.md#properties
 */
export interface ImageExecutionConfig {
  /** The user (name or UID, optionally with group) the process runs as. */
  readonly User?: string;
  /** Ports to expose, as a set: keys such as `8080/tcp`, values `{}`. */
  readonly ExposedPorts?: Readonly<Record<string, object>>;
  /** Environment variables, `NAME=value`. */
  readonly Env?: readonly string[];
  /** The command to run. */
  readonly Entrypoint?: readonly string[] | null;
  /** Default arguments of the entrypoint. */
  readonly Cmd?: readonly string[] | null;
  /** Volumes, as a set: keys are paths, values `{}`. */
  readonly Volumes?: Readonly<Record<string, object>> | null;
  /** The working directory. */
  readonly WorkingDir?: string;
  /** Labels. */
  readonly Labels?: StringMap | null;
  /** The signal that stops the container. */
  readonly StopSignal?: string;
  /** Windows-only, deprecated: `Entrypoint`/`Cmd` are pre-escaped. */
  readonly ArgsEscaped?: boolean;
}

/** The layer content addresses of an image config. */
export interface RootFs {
  /** Always `layers`. */
  readonly type: 'layers';
  /** The digests of the uncompressed layers, base first. */
  readonly diff_ids: readonly Digest[];
}

/** One step of an image's build history. */
export interface ImageHistory {
  /** When the step ran, an RFC 3339 date-time. */
  readonly created?: string;
  /** Who ran it. */
  readonly author?: string;
  /** The command that ran. */
  readonly created_by?: string;
  /** A comment. */
  readonly comment?: string;
  /** Whether the step made no layer. */
  readonly empty_layer?: boolean;
}

/**
 * An image config (the blob an image manifest's `config` points to). Docker
 * image configs have the same shape plus fields of their own, which are
 * kept but not typed.
 *
 * @see https://github.com/opencontainers/image-spec/blob/main/config.md
 */
export interface ImageConfig {
  /** When the image was created, an RFC 3339 date-time. */
  readonly created?: string;
  /** Who created it. */
  readonly author?: string;
  /** The CPU architecture. */
  readonly architecture: string;
  /** The operating system. */
  readonly os: string;
  /** The operating system version. */
  readonly 'os.version'?: string;
  /** Operating system features the image needs. */
  readonly 'os.features'?: readonly string[];
  /** The CPU variant. */
  readonly variant?: string;
  /** The execution parameters. */
  readonly config?: ImageExecutionConfig;
  /** The layer content addresses. */
  readonly rootfs: RootFs;
  /** The build history. */
  readonly history?: readonly ImageHistory[];
}

/**
 * The content of an image layout's `oci-layout` file.
 *
 * @see https://github.com/opencontainers/image-spec/blob/main/image-layout.md#oci-layout-file
 */
export interface ImageLayout {
  /** The layout version, `1.0.0`. */
  readonly imageLayoutVersion: '1.0.0';
}
