import { OciError } from '@ocikit/digest';
import type { ParsedManifest } from './manifest.ts';
import type { Descriptor } from './types.ts';

/**
 * The descriptors a manifest references, which a copy must bring along and a
 * garbage collector must keep: an index's `manifests`; an image manifest's
 * `config`, then its `layers` in order. The `subject` is not a child (it
 * points the other way); see {@link manifestSubject}. Entries are listed as
 * they are, so a digest may repeat; foreign and non-distributable layers are
 * included.
 *
 * @param manifest - a parsed (or built) manifest
 * @returns the child descriptors, in document order
 * @throws {OciError} `UNSUPPORTED_MEDIA_TYPE` for a schema 1 manifest, whose
 *   blobs have no size or media type: read `value.fsLayers` instead
 * @see https://github.com/opencontainers/image-spec/blob/main/manifest.md#image-manifest-property-descriptions
 */
export function manifestChildren(manifest: ParsedManifest): readonly Descriptor[] {
  switch (manifest.kind) {
    case 'index':
      return manifest.value.manifests;
    case 'manifest':
      return [manifest.value.config, ...manifest.value.layers];
    case 'schema1':
      throw new OciError(
        'UNSUPPORTED_MEDIA_TYPE',
        `A ${manifest.mediaType} manifest lists blobs without size or media type; read its fsLayers`,
      );
  }
}

/**
 * The manifest this one refers to, through its `subject` (referrers API).
 *
 * @param manifest - a parsed (or built) manifest
 * @returns the subject descriptor, or `undefined`
 * @see https://github.com/opencontainers/image-spec/blob/main/manifest.md#image-manifest-property-descriptions
 */
export function manifestSubject(manifest: ParsedManifest): Descriptor | undefined {
  return manifest.kind === 'schema1' ? undefined : manifest.value.subject;
}

/**
 * The descriptor of a manifest as the referrers API lists it: `mediaType`,
 * `digest`, `size`, the `artifactType` (an image manifest without one takes
 * its config's media type; an index without one has none) and the
 * manifest's `annotations`.
 *
 * @param manifest - a parsed (or built) index or image manifest
 * @returns the descriptor
 * @throws {OciError} `UNSUPPORTED_MEDIA_TYPE` for a schema 1 manifest
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers
 */
export function referrerDescriptor(manifest: ParsedManifest): Descriptor {
  if (manifest.kind === 'schema1') {
    throw new OciError('UNSUPPORTED_MEDIA_TYPE', 'A schema 1 manifest cannot be a referrer');
  }
  const { value } = manifest;
  const artifactType =
    value.artifactType ??
    (manifest.kind === 'manifest' ? manifest.value.config.mediaType : undefined);
  return Object.freeze({
    ...manifest.descriptor,
    ...(artifactType === undefined ? {} : { artifactType }),
    ...(value.annotations === undefined ? {} : { annotations: value.annotations }),
  });
}
