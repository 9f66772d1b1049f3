import { assertTag } from '@ocikit/content';
import { type Digest, digestBytes, OciError, parseDigest } from '@ocikit/digest';
import {
  type Descriptor,
  isManifestMediaType,
  type ParsedManifest,
  parseManifest,
} from '@ocikit/spec';
import { type RepositoryContext, scope } from './options.ts';
import {
  checkHeaderDigest,
  contentLength,
  contentType,
  discard,
  headerDigest,
  readLimited,
  responseError,
  verifiable,
} from './response.ts';
import { manifestPath } from './urls.ts';

/** A manifest as the registry served it: its exact bytes, verified, and their descriptor. */
export interface FetchedManifest {
  /** `mediaType` (the `Content-Type`), `digest` and `size` of the bytes. */
  readonly descriptor: Descriptor;
  /** The exact bytes. */
  readonly bytes: Uint8Array;
  /** The registry's `ETag` for the manifest, if it sent one (for conditional updates). */
  readonly etag?: string | undefined;
}

/** A manifest to push: its exact bytes and media type (a `ParsedManifest` is one). */
export interface ManifestContent {
  /** The exact bytes, pushed as they are. */
  readonly bytes: Uint8Array;
  /** The media type, sent as `Content-Type`. */
  readonly mediaType: string;
  /** The digest, when it is not sha256 of the bytes (it is checked). */
  readonly digest?: Digest;
}

/** Options of manifest reads. */
export interface ManifestReadOptions {
  /** Cancels the request. */
  signal?: AbortSignal | undefined;
  /**
   * More media types to accept, besides the repository's `manifestMediaTypes`.
   * @default []
   */
  accept?: readonly string[] | undefined;
}

/** A tag or a digest, checked. */
type ManifestReference =
  | { readonly kind: 'tag'; readonly value: string }
  | { readonly kind: 'digest'; readonly value: Digest };

/**
 * Checks a manifest reference: a digest when it has a colon, else a tag.
 *
 * @param reference - a tag or a digest
 * @returns which it is
 * @throws {OciError} `TAG_INVALID` or `DIGEST_INVALID`
 */
function manifestReference(reference: string): ManifestReference {
  if (reference.includes(':')) return { kind: 'digest', value: parseDigest(reference).digest };
  assertTag(reference);
  return { kind: 'tag', value: reference };
}

/** The `Accept` header of a manifest request: every type the repository knows, and more. */
function acceptHeader(context: RepositoryContext, extra: readonly string[] = []): string {
  const types = new Set([...context.settings.manifestMediaTypes, ...extra]);
  return [...types].join(', ');
}

/**
 * Gets a manifest, its size capped while it is read, and verifies it: against
 * the digest when the reference is one, else against the registry's
 * `Docker-Content-Digest`.
 *
 * @param context - the repository
 * @param reference - a tag or a digest
 * @param options - {@link ManifestReadOptions}
 * @returns the bytes and their descriptor
 * @throws {OciError} `MANIFEST_UNKNOWN`; `DIGEST_MISMATCH`; `SIZE_EXCEEDED`
 *   over `maxManifestSize`; `TAG_INVALID`, `DIGEST_INVALID`; transport errors
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests
 */
export async function fetchManifest(
  context: RepositoryContext,
  reference: string,
  options: ManifestReadOptions = {},
): Promise<FetchedManifest> {
  const { checked, response } = await requestManifest(context, 'GET', reference, options);
  const what = `Manifest "${reference}" of ${context.display}`;
  const expected =
    checked.kind === 'digest'
      ? checked.value
      : verifiableOrUndefined(headerDigest(response.headers));
  if (checked.kind === 'digest') checkHeaderDigest(response, checked.value, what);
  const bytes = await readLimited(response, context.settings.maxManifestSize, what, options.signal);
  const digest = digestBytes(
    bytes,
    expected === undefined ? 'sha256' : parseDigest(expected).algorithm,
  );
  if (expected !== undefined && digest !== expected) {
    throw new OciError('DIGEST_MISMATCH', `${what} hashes to ${digest}, not to ${expected}`, {
      status: response.status,
    });
  }
  return {
    descriptor: Object.freeze({
      mediaType: manifestMediaType(response.headers, bytes),
      digest,
      size: bytes.byteLength,
    }),
    bytes,
    etag: response.headers.get('etag') ?? undefined,
  };
}

/**
 * Sends a `GET` or `HEAD` for a manifest with the accepted media types and
 * the pull scope, and turns anything but 200 into an error.
 */
async function requestManifest(
  context: RepositoryContext,
  method: 'GET' | 'HEAD',
  reference: string,
  options: ManifestReadOptions,
) {
  const checked = manifestReference(reference);
  const response = await context.client.send({
    method,
    address: { path: manifestPath(context.name, checked.value) },
    headers: { accept: acceptHeader(context, options.accept) },
    scopes: [scope.pull(context.name)],
    repository: context.name,
    signal: options.signal,
  });
  if (response.status !== 200) {
    throw await responseError(
      response,
      `Cannot ${method === 'GET' ? 'get' : 'find'} manifest "${reference}" of ${context.display}`,
      'MANIFEST_UNKNOWN',
    );
  }
  return { checked, response };
}

function verifiableOrUndefined(digest: string | undefined): Digest | undefined {
  return digest !== undefined && verifiable(digest) ? (digest as Digest) : undefined;
}

/**
 * The media type of served manifest bytes: the `Content-Type`, unless it is
 * missing or generic, then the document's `mediaType` member.
 */
function manifestMediaType(headers: Headers, bytes: Uint8Array): string {
  const type = contentType(headers);
  if (type !== '' && type !== 'application/json' && type !== 'application/octet-stream') {
    return type;
  }
  try {
    const member = (JSON.parse(new TextDecoder().decode(bytes)) as { mediaType?: unknown })
      ?.mediaType;
    if (typeof member === 'string' && member !== '') return member;
  } catch {
    // Not JSON: the type stays what the registry said.
  }
  return type === '' ? 'application/octet-stream' : type;
}

/**
 * Resolves a reference to a manifest descriptor with `HEAD`, from
 * `Docker-Content-Digest`, `Content-Type` and `Content-Length`; when the
 * registry leaves one of them out, with a `GET` of the (verified) manifest.
 *
 * @param context - the repository
 * @param reference - a tag or a digest
 * @param options - {@link ManifestReadOptions}
 * @returns the descriptor
 * @throws {OciError} `MANIFEST_UNKNOWN`; `DIGEST_MISMATCH` when the registry
 *   names another digest than the one asked for; as {@link fetchManifest}
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#checking-if-content-exists-in-the-registry
 */
export async function headManifest(
  context: RepositoryContext,
  reference: string,
  options: ManifestReadOptions = {},
): Promise<Descriptor> {
  const { checked, response } = await requestManifest(context, 'HEAD', reference, options);
  await discard(response);
  if (checked.kind === 'digest') {
    checkHeaderDigest(response, checked.value, `Manifest "${reference}" of ${context.display}`);
  }
  const digest = checked.kind === 'digest' ? checked.value : headerDigest(response.headers);
  const mediaType = contentType(response.headers);
  const size = contentLength(response.headers);
  if (digest === undefined || size === undefined || !isManifestLike(mediaType)) {
    return (await fetchManifest(context, reference, options)).descriptor;
  }
  return Object.freeze({ mediaType, digest: digest as Digest, size });
}

function isManifestLike(mediaType: string): boolean {
  return mediaType !== '' && mediaType !== 'application/json' && mediaType !== 'text/plain';
}

/** Options of {@link putManifest}. */
export interface PutManifestRequest {
  /** Where to push: a tag, or the digest. */
  readonly reference: string;
  /** More tags for the same request (`?tag=`, end-7b), for registries that take them. */
  readonly tags?: readonly string[];
  /** Extra headers, such as `If-Match` for a conditional update. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal | undefined;
}

/**
 * The checked form of manifest content: its digest, and the parsed document
 * when it is a type `@ocikit/spec` knows (then it must be a valid one).
 *
 * @param context - the repository
 * @param content - the bytes and media type
 * @returns the digest and the parsed manifest, if any
 * @throws {OciError} `SIZE_EXCEEDED` over `maxManifestSize`; `MANIFEST_INVALID`,
 *   `UNSUPPORTED_MEDIA_TYPE` for an invalid manifest; `DIGEST_MISMATCH` when
 *   `content.digest` is not the digest of the bytes
 */
export function checkManifestContent(
  context: RepositoryContext,
  content: ManifestContent,
): { digest: Digest; parsed: ParsedManifest | undefined } {
  const { maxManifestSize } = context.settings;
  if (content.bytes.byteLength > maxManifestSize) {
    throw new OciError(
      'SIZE_EXCEEDED',
      `Manifest is ${content.bytes.byteLength} bytes, over the ${maxManifestSize}-byte limit`,
    );
  }
  if (!isManifestMediaType(content.mediaType)) {
    const digest = digestBytes(
      content.bytes,
      content.digest === undefined ? 'sha256' : parseDigest(content.digest).algorithm,
    );
    if (content.digest !== undefined && digest !== content.digest) {
      throw new OciError(
        'DIGEST_MISMATCH',
        `Manifest hashes to ${digest}, not to ${content.digest}`,
      );
    }
    return { digest, parsed: undefined };
  }
  const parsed = parseManifest(content.bytes, {
    contentType: content.mediaType,
    maxSize: maxManifestSize,
    ...(content.digest === undefined ? {} : { expectedDigest: content.digest }),
  });
  return { digest: parsed.digest, parsed };
}

/**
 * Pushes manifest bytes to one reference with its media type as
 * `Content-Type`.
 *
 * @param context - the repository
 * @param content - the bytes and media type
 * @param digest - the digest of the bytes (from {@link checkManifestContent})
 * @param request - {@link PutManifestRequest}
 * @returns the response (201), its body drained; its headers tell `OCI-Subject` and `OCI-Tag`
 * @throws {OciError} the registry's error (`MANIFEST_INVALID`,
 *   `MANIFEST_BLOB_UNKNOWN`, `DENIED`, …); `DIGEST_MISMATCH` when the
 *   registry stored other bytes
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-manifests
 */
export async function putManifest(
  context: RepositoryContext,
  content: ManifestContent,
  digest: Digest,
  request: PutManifestRequest,
): Promise<Response> {
  const response = await context.client.send({
    method: 'PUT',
    address: { path: manifestPath(context.name, request.reference, request.tags) },
    headers: { ...request.headers, 'content-type': content.mediaType },
    body: content.bytes,
    scopes: [scope.push(context.name)],
    repository: context.name,
    signal: request.signal,
  });
  if (response.status !== 201) {
    throw await responseError(
      response,
      `Cannot push manifest ${digest} to ${context.display}:${request.reference}`,
    );
  }
  await discard(response);
  checkHeaderDigest(response, digest, `the pushed manifest`);
  return response;
}

/** The `OCI-Tag` values of a push response: the tags the registry set. */
export function acceptedTags(response: Response): Set<string> {
  return new Set(
    (response.headers.get('oci-tag') ?? '')
      .split(',')
      .map((tag) => tag.trim())
      .filter((tag) => tag !== ''),
  );
}

/** Whether a push response says the registry processed the manifest's `subject` (`OCI-Subject`). */
export function subjectProcessed(response: Response): boolean {
  return (response.headers.get('oci-subject') ?? '').trim() !== '';
}
