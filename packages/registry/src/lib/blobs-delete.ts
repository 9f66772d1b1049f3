import type { Digest } from '@ocikit/digest';
import { type RepositoryContext, scope } from './options.ts';
import { discard, responseError } from './response.ts';
import { blobPath } from './urls.ts';

/**
 * Deletes a blob from a repository (`DELETE /v2/<name>/blobs/<digest>`).
 *
 * @param context - the repository
 * @param digest - the blob's digest
 * @param signal - cancels the request
 * @throws {OciError} `BLOB_UNKNOWN`; `UNSUPPORTED` when deletes are
 *   disabled; `DENIED` without the `delete` permission
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#deleting-blobs
 */
export async function deleteBlob(
  context: RepositoryContext,
  digest: Digest,
  signal: AbortSignal | undefined,
): Promise<void> {
  const response = await context.client.send({
    method: 'DELETE',
    address: { path: blobPath(context.name, digest) },
    scopes: [scope.delete(context.name)],
    repository: context.name,
    signal,
  });
  if (response.status !== 202 && response.status !== 200 && response.status !== 204) {
    throw await responseError(
      response,
      `Cannot delete blob ${digest} of ${context.name}`,
      'BLOB_UNKNOWN',
    );
  }
  await discard(response);
}
