import {
  abortError,
  isSupportedAlgorithm,
  OciError,
  type OciErrorCode,
  parseDigest,
  readBytes,
} from '@ocikit/digest';
import { parseContentType } from '@ocikit/spec';
import { errorFromResponse } from '@ocikit/transport';

/**
 * The error for a response that is not the expected answer: the code of the
 * registry's error body (`errorFromResponse`), or `notFound` for a 404
 * without a usable body (a HEAD has none).
 *
 * @param response - the response; its body is consumed
 * @param what - what was being done, such as `Cannot get manifest "v1" of app`
 * @param notFound - the code of a bare 404
 * @returns the error to throw
 */
export async function responseError(
  response: Response,
  what: string,
  notFound?: OciErrorCode,
): Promise<OciError> {
  const error = await errorFromResponse(response, what);
  if (
    notFound !== undefined &&
    response.status === 404 &&
    error.code === 'HTTP_UNEXPECTED_STATUS'
  ) {
    return new OciError(notFound, error.message, { status: 404, detail: error.detail });
  }
  return error;
}

/**
 * Drops a response body that is not needed.
 *
 * @param response - the response
 */
export async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => {});
}

/**
 * The declared `Content-Length`, when there is a usable one (and no
 * `Content-Encoding` that would make it the length of other bytes).
 *
 * @param headers - the response headers
 * @returns the length, or undefined
 */
export function contentLength(headers: Headers): number | undefined {
  const value = headers.get('content-length');
  if (value === null || !/^\d{1,15}$/.test(value.trim())) return undefined;
  const encoding = headers.get('content-encoding');
  if (encoding !== null && encoding.trim().toLowerCase() !== 'identity') return undefined;
  return Number(value.trim());
}

/**
 * The media type of a response: its `Content-Type` without parameters.
 *
 * @param headers - the response headers
 * @returns the media type, or `''` when there is none
 */
export function contentType(headers: Headers): string {
  return parseContentType(headers.get('content-type') ?? '');
}

/**
 * The `Docker-Content-Digest` of a response, when it is a well-formed digest.
 *
 * @param headers - the response headers
 * @returns the digest, or undefined
 */
export function headerDigest(headers: Headers): string | undefined {
  const value = headers.get('docker-content-digest')?.trim();
  if (!value) return undefined;
  try {
    return parseDigest(value).digest;
  } catch {
    return undefined;
  }
}

/**
 * Checks the `Docker-Content-Digest` of a response against the digest the
 * content must have. A header in another algorithm cannot be compared (the
 * spec allows it) and is ignored.
 *
 * @param response - the response
 * @param expected - the digest the content has
 * @param what - what the content is, for the message
 * @throws {OciError} `DIGEST_MISMATCH` when the header names other content
 */
export function checkHeaderDigest(response: Response, expected: string, what: string): void {
  const announced = headerDigest(response.headers);
  if (announced === undefined || announced === expected) return;
  if (parseDigest(announced).algorithm !== parseDigest(expected).algorithm) return;
  throw new OciError(
    'DIGEST_MISMATCH',
    `The registry says ${what} is ${announced}, not ${expected} (Docker-Content-Digest)`,
    { status: response.status },
  );
}

/**
 * Whether a digest's algorithm can be computed here, so content can be checked against it.
 *
 * @param digest - a well-formed digest
 * @returns whether it can be verified
 */
export function verifiable(digest: string): boolean {
  return isSupportedAlgorithm(parseDigest(digest).algorithm);
}

/**
 * Reads a response body into memory, up to a limit: a `Content-Length` over
 * it fails before a byte is read, and a body that grows past it is cut off.
 *
 * @param response - the response
 * @param maxBytes - the limit
 * @param what - what the body is, for the message
 * @param signal - cancels the read
 * @returns the bytes
 * @throws {OciError} `SIZE_EXCEEDED` over the limit; `ABORTED`; `NETWORK_ERROR`
 *   when the connection breaks
 */
export async function readLimited(
  response: Response,
  maxBytes: number,
  what: string,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const declared = contentLength(response.headers);
  if (declared !== undefined && declared > maxBytes) {
    await discard(response);
    throw new OciError(
      'SIZE_EXCEEDED',
      `${what} is ${declared} bytes, over the ${maxBytes}-byte limit`,
      { status: response.status },
    );
  }
  if (!response.body) return new Uint8Array(0);
  try {
    return await readBytes(response.body, { maxBytes, ...(signal ? { signal } : {}) });
  } catch (error) {
    throw bodyError(error, what, signal);
  }
}

/**
 * What a failed body read becomes: the `OciError` as it is (a limit, an
 * abort), else `NETWORK_ERROR` (the connection broke).
 *
 * @param error - what the read threw
 * @param what - what was being read
 * @param signal - the operation's signal
 * @returns the error to throw
 */
export function bodyError(error: unknown, what: string, signal?: AbortSignal): OciError {
  if (signal?.aborted) return abortError(signal);
  if (error instanceof OciError) return error;
  return new OciError('NETWORK_ERROR', `Reading ${what} failed: ${describe(error)}`, {
    cause: error,
  });
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Reads a JSON response body, up to a limit.
 *
 * @param response - the response
 * @param maxBytes - the limit
 * @param what - what the body is, for the message
 * @param signal - cancels the read
 * @returns the parsed value
 * @throws {OciError} `SIZE_EXCEEDED`; `RESPONSE_INVALID` when it is not JSON
 */
export async function readJson(
  response: Response,
  maxBytes: number,
  what: string,
  signal?: AbortSignal,
): Promise<unknown> {
  const bytes = await readLimited(response, maxBytes, what, signal);
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new OciError('RESPONSE_INVALID', `${what} is not valid JSON`, {
      status: response.status,
    });
  }
}
