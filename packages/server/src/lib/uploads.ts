import {
  consumeStream,
  createVerifyStream,
  type Digest,
  isOciError,
  OciError,
} from '@ocikit/digest';
import type { Descriptor } from '@ocikit/spec';
import { type RequestContext, writableRepository } from './context.ts';
import { errorResponse, wireError } from './errors.ts';
import { answer } from './headers.ts';
import { assertDigest, assertName } from './names.ts';
import type { UploadSession } from './sessions.ts';
import type { UploadSpool } from './storage.ts';

const BLOB_MEDIA_TYPE = 'application/octet-stream';

/**
 * `POST /v2/<name>/blobs/uploads/`: a cross-repository mount
 * (`?mount=&from=`: `201` when the source holds the blob), a monolithic
 * upload (`?digest=`: `201`), or a new session (`202` with its `Location`).
 *
 * @param context - the request context
 * @param name - the repository
 * @returns the response
 * @throws {OciError} `DIGEST_INVALID`, `NAME_INVALID`, `SIZE_INVALID`
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-blobs
 */
export async function startUpload(context: RequestContext, name: string): Promise<Response> {
  const { url, request } = context;
  const mount = url.searchParams.get('mount');
  const from = url.searchParams.get('from');
  if (mount !== null && from !== null) {
    const mounted = await mountBlob(context, name, assertDigest(mount), assertName(from));
    if (mounted) return mounted;
  } else if (url.searchParams.has('digest')) {
    const digest = assertDigest(url.searchParams.get('digest'));
    const size = contentLength(request, context.settings.maxUploadSize);
    if (size !== undefined) return commitBlob(context, name, digest, request.body, size);
    const spool = await context.storage.createSpool();
    try {
      await appendBody(request, spool, context.settings.maxUploadSize);
      return await commitSpool(context, name, digest, spool);
    } finally {
      await spool.discard();
    }
  }
  const session = await context.sessions.open(
    name,
    await context.storage.createSpool(),
    context.user,
  );
  return sessionAnswer(context, session, 202);
}

/**
 * `PATCH /v2/<name>/blobs/uploads/<id>`: appends a chunk. With
 * `Content-Range` the chunk must start where the session ends (`416`
 * otherwise); without it the body is streamed on.
 *
 * @param context - the request context
 * @param name - the repository
 * @param id - the session id
 * @returns `202` with `Location` and `Range`
 * @throws {OciError} `BLOB_UPLOAD_UNKNOWN`, `BLOB_UPLOAD_INVALID`, `RANGE_INVALID`
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-a-blob-in-chunks
 */
export async function patchUpload(
  context: RequestContext,
  name: string,
  id: string,
): Promise<Response> {
  const session = await context.sessions.get(name, id, context.user);
  const start = chunkStart(context.request.headers.get('content-range'));
  if (start !== undefined && start !== session.spool.size) {
    return errorResponse(
      wireError(
        new OciError(
          'RANGE_INVALID',
          `The chunk starts at byte ${start}; the upload holds ${session.spool.size} bytes`,
        ),
      ),
      'PATCH',
      sessionHeaders(context, session),
    );
  }
  try {
    await writing(session, () =>
      appendBody(context.request, session.spool, context.settings.maxUploadSize),
    );
  } catch (error) {
    if (isOciError(error, 'SIZE_INVALID')) await context.sessions.close(session);
    throw error;
  }
  return sessionAnswer(context, session, 202);
}

/**
 * `PUT /v2/<name>/blobs/uploads/<id>?digest=`: appends the body (if any),
 * verifies the whole upload against the digest and commits it. A mismatch
 * is `DIGEST_INVALID` and ends the session with nothing committed.
 *
 * @param context - the request context
 * @param name - the repository
 * @param id - the session id
 * @returns `201` with the blob's `Location` and `Docker-Content-Digest`
 * @throws {OciError} `BLOB_UPLOAD_UNKNOWN`, `DIGEST_INVALID`, `SIZE_INVALID`
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-a-blob-monolithically
 */
export async function finishUpload(
  context: RequestContext,
  name: string,
  id: string,
): Promise<Response> {
  const { request, sessions } = context;
  const session = await sessions.get(name, id, context.user);
  return writing(session, async () => {
    try {
      const digest = assertDigest(context.url.searchParams.get('digest'));
      const limit = context.settings.maxUploadSize;
      const size = contentLength(request, limit - session.spool.size);
      if (session.spool.size === 0 && size !== undefined) {
        return await commitBlob(context, name, digest, request.body, size);
      }
      await appendBody(request, session.spool, limit);
      return await commitSpool(context, name, digest, session.spool);
    } finally {
      await sessions.close(session);
    }
  });
}

/**
 * `GET /v2/<name>/blobs/uploads/<id>`: how much of the upload the registry
 * holds (`Range: 0-<last byte>`), to resume it.
 *
 * @param context - the request context
 * @param name - the repository
 * @param id - the session id
 * @returns `204` with `Location` and `Range`
 * @throws {OciError} `BLOB_UPLOAD_UNKNOWN`
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#getting-upload-status
 */
export async function uploadStatus(
  context: RequestContext,
  name: string,
  id: string,
): Promise<Response> {
  return sessionAnswer(context, await context.sessions.get(name, id, context.user), 204);
}

/**
 * `DELETE /v2/<name>/blobs/uploads/<id>`: cancels the upload.
 *
 * @param context - the request context
 * @param name - the repository
 * @param id - the session id
 * @returns `204`
 * @throws {OciError} `BLOB_UPLOAD_UNKNOWN`
 */
export async function cancelUpload(
  context: RequestContext,
  name: string,
  id: string,
): Promise<Response> {
  const session = await context.sessions.get(name, id, context.user);
  if (session.busy) throw busy(session);
  await context.sessions.close(session);
  return answer(204, {});
}

async function mountBlob(
  context: RequestContext,
  name: string,
  digest: Digest,
  from: string,
): Promise<Response | undefined> {
  const { signal } = context.request;
  if (!(await context.mayPull(from))) return undefined;
  const source = await context.storage.repository(from, { signal });
  const descriptor = await source?.stat(digest, { signal, mediaType: false });
  if (!source || !descriptor) return undefined;
  const target = await writableRepository(context, name);
  if (await target.stat(digest, { signal, mediaType: false })) return committed(name, digest);
  const linked = await context.storage.linkBlob?.(descriptor, from, name, { signal });
  if (!linked) {
    await target.push(descriptor, await source.fetch(descriptor, { signal }), { signal });
  }
  return committed(name, digest);
}

/**
 * Verifies content against a digest and size and stores it as a blob; when
 * the repository already holds the digest, the content is still verified.
 */
async function commitBlob(
  context: RequestContext,
  name: string,
  digest: Digest,
  content: ReadableStream<Uint8Array> | null,
  size: number,
): Promise<Response> {
  const { signal } = context.request;
  const body = content ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
  const descriptor: Descriptor = { mediaType: BLOB_MEDIA_TYPE, digest, size };
  const repository = await writableRepository(context, name);
  if (await repository.stat(digest, { signal, mediaType: false })) {
    await consumeStream(body.pipeThrough(createVerifyStream(descriptor)), () => {}, signal);
  } else {
    await repository.push(descriptor, body, { signal });
  }
  return committed(name, digest);
}

/** Commits a finished spool: moved into place when the storage can, pushed from its content otherwise. */
async function commitSpool(
  context: RequestContext,
  name: string,
  digest: Digest,
  spool: UploadSpool,
): Promise<Response> {
  const { signal } = context.request;
  const descriptor: Descriptor = { mediaType: BLOB_MEDIA_TYPE, digest, size: spool.size };
  const { storage } = context;
  if (storage.commitSpool) {
    await writableRepository(context, name);
    if (await storage.commitSpool(spool, descriptor, name, { signal }))
      return committed(name, digest);
  }
  return commitBlob(context, name, digest, spool.content(), spool.size);
}

function committed(name: string, digest: string): Response {
  return answer(201, {
    location: `/v2/${name}/blobs/${digest}`,
    'docker-content-digest': digest,
    'content-length': '0',
  });
}

async function writing<T>(session: UploadSession, work: () => Promise<T>): Promise<T> {
  if (session.busy) throw busy(session);
  session.busy = true;
  try {
    return await work();
  } finally {
    session.busy = false;
  }
}

function busy(session: UploadSession): OciError {
  return new OciError(
    'BLOB_UPLOAD_INVALID',
    `Upload "${session.id}" is being written by another request`,
  );
}

async function appendBody(request: Request, spool: UploadSpool, limit: number): Promise<void> {
  if (!request.body) return;
  const reader = request.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (spool.size + value.byteLength > limit)
        throw tooLarge(spool.size + value.byteLength, limit);
      await spool.append(value);
    }
  } catch (error) {
    await reader.cancel(error).catch(() => {});
    throw error;
  } finally {
    reader.releaseLock();
    await spool.flush?.();
  }
}

const CONTENT_RANGE = /^(?:bytes[ =])?(\d{1,15})-(\d{1,15})(?:\/(?:\d{1,15}|\*))?$/;

function chunkStart(header: string | null): number | undefined {
  if (header === null) return undefined;
  const match = CONTENT_RANGE.exec(header.trim());
  if (!match || Number(match[2]) < Number(match[1])) {
    throw new OciError('RANGE_INVALID', `Invalid Content-Range "${header.slice(0, 100)}"`);
  }
  return Number(match[1]);
}

function contentLength(request: Request, limit: number): number | undefined {
  const value = request.headers.get('content-length');
  if (value === null) return undefined;
  if (!/^\d{1,15}$/.test(value.trim())) {
    throw new OciError('SIZE_INVALID', `Invalid Content-Length "${value.slice(0, 40)}"`);
  }
  const size = Number(value);
  if (size > limit) throw tooLarge(size, limit);
  return size;
}

function tooLarge(size: number, limit: number): OciError {
  return new OciError(
    'SIZE_INVALID',
    `The upload is at least ${size} bytes, over the ${limit}-byte limit`,
    { status: 413 },
  );
}

function sessionHeaders(context: RequestContext, session: UploadSession): Record<string, string> {
  const { chunkMinLength } = context.settings;
  return {
    location: `/v2/${session.name}/blobs/uploads/${session.id}`,
    range: `0-${Math.max(session.spool.size - 1, 0)}`,
    'docker-upload-uuid': session.id,
    ...(chunkMinLength > 0 ? { 'oci-chunk-min-length': String(chunkMinLength) } : {}),
  };
}

function sessionAnswer(context: RequestContext, session: UploadSession, status: number): Response {
  return answer(status, { ...sessionHeaders(context, session), 'content-length': '0' });
}
