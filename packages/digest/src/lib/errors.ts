/**
 * Error codes defined by the OCI distribution-spec (and the Docker registry
 * API extensions that registries still send), as found in error bodies.
 *
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes
 */
export type RegistryErrorCode =
  | 'BLOB_UNKNOWN'
  | 'BLOB_UPLOAD_INVALID'
  | 'BLOB_UPLOAD_UNKNOWN'
  | 'DIGEST_INVALID'
  | 'MANIFEST_BLOB_UNKNOWN'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_UNKNOWN'
  | 'MANIFEST_UNVERIFIED'
  | 'NAME_INVALID'
  | 'NAME_UNKNOWN'
  | 'PAGINATION_NUMBER_INVALID'
  | 'RANGE_INVALID'
  | 'SIZE_INVALID'
  | 'TAG_INVALID'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'UNSUPPORTED'
  | 'TOOMANYREQUESTS'
  | 'UNKNOWN';

/** Error codes raised by ocikit itself, on the client side of the wire. */
export type ClientErrorCode =
  /** An operation was cancelled through its `AbortSignal`. */
  | 'ABORTED'
  /** A `WWW-Authenticate` header could not be parsed. */
  | 'CHALLENGE_INVALID'
  /** A configuration file (Docker `config.json`, `auth.json`, …) is malformed. */
  | 'CONFIG_INVALID'
  /** A credential helper is missing, failed, or answered garbage. */
  | 'CREDENTIAL_HELPER_FAILED'
  /** An optional peer dependency that an entry needs is not installed (`undici` for `@ocikit/transport/node`). */
  | 'DEPENDENCY_MISSING'
  /** Content hashed to a different digest than the one expected. */
  | 'DIGEST_MISMATCH'
  /** A well-formed digest whose algorithm this build cannot compute. */
  | 'DIGEST_UNSUPPORTED'
  /** The server answered with a status the protocol does not allow here. */
  | 'HTTP_UNEXPECTED_STATUS'
  /** An OCI image layout on disk or in a tar is malformed. */
  | 'LAYOUT_INVALID'
  /** A lock (for example on a layout's `index.json`) could not be taken in time. */
  | 'LOCK_TIMEOUT'
  /** The network failed: connection refused or reset, DNS, TLS. */
  | 'NETWORK_ERROR'
  /** A bad option was passed to a constructor or function. */
  | 'OPTION_INVALID'
  /** A path escapes the directory it must stay inside, or names something unexpected. */
  | 'PATH_INVALID'
  /** A platform string such as `linux/arm64/v8` could not be parsed. */
  | 'PLATFORM_INVALID'
  /** No manifest in an index matches the wanted platform. */
  | 'PLATFORM_NOT_FOUND'
  /** A redirect was refused: downgrade to http, a loop, or too many hops. */
  | 'REDIRECT_INVALID'
  /** An image reference or location string does not follow the grammar. */
  | 'REFERENCE_INVALID'
  /** A successful response is unusable: a body that is not what the API says, a missing header. */
  | 'RESPONSE_INVALID'
  /** A response or body is larger than the limit set for it. */
  | 'SIZE_EXCEEDED'
  /** A body ended before (or after) the size its descriptor announced. */
  | 'SIZE_MISMATCH'
  /** A tar archive is malformed or holds entries it must not. */
  | 'TAR_INVALID'
  /** An operation ran out of time. */
  | 'TIMEOUT'
  /** A token endpoint answered with something that is not a usable token. */
  | 'TOKEN_INVALID'
  /** A manifest or blob has a media type this operation cannot handle. */
  | 'UNSUPPORTED_MEDIA_TYPE';

/** Every code an {@link OciError} can carry. */
export type OciErrorCode = RegistryErrorCode | ClientErrorCode;

/** Options of an {@link OciError}. */
export interface OciErrorOptions {
  /** The HTTP status of the response that caused the error, when there is one. */
  status?: number;
  /** The underlying error. */
  cause?: unknown;
  /** Structured detail, such as the `detail` member of a registry error body. */
  detail?: unknown;
}

/**
 * The one error class of ocikit: a stable machine-readable `code`, the HTTP
 * status where there is one, and a message a person can act on. Messages never
 * contain credentials.
 */
export class OciError extends Error {
  override name = 'OciError';
  /** The stable code, one of {@link OciErrorCode}. */
  readonly code: OciErrorCode;
  /** The HTTP status behind the error, if it came from a response. */
  readonly status: number | undefined;
  /** Structured detail from the registry, if any. */
  readonly detail: unknown;

  /**
   * @param code - the stable error code
   * @param message - what went wrong, quoting the bad value and the limit
   * @param options - status, cause and detail
   */
  constructor(code: OciErrorCode, message: string, options: OciErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
    this.detail = options.detail;
  }
}

/**
 * Tells whether a value is an {@link OciError}, optionally with a given code.
 * Works across duplicate copies of this package, where `instanceof` does not.
 *
 * @param value - anything caught
 * @param code - the code the error must carry, if given
 * @returns whether `value` is an `OciError` (with that code)
 */
export function isOciError(value: unknown, code?: OciErrorCode): value is OciError {
  if (value instanceof OciError) return code === undefined || value.code === code;
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { name?: unknown; code?: unknown };
  return (
    candidate.name === 'OciError' &&
    typeof candidate.code === 'string' &&
    (code === undefined || candidate.code === code)
  );
}
