import { OciError } from '@ocikit/digest';
import { MediaType } from '@ocikit/spec';
import { existingRepository, type RequestContext } from './context.ts';
import { jsonAnswer } from './headers.ts';
import { assertDigest } from './names.ts';

/** The most entries one page of a tag list or the catalog holds, whatever `n` asks. */
const MAX_PAGE = 10_000;

/**
 * `GET /v2/<name>/tags/list?n=&last=`: the tags in lexical order, a page at
 * a time, with a `Link` to the next page when there is one.
 *
 * @param context - the request context
 * @param name - the repository
 * @returns `{ name, tags }`
 * @throws {OciError} `NAME_UNKNOWN`, `PAGINATION_NUMBER_INVALID`
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-tags
 */
export async function listTags(context: RequestContext, name: string): Promise<Response> {
  const repository = await existingRepository(context, name);
  const page = pageOptions(context.url);
  const { signal } = context.request;
  const last = page.last === undefined ? {} : { last: page.last };
  const { items, more } = await takePage(repository.tags({ ...last, signal }), page.size);
  return jsonAnswer(
    { name, tags: items },
    linkHeader(`/v2/${name}/tags/list`, page.size, items, more),
    context.request.method,
  );
}

/**
 * `GET /v2/_catalog?n=&last=`: the repository names in lexical order, paged
 * like the tag list.
 *
 * @param context - the request context
 * @returns `{ repositories }`
 * @throws {OciError} `PAGINATION_NUMBER_INVALID`
 * @see https://github.com/opencontainers/distribution-spec/blob/main/detail.md#listing-repositories
 */
export async function listCatalog(context: RequestContext): Promise<Response> {
  const page = pageOptions(context.url);
  const { signal } = context.request;
  const last = page.last === undefined ? {} : { last: page.last };
  const { items, more } = await takePage(
    context.storage.repositories({ ...last, signal }),
    page.size,
  );
  return jsonAnswer(
    { repositories: items },
    linkHeader('/v2/_catalog', page.size, items, more),
    context.request.method,
  );
}

/**
 * `GET /v2/<name>/referrers/<digest>?artifactType=`: an image index of the
 * manifests whose `subject` is the digest (empty when there are none),
 * filtered by `artifactType` with `OCI-Filters-Applied` saying so.
 *
 * @param context - the request context
 * @param name - the repository
 * @param digest - the subject's digest
 * @returns the image index
 * @throws {OciError} `NAME_UNKNOWN`, `DIGEST_INVALID`
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers
 */
export async function listReferrers(
  context: RequestContext,
  name: string,
  digest: string,
): Promise<Response> {
  const subject = assertDigest(digest);
  const repository = await existingRepository(context, name);
  const artifactType = context.url.searchParams.get('artifactType') ?? undefined;
  const { signal } = context.request;
  const manifests = [];
  for await (const referrer of repository.referrers(
    { mediaType: MediaType.OciImageManifest, digest: subject, size: 0 },
    { ...(artifactType === undefined ? {} : { artifactType }), signal },
  )) {
    manifests.push(referrer);
  }
  return jsonAnswer(
    { schemaVersion: 2, mediaType: MediaType.OciImageIndex, manifests },
    {
      'content-type': MediaType.OciImageIndex,
      ...(artifactType === undefined ? {} : { 'oci-filters-applied': 'artifactType' }),
    },
    context.request.method,
  );
}

interface PageOptions {
  readonly size: number;
  readonly last: string | undefined;
}

function pageOptions(url: URL): PageOptions {
  const n = url.searchParams.get('n');
  if (n !== null && !/^\d{1,15}$/.test(n)) {
    throw new OciError('PAGINATION_NUMBER_INVALID', `Invalid page size "${n.slice(0, 40)}"`);
  }
  return {
    size: n === null ? Number.POSITIVE_INFINITY : Math.min(Number(n), MAX_PAGE),
    last: url.searchParams.get('last') ?? undefined,
  };
}

async function takePage(
  source: AsyncIterable<string>,
  size: number,
): Promise<{ items: string[]; more: boolean }> {
  const items: string[] = [];
  for await (const item of source) {
    if (items.length >= size) return { items, more: true };
    items.push(item);
  }
  return { items, more: false };
}

function linkHeader(
  path: string,
  size: number,
  items: readonly string[],
  more: boolean,
): Record<string, string> {
  const last = items.at(-1);
  if (!more || last === undefined) return {};
  const query = new URLSearchParams({ n: String(size), last });
  return { link: `<${path}?${query}>; rel="next"` };
}
