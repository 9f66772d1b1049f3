/**
 * The annotation keys the OCI image-spec pre-defines.
 *
 * @see https://github.com/opencontainers/image-spec/blob/main/annotations.md#pre-defined-annotation-keys
 */
export const Annotation = {
  /** Date and time the image was built, an RFC 3339 date-time. */
  Created: 'org.opencontainers.image.created',
  /** Contact details of the people or organization responsible for the image. */
  Authors: 'org.opencontainers.image.authors',
  /** URL to find more information on the image. */
  Url: 'org.opencontainers.image.url',
  /** URL to get documentation on the image. */
  Documentation: 'org.opencontainers.image.documentation',
  /** URL to get the source code the image was built from. */
  Source: 'org.opencontainers.image.source',
  /** Version of the packaged software. */
  Version: 'org.opencontainers.image.version',
  /** Source control revision of the packaged software. */
  Revision: 'org.opencontainers.image.revision',
  /** Name of the distributing entity, organization or individual. */
  Vendor: 'org.opencontainers.image.vendor',
  /** Licenses of the packaged software, as an SPDX expression. */
  Licenses: 'org.opencontainers.image.licenses',
  /** Name of a reference (a tag) for a descriptor in an image layout's `index.json`. */
  RefName: 'org.opencontainers.image.ref.name',
  /** Human-readable title of the image. */
  Title: 'org.opencontainers.image.title',
  /** Human-readable description of the packaged software. */
  Description: 'org.opencontainers.image.description',
  /** Digest of the image's base image. */
  BaseDigest: 'org.opencontainers.image.base.digest',
  /** Reference of the image's base image. */
  BaseName: 'org.opencontainers.image.base.name',
} as const;
