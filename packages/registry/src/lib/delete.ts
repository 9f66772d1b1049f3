import type { Digest } from '@ocikit/digest';
import { type RepositoryContext, scope } from './options.ts';
import { discard, responseError } from './response.ts';
import { blobPath, manifestPath } from './urls.ts';

const DELETED = new Set([200, 202, 204]);

/**
 * Deletes a blob or a manifest from a repository by digest
 * (`DELETE /v2/<name>/blobs/<digest>` or `…/manifests/<digest>`), with the
 * `delete` action in the token scope.
 *
 * @param context - the repository
 * @param kind - `blob` or `manifest`
 * @param digest - what to delete
 * @param signal - cancels the request
 * @throws {OciError} `BLOB_UNKNOWN` / `MANIFEST_UNKNOWN`; `UNSUPPORTED` when
 *   deletes are disabled; `DENIED` without the `delete` permission
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#content-management
 */
export async function deleteByDigest(
  context: RepositoryContext,
  kind: 'blob' | 'manifest',
  digest: Digest,
  signal?: AbortSignal,
): Promise<void> {
  const response = await context.client.send({
    method: 'DELETE',
    address: { path: (kind === 'blob' ? blobPath : manifestPath)(context.name, digest) },
    scopes: [scope.delete(context.name)],
    repository: context.name,
    signal,
  });
  if (!DELETED.has(response.status)) {
    throw await responseError(
      response,
      `Cannot delete ${kind} ${digest} of ${context.display}`,
      kind === 'blob' ? 'BLOB_UNKNOWN' : 'MANIFEST_UNKNOWN',
    );
  }
  await discard(response);
}
