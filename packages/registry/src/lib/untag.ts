import { assertTag } from '@ocikit/content';
import { OciError, streamFromBytes } from '@ocikit/digest';
import { createImageManifest, EMPTY_DESCRIPTOR } from '@ocikit/spec';
import { headBlob } from './blobs-get.ts';
import { pushBlob } from './blobs-upload.ts';
import { deleteByDigest } from './delete.ts';
import { headManifest, putManifest } from './manifests.ts';
import { type RepositoryContext, scope } from './options.ts';
import { discard, responseError } from './response.ts';
import { manifestPath } from './urls.ts';

/** The `artifactType` of the throwaway manifest the untag fallback points a tag at. */
export const UNTAG_ARTIFACT_TYPE = 'application/vnd.ocikit.untag.v1';

const EMPTY_JSON = new TextEncoder().encode('{}');

/**
 * Removes a tag without touching the manifest it points at or the other
 * tags of that manifest. First the OCI 1.1 tag delete
 * (`DELETE /v2/<name>/manifests/<tag>`). Where the registry refuses it
 * (400 or 405; distribution 2.8 answers 400 `DIGEST_INVALID`) and
 * `untagFallback` is on: point the tag at a new throwaway manifest (an
 * empty artifact made unique by annotations, so no other tag can point at
 * it), then delete that manifest by digest, which takes the tag with it.
 *
 * @param context - the repository
 * @param tag - the tag to remove
 * @param signal - cancels the requests
 * @throws {OciError} `TAG_INVALID`; `MANIFEST_UNKNOWN` when there is no such
 *   tag; `UNSUPPORTED` when the registry refuses tag deletes and the
 *   fallback is off; `DENIED` without the `delete` permission
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#deleting-tags
 */
export async function untag(
  context: RepositoryContext,
  tag: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  assertTag(tag);
  const response = await context.client.send({
    method: 'DELETE',
    address: { path: manifestPath(context.name, tag) },
    scopes: [scope.delete(context.name)],
    repository: context.name,
    signal,
  });
  if (response.status === 202 || response.status === 200 || response.status === 204) {
    await discard(response);
    return;
  }
  const refused = await responseError(
    response,
    `Cannot delete tag "${tag}" of ${context.display}`,
    'MANIFEST_UNKNOWN',
  );
  if (response.status !== 400 && response.status !== 405) throw refused;
  if (!context.settings.untagFallback) {
    throw new OciError(
      'UNSUPPORTED',
      `${context.client.registry} does not delete tags (${refused.message}); the option untagFallback: true removes "${tag}" through a throwaway manifest`,
      { status: response.status, cause: refused },
    );
  }
  await untagByThrowaway(context, tag, signal);
}

/** The fallback of {@link untag}: re-point the tag at a unique throwaway manifest, and delete that. */
async function untagByThrowaway(
  context: RepositoryContext,
  tag: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  await headManifest(context, tag, { signal });
  if ((await headBlob(context, EMPTY_DESCRIPTOR.digest, signal)) === undefined) {
    await pushBlob(context, EMPTY_DESCRIPTOR, streamFromBytes(EMPTY_JSON), { signal });
  }
  const nonce = new Uint8Array(16);
  crypto.getRandomValues(nonce);
  const throwaway = createImageManifest({
    artifactType: UNTAG_ARTIFACT_TYPE,
    config: EMPTY_DESCRIPTOR,
    layers: [EMPTY_DESCRIPTOR],
    annotations: {
      'org.opencontainers.image.created': new Date().toISOString(),
      'org.opencontainers.image.description': `ocikit removed the tag "${tag}"`,
      'io.ocikit.untag.nonce': [...nonce]
        .map((byte) => byte.toString(16).padStart(2, '0'))
        .join(''),
    },
  });
  await putManifest(context, throwaway, throwaway.digest, { reference: tag, signal });
  await deleteByDigest(context, 'manifest', throwaway.digest, signal);
}
