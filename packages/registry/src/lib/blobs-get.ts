import { createVerifyStream, type Digest, OciError, parseDigest } from '@ocikit/digest';
import type { Descriptor } from '@ocikit/spec';
import { redactEchoedSecrets } from '@ocikit/transport';
import { type RepositoryContext, scope } from './options.ts';
import {
  checkHeaderDigest,
  contentLength,
  contentType,
  discard,
  responseError,
} from './response.ts';
import { resumableBody, skipBytes } from './resumable-body.ts';
import { blobPath } from './urls.ts';

/** Options of blob reads. */
export interface BlobReadOptions {
  /** Cancels the request and the stream. */
  signal?: AbortSignal | undefined;
  /**
   * The most bytes to read ({@link fetchBlobRange}): asked for with
   * `Range: bytes=offset-last`.
   * @default to the end
   */
  length?: number | undefined;
}

const CONTENT_RANGE = /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i;

/**
 * Sends one `GET` of a blob from `offset` on (`Range: bytes=offset-` when
 * the offset is not 0) and checks the answer: `206` must cover exactly the
 * bytes asked for; a `200` to a range request (a server that ignores
 * `Range`) is accepted by dropping the bytes before `offset`.
 *
 * @param context - the repository
 * @param descriptor - the blob
 * @param offset - the first byte wanted
 * @param signal - cancels the request and the body
 * @returns the bytes from `offset` on (the end is not checked here)
 * @throws {OciError} `BLOB_UNKNOWN`; `DIGEST_MISMATCH` when the registry
 *   announces other content; `SIZE_EXCEEDED` when it announces more bytes;
 *   `RANGE_INVALID` for a `206` with another range; transport errors
 */
async function openBlob(
  context: RepositoryContext,
  descriptor: Descriptor,
  offset: number,
  end: number,
  signal: AbortSignal | undefined,
): Promise<ReadableStream<Uint8Array>> {
  const what = `Blob ${descriptor.digest} of ${context.display}`;
  const last = end < descriptor.size ? String(end - 1) : '';
  const response = await context.client.send({
    address: { path: blobPath(context.name, descriptor.digest) },
    headers: offset > 0 || last !== '' ? { range: `bytes=${offset}-${last}` } : {},
    scopes: [scope.pull(context.name)],
    repository: context.name,
    signal,
  });
  if (response.status !== 200 && response.status !== 206) {
    throw await responseError(
      response,
      `Cannot get blob ${descriptor.digest} of ${context.display}`,
      'BLOB_UNKNOWN',
    );
  }
  const body = response.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
  try {
    if (response.status === 200) {
      checkHeaderDigest(response, descriptor.digest, what);
      const length = contentLength(response.headers);
      if (length !== undefined && length > descriptor.size) {
        throw new OciError(
          'SIZE_EXCEEDED',
          `${what} is ${length} bytes as served, over its declared ${descriptor.size}`,
          { status: 200 },
        );
      }
      const rest = offset === 0 ? body : body.pipeThrough(skipBytes(offset));
      return end < descriptor.size ? rest.pipeThrough(takeBytes(end - offset)) : rest;
    }
    const range = CONTENT_RANGE.exec(response.headers.get('content-range')?.trim() ?? '');
    const total = range?.[3] === '*' ? undefined : Number(range?.[3]);
    if (
      range === null ||
      Number(range[1]) !== offset ||
      (total !== undefined && total !== descriptor.size)
    ) {
      throw new OciError(
        'RANGE_INVALID',
        `${what}: asked for bytes ${offset}- of ${descriptor.size}, the registry sent "${redactEchoedSecrets(response, response.headers.get('content-range') ?? 'no Content-Range')}"`,
        { status: 206 },
      );
    }
    return body;
  } catch (error) {
    await discard(response);
    throw error;
  }
}

/**
 * Streams a blob, verified against its descriptor while it flows (digest and
 * size). A download that breaks off is resumed with `Range` from the last
 * byte received, up to `maxResumes` times; the digest covers the whole.
 *
 * @param context - the repository
 * @param descriptor - the blob
 * @param options - {@link BlobReadOptions}
 * @returns the verified stream: it fails with `DIGEST_MISMATCH`,
 *   `SIZE_MISMATCH`, `SIZE_EXCEEDED` or `NETWORK_ERROR` rather than end with wrong bytes
 * @throws {OciError} as {@link openBlob}; `DIGEST_INVALID`, `DIGEST_UNSUPPORTED`
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-blobs
 */
export async function fetchBlob(
  context: RepositoryContext,
  descriptor: Descriptor,
  options: BlobReadOptions = {},
): Promise<ReadableStream<Uint8Array>> {
  const verify = createVerifyStream(descriptor);
  return (await readFrom(context, descriptor, 0, descriptor.size, options.signal)).pipeThrough(
    verify,
  );
}

/**
 * Streams a blob from a byte offset on, resumed like {@link fetchBlob} but
 * not verified (a digest covers whole content): the consumer verifies what
 * it assembles.
 *
 * @param context - the repository
 * @param descriptor - the blob
 * @param offset - the first byte wanted, at most `descriptor.size`
 * @param options - {@link BlobReadOptions}
 * @returns the bytes from `offset` to the end, never more than the descriptor's size
 * @throws {OciError} `RANGE_INVALID` for an offset outside the blob; as {@link openBlob}
 */
export async function fetchBlobRange(
  context: RepositoryContext,
  descriptor: Descriptor,
  offset: number,
  options: BlobReadOptions = {},
): Promise<ReadableStream<Uint8Array>> {
  parseDigest(descriptor.digest);
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > descriptor.size) {
    throw new OciError(
      'RANGE_INVALID',
      `Offset ${offset} is outside blob ${descriptor.digest} of ${descriptor.size} bytes`,
    );
  }
  const { length } = options;
  if (length !== undefined && (!Number.isSafeInteger(length) || length < 0)) {
    throw new OciError('RANGE_INVALID', `A range length must be an integer ≥ 0, not ${length}`);
  }
  const end = Math.min(descriptor.size, offset + (length ?? descriptor.size));
  if (offset === end) return new ReadableStream({ start: (c) => c.close() });
  return readFrom(context, descriptor, offset, end, options.signal);
}

/** The bytes `start..end` of a blob, resumed with `Range` where a response breaks off. */
async function readFrom(
  context: RepositoryContext,
  descriptor: Descriptor,
  start: number,
  end: number,
  signal: AbortSignal | undefined,
): Promise<ReadableStream<Uint8Array>> {
  const open = (offset: number) => openBlob(context, descriptor, offset, end, signal);
  return resumableBody({
    first: await open(start),
    open,
    start,
    size: end,
    maxResumes: context.settings.maxResumes,
    what: `Blob ${descriptor.digest} of ${context.display}`,
    signal,
  });
}

/** What a `HEAD` of a blob told. */
export interface BlobHead {
  /** The `Content-Type`, or `application/octet-stream`. */
  readonly mediaType: string;
  /** The blob's digest. */
  readonly digest: Digest;
  /** The `Content-Length`, when the registry sent one. */
  readonly size: number | undefined;
}

/**
 * Asks the registry about a blob with `HEAD`.
 *
 * @param context - the repository
 * @param digest - the blob's digest
 * @param signal - cancels the request
 * @returns what the registry said, or undefined when it does not have the blob
 * @throws {OciError} `DIGEST_MISMATCH` when the registry names another
 *   digest; transport and registry errors
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#checking-if-content-exists-in-the-registry
 */
export async function headBlob(
  context: RepositoryContext,
  digest: Digest,
  signal: AbortSignal | undefined,
): Promise<BlobHead | undefined> {
  const response = await context.client.send({
    method: 'HEAD',
    address: { path: blobPath(context.name, digest) },
    scopes: [scope.pull(context.name)],
    repository: context.name,
    signal,
  });
  if (response.status === 404) {
    await discard(response);
    return undefined;
  }
  if (response.status !== 200) {
    throw await responseError(response, `Cannot check blob ${digest} in ${context.display}`);
  }
  await discard(response);
  checkHeaderDigest(response, digest, `Blob ${digest} of ${context.display}`);
  return Object.freeze({
    mediaType: contentType(response.headers) || 'application/octet-stream',
    digest,
    size: contentLength(response.headers),
  });
}

/** Passes the first `count` bytes on and ends there (a server that ignored `Range` sends the rest). */
function takeBytes(count: number): TransformStream<Uint8Array, Uint8Array> {
  let left = count;
  return new TransformStream({
    transform(chunk, controller) {
      if (left <= 0) return;
      controller.enqueue(chunk.byteLength <= left ? chunk : chunk.subarray(0, left));
      left -= chunk.byteLength;
      if (left <= 0) controller.terminate();
    },
  });
}
