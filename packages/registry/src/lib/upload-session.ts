import type { OperationOptions } from '@ocikit/content';
import { abortError, type Digest, OciError } from '@ocikit/digest';
import { type RepositoryContext, scope } from './options.ts';
import { checkHeaderDigest, discard, responseError } from './response.ts';
import { trackBody } from './tracked-body.ts';
import { addressOf, appendQuery, resolveHandedOut, uploadsPath } from './urls.ts';

/**
 * An upload session on the registry (a blob being pushed): where it lives
 * and how many bytes the registry holds. Keep its `location` to continue
 * later with {@link Repository.resumeUpload}.
 *
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-a-blob-in-chunks
 */
export interface UploadSession {
  /**
   * The session's URL (or path on the registry). It carries the registry's
   * upload state, which may be signed: treat it as a secret, never log it.
   */
  readonly location: string;
  /** How many bytes the registry holds, as of its last answer. */
  readonly offset: number;
  /** The smallest chunk the registry accepts but for the last (`OCI-Chunk-Min-Length`), if it said. */
  readonly minChunkSize: number | undefined;
  /**
   * Asks the registry how far the upload got (`GET` on the location).
   *
   * @param options - `signal`
   * @returns the offset the registry holds
   * @throws {OciError} `BLOB_UPLOAD_UNKNOWN` or `BLOB_UPLOAD_INVALID` when
   *   the session is gone or broken
   */
  status(options?: OperationOptions): Promise<number>;
  /**
   * Sends one chunk (`PATCH` with `Content-Range` from the current offset).
   * The chunk is held in memory, so a failed attempt is repeated safely.
   *
   * @param chunk - the next bytes of the blob
   * @param options - `signal`
   * @returns the new offset
   * @throws {OciError} `RANGE_INVALID` when the registry holds other bytes
   *   than expected; `BLOB_UPLOAD_INVALID`, `BLOB_UPLOAD_UNKNOWN`
   */
  append(chunk: Uint8Array, options?: OperationOptions): Promise<number>;
  /**
   * Closes the session (`PUT ?digest=`): the registry checks the digest of
   * everything it received and makes the blob available.
   *
   * @param digest - the digest of the whole blob
   * @param options - `signal`
   * @throws {OciError} `DIGEST_INVALID`, `SIZE_INVALID`, `BLOB_UPLOAD_INVALID`
   */
  complete(digest: Digest, options?: OperationOptions): Promise<void>;
  /**
   * Cancels the session (`DELETE` on the location), releasing what the
   * registry holds. A session already gone is no error.
   *
   * @param options - `signal`
   * @throws {OciError} when the registry refuses
   */
  cancel(options?: OperationOptions): Promise<void>;
}

const UPLOAD_RANGE = /^(?:bytes=)?0-(\d+)$/i;

/**
 * The offset an upload `Range` header (`0-<last byte>`) stands for.
 * distribution answers `0-0` for an empty session as well as for one that
 * holds one byte: `expected` (the offset the client believes) settles it,
 * else `0-0` is read as empty.
 *
 * @param value - the header value
 * @param expected - the offset the client expects, if it has one
 * @returns the offset, or undefined when the header is missing or malformed
 */
export function uploadOffset(value: string | null, expected?: number): number | undefined {
  const match = UPLOAD_RANGE.exec(value?.trim() ?? '');
  if (match?.[1] === undefined) return undefined;
  const last = Number(match[1]);
  if (last === 0) return expected === 1 ? 1 : 0;
  return last + 1;
}

function minChunk(headers: Headers): number | undefined {
  const value = headers.get('oci-chunk-min-length')?.trim();
  return value !== undefined && /^\d{1,15}$/.test(value) && Number(value) > 0
    ? Number(value)
    : undefined;
}

/**
 * The session a `202` answer opened: its `Location`, `Range` and `OCI-Chunk-Min-Length`.
 *
 * @param context - the repository
 * @param response - the answer to a `POST` (upload start or mount)
 * @returns the session
 * @throws {OciError} `RESPONSE_INVALID` without a usable `Location`
 */
export function sessionFrom(context: RepositoryContext, response: Response): Upload {
  const location = response.headers.get('location');
  if (location === null || location.trim() === '') {
    throw new OciError(
      'RESPONSE_INVALID',
      `The registry opened an upload in ${context.display} without a Location`,
      { status: response.status },
    );
  }
  return new Upload(
    context,
    resolveHandedOut(location, response, 'upload Location'),
    uploadOffset(response.headers.get('range')) ?? 0,
    minChunk(response.headers),
  );
}

/**
 * Starts an upload session (`POST /v2/<name>/blobs/uploads/`).
 *
 * @param context - the repository
 * @param options - the digest algorithm of the blob (`digest-algorithm` for
 *   any but sha256), and `signal`
 * @returns the session
 * @throws {OciError} `DENIED` without push access; the registry's error
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#post-then-put
 */
export async function startUpload(
  context: RepositoryContext,
  options: { algorithm?: string | undefined; signal?: AbortSignal | undefined },
): Promise<Upload> {
  const algorithm = options.algorithm === 'sha256' ? undefined : options.algorithm;
  const response = await context.client.send({
    method: 'POST',
    address: { path: uploadsPath(context.name, { 'digest-algorithm': algorithm }) },
    headers: { 'content-length': '0' },
    scopes: [scope.push(context.name)],
    repository: context.name,
    signal: options.signal,
    retry: true,
    mirrors: false,
  });
  if (response.status !== 202) {
    throw await responseError(response, `Cannot start an upload in ${context.display}`);
  }
  await discard(response);
  return sessionFrom(context, response);
}

/**
 * Picks up an upload session from its location (as saved from
 * {@link UploadSession.location}), asking the registry for its offset.
 *
 * @param context - the repository
 * @param location - the session's URL or path
 * @param signal - cancels the request
 * @returns the session
 * @throws {OciError} as {@link UploadSession.status}
 */
export async function resumeUpload(
  context: RepositoryContext,
  location: string,
  signal: AbortSignal | undefined,
): Promise<Upload> {
  const upload = new Upload(context, location, 0, undefined);
  await upload.status({ ...(signal ? { signal } : {}) });
  return upload;
}

/**
 * The {@link UploadSession} of this package; {@link Upload.put} also sends
 * a body in the closing request. Made by {@link startUpload},
 * {@link resumeUpload} and {@link sessionFrom}.
 */
export class Upload implements UploadSession {
  readonly #context: RepositoryContext;
  #location: string;
  #offset: number;
  /** See {@link UploadSession.minChunkSize}. */
  readonly minChunkSize: number | undefined;

  /**
   * @param context - the repository
   * @param location - the session's URL or path
   * @param offset - the bytes the registry holds
   * @param minChunkSize - the registry's `OCI-Chunk-Min-Length`, if any
   */
  constructor(
    context: RepositoryContext,
    location: string,
    offset: number,
    minChunkSize: number | undefined,
  ) {
    this.#context = context;
    this.#location = location;
    this.#offset = offset;
    this.minChunkSize = minChunkSize;
  }

  /** See {@link UploadSession.location}. */
  get location(): string {
    return this.#location;
  }

  /** See {@link UploadSession.offset}. */
  get offset(): number {
    return this.#offset;
  }

  #request(
    method: string,
    address: string,
    options: OperationOptions,
    extra: { headers?: HeadersInit; body?: Uint8Array | ReadableStream<Uint8Array> } = {},
  ): Promise<Response> {
    return this.#context.client.send({
      method,
      address: addressOf(address),
      ...extra,
      scopes: [scope.push(this.#context.name)],
      repository: this.#context.name,
      signal: options.signal,
      mirrors: false,
      retry: !(extra.body instanceof ReadableStream),
    });
  }

  #moved(response: Response): void {
    const location = response.headers.get('location');
    if (location !== null && location.trim() !== '') {
      this.#location = resolveHandedOut(location, response, 'upload Location');
    }
  }

  /** See {@link UploadSession.status}. */
  async status(options: OperationOptions = {}): Promise<number> {
    const response = await this.#request('GET', this.#location, options);
    if (response.status !== 204 && response.status !== 200) {
      throw await responseError(
        response,
        `Cannot get the status of an upload in ${this.#context.display}`,
        'BLOB_UPLOAD_UNKNOWN',
      );
    }
    await discard(response);
    this.#moved(response);
    this.#offset = uploadOffset(response.headers.get('range')) ?? 0;
    return this.#offset;
  }

  /** See {@link UploadSession.append}. */
  async append(chunk: Uint8Array, options: OperationOptions = {}): Promise<number> {
    const start = this.#offset;
    const expected = start + chunk.byteLength;
    if (chunk.byteLength === 0) return start;
    const response = await this.#request('PATCH', this.#location, options, {
      headers: {
        'content-type': 'application/octet-stream',
        'content-range': `${start}-${expected - 1}`,
        'content-length': String(chunk.byteLength),
      },
      body: chunk,
    });
    if (response.status !== 202 && response.status !== 204) {
      throw await responseError(
        response,
        `Cannot upload bytes ${start}-${expected - 1} to ${this.#context.display}`,
        'BLOB_UPLOAD_UNKNOWN',
      );
    }
    await discard(response);
    this.#moved(response);
    const offset = uploadOffset(response.headers.get('range'), expected) ?? expected;
    if (offset !== expected) {
      this.#offset = offset;
      throw new OciError(
        'RANGE_INVALID',
        `The registry holds ${offset} bytes of the upload after a chunk that should end at ${expected}`,
        { status: response.status },
      );
    }
    this.#offset = offset;
    return offset;
  }

  /** See {@link UploadSession.complete}. */
  async complete(digest: Digest, options: OperationOptions = {}): Promise<void> {
    await this.put(digest, new Uint8Array(0), options);
  }

  /**
   * Closes the session with the last bytes of the blob in the same request:
   * bytes (repeatable), or a stream of `options.length` bytes (sent once).
   *
   * @param digest - the digest of the whole blob
   * @param body - the rest of the blob, possibly empty
   * @param options - `signal`, and the `length` of a stream
   * @throws {OciError} the stream's own error; the registry's
   *   `DIGEST_INVALID`, `BLOB_UPLOAD_INVALID`, `BLOB_UPLOAD_UNKNOWN`;
   *   `DIGEST_MISMATCH` when the registry names another digest
   */
  async put(
    digest: Digest,
    body: Uint8Array | ReadableStream<Uint8Array>,
    options: OperationOptions & { length?: number } = {},
  ): Promise<void> {
    if (options.signal?.aborted) throw abortError(options.signal);
    const streamed = body instanceof ReadableStream ? trackBody(body) : undefined;
    const length = body instanceof ReadableStream ? (options.length ?? 0) : body.byteLength;
    const range: Record<string, string> =
      this.#offset > 0 && length > 0
        ? { 'content-range': `${this.#offset}-${this.#offset + length - 1}` }
        : {};
    let response: Response;
    try {
      response = await this.#request(
        'PUT',
        appendQuery(this.#location, 'digest', digest),
        options,
        {
          headers: {
            'content-type': 'application/octet-stream',
            'content-length': String(length),
            ...range,
          },
          body: streamed?.stream ?? body,
        },
      );
    } catch (error) {
      throw streamed?.failure() ?? error;
    } finally {
      await streamed?.release();
    }
    const failure = streamed?.failure();
    if (failure !== undefined) {
      await discard(response);
      throw failure;
    }
    if (response.status !== 201 && response.status !== 204) {
      throw await responseError(
        response,
        `Cannot complete the upload of ${digest} to ${this.#context.display}`,
        'BLOB_UPLOAD_UNKNOWN',
      );
    }
    await discard(response);
    checkHeaderDigest(response, digest, `the uploaded blob`);
    this.#offset += length;
  }

  /** See {@link UploadSession.cancel}. */
  async cancel(options: OperationOptions = {}): Promise<void> {
    const response = await this.#request('DELETE', this.#location, options);
    if (response.status === 404 || (response.status >= 200 && response.status < 300)) {
      await discard(response);
      return;
    }
    throw await responseError(response, `Cannot cancel an upload in ${this.#context.display}`);
  }
}
