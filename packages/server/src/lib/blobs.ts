import { OciError } from '@ocikit/digest';
import type { Descriptor } from '@ocikit/spec';
import { existingRepository, type RequestContext } from './context.ts';
import { errorResponse, wireError } from './errors.ts';
import { answer } from './headers.ts';
import { assertDigest } from './names.ts';
import { parseRange, takeBytes } from './range.ts';
import type { RepositoryStorage } from './storage.ts';

/**
 * `GET`/`HEAD /v2/<name>/blobs/<digest>`: the blob, streamed as stored
 * (verified when committed, not hashed again for each read); a `Range`
 * request gets `206` with `Content-Range`, an unsatisfiable one `416`.
 *
 * @param context - the request context
 * @param name - the repository
 * @param digest - the blob's digest
 * @returns the response
 * @throws {OciError} `NAME_UNKNOWN`, `BLOB_UNKNOWN`, `DIGEST_INVALID`
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-blobs
 */
export async function getBlob(
  context: RequestContext,
  name: string,
  digest: string,
): Promise<Response> {
  const { request } = context;
  const [repository, descriptor] = await findBlob(context, name, digest);
  const headers = {
    'content-type': 'application/octet-stream',
    'docker-content-digest': descriptor.digest,
    'accept-ranges': 'bytes',
  };
  let range: ReturnType<typeof parseRange>;
  try {
    range =
      request.method === 'GET'
        ? parseRange(request.headers.get('range'), descriptor.size)
        : undefined;
  } catch (error) {
    return errorResponse(wireError(error), request.method, {
      'content-range': `bytes */${descriptor.size}`,
    });
  }
  if (!range) {
    const length = { ...headers, 'content-length': String(descriptor.size) };
    if (request.method === 'HEAD') return answer(200, length);
    // As stored: the blob was verified when it was committed, and the client
    // verifies what it reads, so a second hash here would only cost CPU.
    return answer(
      200,
      length,
      await repository.fetchRange(descriptor, { offset: 0, signal: request.signal }),
    );
  }
  const length = range.end - range.start + 1;
  const body = await repository.fetchRange(descriptor, {
    offset: range.start,
    signal: request.signal,
  });
  return answer(
    206,
    {
      ...headers,
      'content-length': String(length),
      'content-range': `bytes ${range.start}-${range.end}/${descriptor.size}`,
    },
    body.pipeThrough(takeBytes(length)),
  );
}

/**
 * `DELETE /v2/<name>/blobs/<digest>`.
 *
 * @param context - the request context
 * @param name - the repository
 * @param digest - the blob's digest
 * @returns `202`
 * @throws {OciError} `NAME_UNKNOWN`, `BLOB_UNKNOWN`, `DIGEST_INVALID`
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#deleting-blobs
 */
export async function deleteBlob(
  context: RequestContext,
  name: string,
  digest: string,
): Promise<Response> {
  const [repository, descriptor] = await findBlob(context, name, digest);
  await repository.delete(descriptor, { signal: context.request.signal });
  return answer(202, { 'content-length': '0' });
}

async function findBlob(
  context: RequestContext,
  name: string,
  digest: string,
): Promise<[RepositoryStorage, Descriptor]> {
  const valid = assertDigest(digest);
  const repository = await existingRepository(context, name);
  const descriptor = await repository.stat(valid, {
    signal: context.request.signal,
    mediaType: false,
  });
  if (!descriptor) throw new OciError('BLOB_UNKNOWN', `There is no blob ${valid} in "${name}"`);
  return [repository, descriptor];
}
