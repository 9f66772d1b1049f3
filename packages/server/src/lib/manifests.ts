import { digestBytes, OciError, readBytes, streamFromBytes } from '@ocikit/digest';
import { isTag } from '@ocikit/reference';
import {
  type Descriptor,
  isManifestMediaType,
  isNondistributableMediaType,
  manifestChildren,
  manifestSubject,
  type ParsedManifest,
  parseContentType,
  parseManifest,
} from '@ocikit/spec';
import { existingRepository, type RequestContext, writableRepository } from './context.ts';
import { answer } from './headers.ts';
import { type ManifestReference, parseManifestReference } from './names.ts';
import type { RepositoryStorage } from './storage.ts';

/**
 * `GET`/`HEAD /v2/<name>/manifests/<reference>`: the manifest's exact bytes
 * with its stored media type, when the client accepts that type.
 *
 * @param context - the request context
 * @param name - the repository
 * @param reference - a tag or digest
 * @returns the response
 * @throws {OciError} `NAME_UNKNOWN`, `MANIFEST_UNKNOWN`, `TAG_INVALID`, `DIGEST_INVALID`
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests
 */
export async function getManifest(
  context: RequestContext,
  name: string,
  reference: string,
): Promise<Response> {
  const parsed = parseManifestReference(reference);
  const repository = await existingRepository(context, name);
  const descriptor = await findManifest(repository, parsed, context.request.signal);
  if (!accepts(context.request.headers.get('accept'), descriptor.mediaType)) {
    throw new OciError(
      'MANIFEST_UNKNOWN',
      `Manifest "${reference}" is a ${descriptor.mediaType}, which the request does not accept`,
    );
  }
  const headers = {
    'content-type': descriptor.mediaType,
    'content-length': String(descriptor.size),
    'docker-content-digest': descriptor.digest,
  };
  if (context.request.method === 'HEAD') return answer(200, headers);
  const body = await repository.fetch(descriptor, { signal: context.request.signal });
  return answer(200, headers, body);
}

/**
 * `PUT /v2/<name>/manifests/<reference>`: validates the manifest (size cap,
 * known media type, the digest in the path, children present), stores its
 * exact bytes and points the tag at it.
 *
 * @param context - the request context
 * @param name - the repository
 * @param reference - a tag or digest
 * @returns `201` with `Location`, `Docker-Content-Digest` and, for a manifest
 *   with a subject, `OCI-Subject`
 * @throws {OciError} `MANIFEST_INVALID`, `MANIFEST_BLOB_UNKNOWN`,
 *   `DIGEST_INVALID`, `SIZE_INVALID` (413 over the cap), `TAG_INVALID`
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-manifests
 */
export async function putManifest(
  context: RequestContext,
  name: string,
  reference: string,
): Promise<Response> {
  const { request, settings } = context;
  const parsedReference = parseManifestReference(reference);
  const extraTags = pushTags(context.url, parsedReference);
  const bytes = await readManifestBody(request, settings.maxManifestSize);
  const manifest = parseUpload(
    bytes,
    request.headers.get('content-type'),
    parsedReference,
    settings.maxManifestSize,
  );
  const existing = await context.storage.repository(name, { signal: request.signal });
  if (settings.requireChildren) await assertChildrenPresent(existing, manifest);
  const repository = await writableRepository(context, name);
  const descriptor: Descriptor = {
    mediaType: manifest.mediaType,
    digest: parsedReference.digest ?? manifest.digest,
    size: bytes.byteLength,
  };
  const held = await repository.stat(descriptor.digest);
  if (held && held.mediaType !== descriptor.mediaType) await repository.delete(held);
  await repository.push(descriptor, streamFromBytes(bytes), { signal: request.signal });
  if (parsedReference.tag !== undefined) await repository.tag(descriptor, parsedReference.tag);
  for (const tag of extraTags) await repository.tag(descriptor, tag);
  const subject = manifestSubject(manifest);
  return answer(201, {
    location: `/v2/${name}/manifests/${descriptor.digest}`,
    'docker-content-digest': descriptor.digest,
    ...(subject ? { 'oci-subject': subject.digest } : {}),
    ...(extraTags.length > 0 ? { 'oci-tag': extraTags.join(', ') } : {}),
  });
}

/** The most `?tag=` of one manifest `PUT`: each one is a write of the tag list. */
const MAX_PUSH_TAGS = 100;

/**
 * The `?tag=` parameters of a manifest `PUT` by digest (OCI distribution
 * spec 1.1: the manifest is pushed and every tag points at it, confirmed
 * in `OCI-Tag`), each checked by the tag grammar before anything is stored.
 *
 * @throws {OciError} `TAG_INVALID` for a tag outside the grammar, or tags
 *   given with a `PUT` by tag
 */
function pushTags(url: URL, reference: ManifestReference): string[] {
  const tags = [...new Set(url.searchParams.getAll('tag'))];
  if (tags.length > MAX_PUSH_TAGS) {
    throw new OciError(
      'TAG_INVALID',
      `At most ${MAX_PUSH_TAGS} ?tag= per push, not ${tags.length}`,
    );
  }
  if (tags.length > 0 && reference.digest === undefined) {
    throw new OciError('TAG_INVALID', '?tag= goes with a PUT by digest, not by tag');
  }
  const invalid = tags.find((tag) => !isTag(tag));
  if (invalid !== undefined) {
    throw new OciError('TAG_INVALID', `Invalid tag "${invalid.slice(0, 200)}" in ?tag=`);
  }
  return tags;
}

/**
 * `DELETE /v2/<name>/manifests/<reference>`: a digest deletes the manifest
 * (and the tags on it); a tag removes only the tag.
 *
 * @param context - the request context
 * @param name - the repository
 * @param reference - a tag or digest
 * @returns `202`
 * @throws {OciError} `NAME_UNKNOWN`, `MANIFEST_UNKNOWN`
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#deleting-manifests
 */
export async function deleteManifest(
  context: RequestContext,
  name: string,
  reference: string,
): Promise<Response> {
  const parsed = parseManifestReference(reference);
  const repository = await existingRepository(context, name);
  const { signal } = context.request;
  if (parsed.tag !== undefined) {
    await repository.untag(parsed.tag, { signal });
  } else {
    await repository.delete(await findManifest(repository, parsed, signal), { signal });
  }
  return answer(202, { 'content-length': '0' });
}

async function findManifest(
  repository: RepositoryStorage,
  reference: ManifestReference,
  signal: AbortSignal,
): Promise<Descriptor> {
  if (reference.tag !== undefined) return repository.resolve(reference.tag, { signal });
  const found = await repository.stat(reference.digest, { signal });
  if (!found || !isManifestMediaType(found.mediaType)) {
    throw new OciError('MANIFEST_UNKNOWN', `There is no manifest ${reference.digest}`);
  }
  return found;
}

async function readManifestBody(request: Request, maxSize: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declared > maxSize) throw tooLarge(declared, maxSize);
  if (!request.body) return new Uint8Array(0);
  try {
    return await readBytes(request.body, { maxBytes: maxSize, signal: request.signal });
  } catch (error) {
    if (error instanceof OciError && error.code === 'SIZE_EXCEEDED') throw tooLarge(-1, maxSize);
    throw error;
  }
}

function tooLarge(size: number, maxSize: number): OciError {
  const actual = size < 0 ? 'more' : String(size);
  return new OciError(
    'SIZE_INVALID',
    `Manifest is ${actual} bytes, over the ${maxSize}-byte limit`,
    { status: 413 },
  );
}

function parseUpload(
  bytes: Uint8Array,
  contentType: string | null,
  reference: ManifestReference,
  maxSize: number,
): ParsedManifest {
  const type = contentType === null ? null : parseContentType(contentType);
  if (type !== null && type !== 'application/json' && !isManifestMediaType(type)) {
    throw new OciError('MANIFEST_INVALID', `"${type.slice(0, 200)}" is not a manifest media type`);
  }
  let manifest: ParsedManifest;
  try {
    manifest = parseManifest(bytes, { contentType: type, maxSize });
  } catch (error) {
    if (error instanceof OciError && error.code !== 'MANIFEST_INVALID') throw error;
    throw new OciError('MANIFEST_INVALID', (error as Error).message, { cause: error });
  }
  if (manifest.kind === 'schema1') {
    throw new OciError('MANIFEST_INVALID', 'Docker schema 1 manifests are not accepted');
  }
  if (
    reference.digest !== undefined &&
    digestBytes(bytes, algorithmOf(reference.digest)) !== reference.digest
  ) {
    throw new OciError('DIGEST_INVALID', `The manifest does not hash to ${reference.digest}`);
  }
  return manifest;
}

function algorithmOf(digest: string): string {
  return digest.slice(0, digest.indexOf(':'));
}

async function assertChildrenPresent(
  repository: RepositoryStorage | undefined,
  manifest: ParsedManifest,
): Promise<void> {
  for (const child of manifestChildren(manifest)) {
    if (isNondistributableMediaType(child.mediaType)) continue;
    const found = await repository?.stat(child.digest);
    if (!found) {
      throw new OciError(
        'MANIFEST_BLOB_UNKNOWN',
        `The manifest references ${child.digest}, which the repository does not hold`,
        { detail: { digest: child.digest } },
      );
    }
  }
}

/** Whether an `Accept` header lets a media type through (no header accepts all). */
function accepts(accept: string | null, mediaType: string): boolean {
  if (accept === null || accept.trim() === '') return true;
  return accept
    .split(',')
    .map((part) => parseContentType(part))
    .some((type) => type === mediaType || type === '*/*' || type === 'application/*');
}
