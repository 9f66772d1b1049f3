import { isOciError, type OciErrorCode, type RegistryErrorCode } from '@ocikit/digest';
import { API_VERSION_HEADERS } from './headers.ts';

/** An error as the registry sends it: a spec code, an HTTP status and a message. */
export interface WireError {
  readonly code: RegistryErrorCode;
  readonly status: number;
  readonly message: string;
  readonly detail?: unknown;
}

/** The status each spec code answers with, unless the error names its own. */
const STATUS: Readonly<Partial<Record<RegistryErrorCode, number>>> = {
  BLOB_UNKNOWN: 404,
  BLOB_UPLOAD_INVALID: 400,
  BLOB_UPLOAD_UNKNOWN: 404,
  DENIED: 403,
  DIGEST_INVALID: 400,
  MANIFEST_BLOB_UNKNOWN: 400,
  MANIFEST_INVALID: 400,
  MANIFEST_UNKNOWN: 404,
  NAME_INVALID: 400,
  NAME_UNKNOWN: 404,
  PAGINATION_NUMBER_INVALID: 400,
  RANGE_INVALID: 416,
  SIZE_INVALID: 400,
  TAG_INVALID: 400,
  TOOMANYREQUESTS: 429,
  UNAUTHORIZED: 401,
  UNSUPPORTED: 405,
};

/** Client-side codes raised by the layers below, as the spec code a client is told. */
const TRANSLATED: Readonly<Partial<Record<OciErrorCode, [RegistryErrorCode, number]>>> = {
  DIGEST_MISMATCH: ['DIGEST_INVALID', 400],
  DIGEST_UNSUPPORTED: ['DIGEST_INVALID', 400],
  SIZE_MISMATCH: ['SIZE_INVALID', 400],
  SIZE_EXCEEDED: ['SIZE_INVALID', 413],
  UNSUPPORTED_MEDIA_TYPE: ['MANIFEST_INVALID', 400],
};

/**
 * Maps anything thrown while serving a request to the error the client is
 * sent. Coded errors keep their code and message; anything else is an
 * `UNKNOWN` 500 whose message reveals nothing of the server.
 *
 * @param error - what was thrown
 * @returns the code, status and message to send
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes
 */
export function wireError(error: unknown): WireError {
  if (!isOciError(error)) {
    return { code: 'UNKNOWN', status: 500, message: 'The registry failed to serve the request' };
  }
  const direct = STATUS[error.code as RegistryErrorCode];
  if (direct !== undefined) {
    return {
      code: error.code as RegistryErrorCode,
      status: error.status ?? direct,
      message: error.message,
      ...(error.detail === undefined ? {} : { detail: error.detail }),
    };
  }
  const translated = TRANSLATED[error.code];
  if (translated) return { code: translated[0], status: translated[1], message: error.message };
  return { code: 'UNKNOWN', status: 500, message: 'The registry failed to serve the request' };
}

/**
 * The response for an error: the spec's JSON error body (none for `HEAD`).
 *
 * @param error - what was thrown
 * @param method - the request method
 * @param headers - extra headers, such as `Range` or `Content-Range`
 * @returns the response
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes
 */
export function errorResponse(
  error: WireError,
  method: string,
  headers: Record<string, string> = {},
): Response {
  const body = JSON.stringify({
    errors: [
      {
        code: error.code,
        message: error.message,
        ...(error.detail === undefined ? {} : { detail: error.detail }),
      },
    ],
  });
  const bytes = new TextEncoder().encode(body);
  return new Response(method === 'HEAD' ? null : bytes, {
    status: error.status,
    headers: {
      ...API_VERSION_HEADERS,
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(bytes.byteLength),
      ...headers,
    },
  });
}
