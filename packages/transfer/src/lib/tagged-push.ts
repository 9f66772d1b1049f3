import type { OperationOptions } from '@ocikit/content';
import type { Descriptor } from '@ocikit/spec';

/**
 * A destination that pushes a manifest and points tags at it in one call,
 * such as a registry `Repository` (`putManifest` with `tags`: one `PUT` by
 * tag for one tag; for several, one `PUT` by digest with OCI 1.1 `?tag=`
 * parameters, then a `PUT` by tag for each tag the registry did not confirm
 * in `OCI-Tag`).
 *
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-manifests
 */
export interface TaggingManifestPusher {
  /**
   * @param manifest - the manifest's exact bytes and media type
   * @param options - the tags to point at it, and `signal`
   * @returns the manifest's descriptor
   */
  putManifest(
    manifest: { readonly bytes: Uint8Array; readonly mediaType: string },
    options: OperationOptions & { tags: readonly string[] },
  ): Promise<Descriptor>;
}

/**
 * Tells whether a destination can push a manifest with its tags in one call.
 *
 * @param value - the destination
 * @returns whether it has `putManifest`
 */
export function isTaggingManifestPusher(value: unknown): value is TaggingManifestPusher {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { putManifest?: unknown }).putManifest === 'function'
  );
}
