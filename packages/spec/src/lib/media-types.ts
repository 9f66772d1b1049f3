/**
 * Media types of the OCI image-spec and of the Docker image formats that
 * registries still serve.
 *
 * @see https://github.com/opencontainers/image-spec/blob/main/media-types.md
 * @see https://github.com/distribution/distribution/blob/v2.8.3/docs/spec/manifest-v2-2.md
 */
export const MediaType = {
  /** An OCI content descriptor. */
  OciDescriptor: 'application/vnd.oci.descriptor.v1+json',
  /** The `oci-layout` file of an OCI image layout. */
  OciLayoutHeader: 'application/vnd.oci.layout.header.v1+json',
  /** An OCI image index. */
  OciImageIndex: 'application/vnd.oci.image.index.v1+json',
  /** An OCI image manifest. */
  OciImageManifest: 'application/vnd.oci.image.manifest.v1+json',
  /** An OCI image config. */
  OciImageConfig: 'application/vnd.oci.image.config.v1+json',
  /** The empty JSON blob `{}`, for unused descriptors (artifacts). */
  OciEmpty: 'application/vnd.oci.empty.v1+json',
  /** A layer as an uncompressed tar archive. */
  OciLayer: 'application/vnd.oci.image.layer.v1.tar',
  /** A layer as a gzip-compressed tar archive. */
  OciLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  /** A layer as a zstd-compressed tar archive. */
  OciLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  /** A layer with distribution restrictions (deprecated by the image-spec). */
  OciLayerNondistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  /** A gzip layer with distribution restrictions (deprecated by the image-spec). */
  OciLayerNondistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  /** A zstd layer with distribution restrictions (deprecated by the image-spec). */
  OciLayerNondistributableZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  /** A Docker image manifest, schema 2. */
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  /** A Docker manifest list (the Docker form of an index). */
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  /** A Docker container image config. */
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
  /** A Docker layer, a gzip-compressed tar archive. */
  DockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  /**
   * A Docker layer as an uncompressed tar archive (what `docker save`
   * archives and containerd use for uncompressed Docker layers).
   */
  DockerLayerTar: 'application/vnd.docker.image.rootfs.diff.tar',
  /** A Docker foreign layer, fetched from its `urls` rather than the registry. */
  DockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  /** A Docker plugin config. */
  DockerPluginConfig: 'application/vnd.docker.plugin.v1+json',
  /** A Docker image manifest, schema 1, unsigned (deprecated). */
  DockerSchema1Manifest: 'application/vnd.docker.distribution.manifest.v1+json',
  /** A Docker image manifest, schema 1, signed with JWS (deprecated). */
  DockerSchema1SignedManifest: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

/** A media type of an index: OCI image index or Docker manifest list. */
export type IndexMediaType = typeof MediaType.OciImageIndex | typeof MediaType.DockerManifestList;

/** A media type of a single-image manifest: OCI image manifest or Docker schema 2. */
export type ImageManifestMediaType =
  | typeof MediaType.OciImageManifest
  | typeof MediaType.DockerManifest;

/** A media type of a Docker schema 1 manifest, signed or not. */
export type Schema1MediaType =
  | typeof MediaType.DockerSchema1Manifest
  | typeof MediaType.DockerSchema1SignedManifest;

/** Every manifest media type ocikit parses. */
export type ManifestMediaType = IndexMediaType | ImageManifestMediaType | Schema1MediaType;

/**
 * Every manifest media type ocikit can parse, in the order of preference a
 * registry client lists them in its `Accept` header: OCI first, then Docker
 * schema 2, then the deprecated schema 1.
 */
export const MANIFEST_MEDIA_TYPES: readonly ManifestMediaType[] = Object.freeze([
  MediaType.OciImageIndex,
  MediaType.OciImageManifest,
  MediaType.DockerManifestList,
  MediaType.DockerManifest,
  MediaType.DockerSchema1SignedManifest,
  MediaType.DockerSchema1Manifest,
]);

/**
 * The `Accept` header value a registry client sends when it fetches a
 * manifest: {@link MANIFEST_MEDIA_TYPES}, comma-separated.
 *
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests
 */
export const DEFAULT_MANIFEST_ACCEPT: string = MANIFEST_MEDIA_TYPES.join(', ');

const LAYER_MEDIA_TYPES: ReadonlySet<string> = new Set([
  MediaType.OciLayer,
  MediaType.OciLayerGzip,
  MediaType.OciLayerZstd,
  MediaType.OciLayerNondistributable,
  MediaType.OciLayerNondistributableGzip,
  MediaType.OciLayerNondistributableZstd,
  MediaType.DockerLayer,
  MediaType.DockerLayerTar,
  MediaType.DockerForeignLayer,
]);

const NONDISTRIBUTABLE_MEDIA_TYPES: ReadonlySet<string> = new Set([
  MediaType.OciLayerNondistributable,
  MediaType.OciLayerNondistributableGzip,
  MediaType.OciLayerNondistributableZstd,
  MediaType.DockerForeignLayer,
]);

/**
 * Tells whether a media type is an index: OCI image index or Docker manifest list.
 *
 * @param mediaType - a media type
 * @returns whether it names an index
 */
export function isIndexMediaType(mediaType: string): mediaType is IndexMediaType {
  return mediaType === MediaType.OciImageIndex || mediaType === MediaType.DockerManifestList;
}

/**
 * Tells whether a media type is a single-image manifest: OCI image manifest or
 * Docker schema 2 (not schema 1, not an index).
 *
 * @param mediaType - a media type
 * @returns whether it names an image manifest
 */
export function isImageManifestMediaType(mediaType: string): mediaType is ImageManifestMediaType {
  return mediaType === MediaType.OciImageManifest || mediaType === MediaType.DockerManifest;
}

/**
 * Tells whether a media type is a Docker schema 1 manifest, signed or not.
 *
 * @param mediaType - a media type
 * @returns whether it names a schema 1 manifest
 */
export function isSchema1MediaType(mediaType: string): mediaType is Schema1MediaType {
  return (
    mediaType === MediaType.DockerSchema1Manifest ||
    mediaType === MediaType.DockerSchema1SignedManifest
  );
}

/**
 * Tells whether a media type is any manifest ocikit parses (see
 * {@link MANIFEST_MEDIA_TYPES}).
 *
 * @param mediaType - a media type
 * @returns whether it names an index, an image manifest or a schema 1 manifest
 */
export function isManifestMediaType(mediaType: string): mediaType is ManifestMediaType {
  return (
    isIndexMediaType(mediaType) ||
    isImageManifestMediaType(mediaType) ||
    isSchema1MediaType(mediaType)
  );
}

/**
 * Tells whether a media type is an image config: OCI or Docker.
 *
 * @param mediaType - a media type
 * @returns whether it names an image config
 */
export function isImageConfigMediaType(mediaType: string): boolean {
  return mediaType === MediaType.OciImageConfig || mediaType === MediaType.DockerConfig;
}

/**
 * Tells whether a media type is an image layer: the OCI tar, tar+gzip and
 * tar+zstd layers (distributable or not), or a Docker layer or foreign layer.
 *
 * @param mediaType - a media type
 * @returns whether it names a layer
 * @see https://github.com/opencontainers/image-spec/blob/main/layer.md
 */
export function isLayerMediaType(mediaType: string): boolean {
  return LAYER_MEDIA_TYPES.has(mediaType);
}

/**
 * Tells whether a media type is a layer with distribution restrictions: an OCI
 * non-distributable layer or a Docker foreign layer. Copy tools skip these by
 * default; their content is fetched from the descriptor's `urls`.
 *
 * @param mediaType - a media type
 * @returns whether it names a non-distributable layer
 * @see https://github.com/opencontainers/image-spec/blob/main/layer.md#non-distributable-layers
 */
export function isNondistributableMediaType(mediaType: string): boolean {
  return NONDISTRIBUTABLE_MEDIA_TYPES.has(mediaType);
}

/**
 * Extracts the media type from a `Content-Type` header value: the part before
 * any parameter (`; charset=utf-8`), trimmed and lower-cased.
 *
 * @param contentType - a `Content-Type` header value
 * @returns the media type, or `''` when the value is blank
 */
export function parseContentType(contentType: string): string {
  const semicolon = contentType.indexOf(';');
  const essence = semicolon < 0 ? contentType : contentType.slice(0, semicolon);
  return essence.trim().toLowerCase();
}

const MEDIA_TYPE_PATTERN =
  /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

/**
 * Tells whether a string is a media type by the RFC 6838 grammar the
 * image-spec requires of `mediaType` and `artifactType` (`type/subtype`, each
 * 1–127 characters, starting with a letter or digit; no parameters).
 *
 * @param value - the string to test
 * @returns whether it is a well-formed media type
 * @see https://github.com/opencontainers/image-spec/blob/main/descriptor.md#properties
 */
export function isValidMediaType(value: string): boolean {
  return MEDIA_TYPE_PATTERN.test(value);
}
