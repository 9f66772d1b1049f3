import { matchesReferrerFilter, type ReferrerListOptions } from '@ocikit/content';
import { type Digest, OciError, parseDigest } from '@ocikit/digest';
import {
  type Descriptor,
  MediaType,
  manifestSubject,
  type ParsedManifest,
  parseManifest,
  referrerDescriptor,
} from '@ocikit/spec';
import { nextPage } from './link.ts';
import { subjectProcessed } from './manifests.ts';
import { type RepositoryContext, scope } from './options.ts';
import { readFallbackIndex, updateFallbackIndex } from './referrers-fallback.ts';
import { contentType, readLimited, responseError } from './response.ts';
import { addressOf, referrersPath } from './urls.ts';

/** One page of the referrers API, or word that the registry has no such API. */
type ReferrersPage =
  | { readonly kind: 'unsupported' }
  | {
      readonly kind: 'page';
      readonly manifests: readonly Descriptor[];
      readonly filtered: boolean;
      readonly next: string | undefined;
    };

/**
 * Requests one page of the referrers API. A 404 (other than `NAME_UNKNOWN`)
 * or an answer that is not an image index means the registry has no
 * referrers API.
 */
async function referrersPage(
  context: RepositoryContext,
  location: string,
  signal: AbortSignal | undefined,
): Promise<ReferrersPage> {
  const what = `Referrers list of ${context.display}`;
  const response = await context.client.send({
    address: addressOf(location),
    headers: { accept: MediaType.OciImageIndex },
    scopes: [scope.pull(context.name)],
    repository: context.name,
    signal,
  });
  if (response.status === 404) {
    const error = await responseError(response, `Cannot list referrers in ${context.display}`);
    if (error.code === 'NAME_UNKNOWN') throw error;
    return { kind: 'unsupported' };
  }
  if (response.status !== 200) {
    throw await responseError(response, `Cannot list referrers in ${context.display}`);
  }
  const type = contentType(response.headers);
  const bytes = await readLimited(response, context.settings.maxListSize, what, signal);
  const next = nextPage(response, context.client.registry);
  if (type !== MediaType.OciImageIndex) return { kind: 'unsupported' };
  const index = parseManifest(bytes, { contentType: type, maxSize: context.settings.maxListSize });
  if (index.kind !== 'index') return { kind: 'unsupported' };
  const applied = (response.headers.get('oci-filters-applied') ?? '')
    .split(',')
    .map((filter) => filter.trim());
  return {
    kind: 'page',
    manifests: index.value.manifests,
    filtered: applied.includes('artifactType'),
    next,
  };
}

function unsupported(context: RepositoryContext): OciError {
  return new OciError(
    'UNSUPPORTED',
    `${context.client.registry} has no referrers API (404 for ${context.display}); use referrers: 'auto' or 'tag-schema'`,
    { status: 404 },
  );
}

/** Whether to ask the referrers API (rather than read the tag schema). */
function useApi(context: RepositoryContext): boolean {
  const { referrers } = context.settings;
  return referrers === 'api' || (referrers === 'auto' && context.referrersApi !== false);
}

/**
 * Lists the manifests that refer to a subject: from the referrers API
 * (`GET /v2/<name>/referrers/<digest>`, following `Link` pages, filtered by
 * `artifactType` here when the registry did not apply the filter, as
 * `OCI-Filters-Applied` tells), or, where the API answers 404, from the
 * image index under the subject's referrers tag. A tag that holds no image
 * index means no referrers.
 *
 * @param context - the repository
 * @param subject - the manifest referred to
 * @param options - `artifactType`, `signal`
 * @returns descriptors of the referrers, with `artifactType` and annotations
 * @throws {OciError} `NAME_UNKNOWN`; `UNSUPPORTED` in `api` mode on a
 *   registry without the API; `REDIRECT_INVALID`, `SIZE_EXCEEDED` (pages);
 *   `DIGEST_INVALID`
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers
 */
export async function* listReferrers(
  context: RepositoryContext,
  subject: Descriptor,
  options: ReferrerListOptions = {},
): AsyncGenerator<Descriptor> {
  const digest = parseDigest(subject.digest).digest;
  const { artifactType, signal } = options;
  const keep = (entry: Descriptor) => matchesReferrerFilter(entry, options);
  if (useApi(context)) {
    const visited = new Set<string>();
    let location: string | undefined = referrersPath(context.name, digest, artifactType);
    for (let pages = 0; location !== undefined; pages += 1) {
      if (pages >= context.settings.maxPages) {
        throw new OciError(
          'SIZE_EXCEEDED',
          `Referrers of ${digest} run over more than ${context.settings.maxPages} pages`,
        );
      }
      visited.add(location);
      const page = await referrersPage(context, location, signal);
      if (page.kind === 'unsupported') {
        if (pages > 0 || context.settings.referrers === 'api') throw unsupported(context);
        context.referrersApi = false;
        break;
      }
      context.referrersApi = true;
      for (const entry of page.manifests) if (page.filtered || keep(entry)) yield entry;
      location = page.next !== undefined && !visited.has(page.next) ? page.next : undefined;
    }
    if (context.referrersApi) return;
  }
  const index = await readFallbackIndex(context, digest, signal);
  if (index.state !== 'index') return;
  for (const entry of index.manifests) if (keep(entry)) yield entry;
}

/**
 * Whether the registry has the referrers API, asking it once when that is
 * not known yet.
 */
async function hasReferrersApi(
  context: RepositoryContext,
  subject: Digest,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  if (context.settings.referrers !== 'auto') return context.settings.referrers === 'api';
  if (context.referrersApi === undefined) {
    const page = await referrersPage(context, referrersPath(context.name, subject), signal);
    context.referrersApi = page.kind === 'page';
  }
  return context.referrersApi;
}

/**
 * After a manifest with a `subject` was pushed: records it in the subject's
 * referrers index under the referrers tag, unless the registry processed
 * the subject itself (`OCI-Subject` in the answer) or the repository is set
 * to the `api` mode.
 *
 * @param context - the repository
 * @param manifest - the pushed manifest
 * @param response - the registry's answer to the push
 * @param signal - cancels the requests
 * @throws {OciError} as `updateFallbackIndex`
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-manifests-with-subject
 */
export async function indexReferrer(
  context: RepositoryContext,
  manifest: ParsedManifest,
  response: Response,
  signal: AbortSignal | undefined,
): Promise<void> {
  const subject = manifestSubject(manifest);
  if (subject === undefined) return;
  if (subjectProcessed(response)) {
    context.referrersApi = true;
    return;
  }
  const { referrers } = context.settings;
  if (referrers === 'api' || (referrers === 'auto' && context.referrersApi === true)) return;
  context.referrersApi = false;
  await updateFallbackIndex(context, subject.digest, { add: referrerDescriptor(manifest) }, signal);
}

/**
 * The subject whose referrers index must forget a manifest that is about to
 * be deleted, when the registry may lack the referrers API: read from the
 * manifest itself (only OCI manifests and indexes have one).
 *
 * @param context - the repository
 * @param descriptor - the manifest to be deleted
 * @param bytes - reads the manifest's bytes
 * @returns the subject's digest, or undefined when there is nothing to maintain
 */
export async function subjectToUnindex(
  context: RepositoryContext,
  descriptor: Descriptor,
  bytes: () => Promise<Uint8Array>,
): Promise<Digest | undefined> {
  if (context.settings.referrers === 'api' || context.referrersApi === true) return undefined;
  if (
    descriptor.mediaType !== MediaType.OciImageManifest &&
    descriptor.mediaType !== MediaType.OciImageIndex
  ) {
    return undefined;
  }
  try {
    const parsed = parseManifest(await bytes(), {
      contentType: descriptor.mediaType,
      maxSize: context.settings.maxManifestSize,
    });
    return manifestSubject(parsed)?.digest;
  } catch {
    return undefined;
  }
}

/**
 * After a manifest with a `subject` was deleted: removes it from the
 * subject's referrers index, where the registry has no referrers API.
 *
 * @param context - the repository
 * @param subject - the subject's digest
 * @param digest - the deleted manifest
 * @param signal - cancels the requests
 * @throws {OciError} as `updateFallbackIndex`
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#deleting-manifests
 */
export async function unindexReferrer(
  context: RepositoryContext,
  subject: Digest,
  digest: Digest,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (await hasReferrersApi(context, subject, signal)) return;
  await updateFallbackIndex(context, subject, { remove: digest }, signal);
}
