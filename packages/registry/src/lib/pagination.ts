import { OciError, type OciErrorCode } from '@ocikit/digest';
import type { Client } from './client.ts';
import { nextPage } from './link.ts';
import { readJson, responseError } from './response.ts';
import { addressOf } from './urls.ts';

/** How {@link listPages} reads one listing of names (tags, repositories). */
export interface ListPagesOptions {
  readonly client: Client;
  /** What is listed, for messages: `Tags of library/alpine`. */
  readonly what: string;
  /** The path of a page with `n` and `last`. */
  readonly path: (page: { n?: number; last?: string }) => string;
  /** The JSON member holding the names: `tags`, `repositories`. */
  readonly key: string;
  readonly scopes: readonly string[];
  readonly repository?: string;
  /** `n`: the page size to ask for; the registry's own when undefined. */
  readonly pageSize: number | undefined;
  /** List only the names after this one. */
  readonly last: string | undefined;
  readonly maxPages: number;
  readonly maxBytes: number;
  readonly signal: AbortSignal | undefined;
  /** The code of a bare 404. */
  readonly notFound?: OciErrorCode;
}

const ascii = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const folded = (a: string, b: string): number =>
  ascii(a.toLowerCase(), b.toLowerCase()) || ascii(a, b);
const sortedBy = (items: readonly string[], order: (a: string, b: string) => number) =>
  items.every((item, index) => index === 0 || order(items[index - 1] as string, item) <= 0);

/**
 * One page of names in the order the spec requires ("lexical or
 * ASCIIbetical"): as it came when it is sorted either way, else sorted
 * ASCII-wise (distribution 2.8 lists tags in storage order), and then only
 * the names after `last`, for registries that ignore the `last` parameter
 * (distribution 2.8 answers every tag whatever `n` and `last` say).
 *
 * @param items - the names of one page, in the registry's order
 * @param last - the `last` the page was asked with, if any
 * @returns the page, ordered, without the names up to `last`
 */
export function orderedPage(items: readonly string[], last: string | undefined): string[] {
  const orders = [ascii, folded].filter((order) => sortedBy(items, order));
  const page = orders.length === 0 ? [...items].sort(ascii) : [...items];
  const first = page[0];
  if (last === undefined || first === undefined) return page;
  const index = page.indexOf(last);
  if (index >= 0) return page.slice(index + 1);
  const usable = orders.length === 0 ? [ascii] : orders;
  if (usable.some((order) => order(first, last) > 0)) return page;
  return page.filter((item) => (usable[0] ?? ascii)(item, last) > 0);
}

/** The names of one page, checked. */
function pageItems(body: unknown, key: string, what: string): string[] {
  const items = (body as Record<string, unknown> | null)?.[key];
  if (items === null || items === undefined) return [];
  if (!Array.isArray(items) || !items.every((item) => typeof item === 'string')) {
    throw new OciError(
      'RESPONSE_INVALID',
      `${what}: the registry answered a page whose "${key}" is not a list of strings`,
    );
  }
  return items;
}

/**
 * Reads a paginated listing of names (end-8, catalog), as registries
 * actually paginate, each page ordered (see {@link orderedPage}): `Link: <…>; rel="next"` when there is one (same-origin
 * only); else, when the page was full (`n` names), the next page by
 * `last=<last name>`. Memory stays bounded however long the listing: names
 * repeated from the previous page are dropped (registries return sorted
 * pages, so repeats are at page edges), and only the first new name of each
 * page is remembered, to tell a registry that serves a page again. A `Link`
 * back to a page already read, a page that starts where an earlier one did,
 * or a page with nothing new ends the listing; more than `maxPages` pages is
 * an error.
 *
 * @param options - {@link ListPagesOptions}
 * @returns the names, in the registry's order
 * @throws {OciError} `SIZE_EXCEEDED` past `maxPages` or `maxBytes`;
 *   `REDIRECT_INVALID` for a `Link` to another origin; the registry's error
 *   (`NAME_UNKNOWN`, `DENIED`, …)
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-tags
 */
export async function* listPages(options: ListPagesOptions): AsyncGenerator<string> {
  const { client, what, pageSize: n, signal } = options;
  let previous = new Set<string>();
  const starts = new Set<string>();
  const visited = new Set<string>();
  let request: { location: string; last: string | undefined } | undefined = {
    location: options.path({
      ...(n === undefined ? {} : { n }),
      ...(options.last === undefined ? {} : { last: options.last }),
    }),
    last: options.last,
  };
  for (let pages = 0; request !== undefined; pages += 1) {
    if (pages >= options.maxPages) {
      throw new OciError('SIZE_EXCEEDED', `${what} run over more than ${options.maxPages} pages`);
    }
    visited.add(request.location);
    const response = await client.send({
      address: addressOf(request.location),
      headers: { accept: 'application/json' },
      scopes: options.scopes,
      ...(options.repository === undefined ? {} : { repository: options.repository }),
      signal,
    });
    if (response.status !== 200) {
      throw await responseError(response, `Cannot list ${what.toLowerCase()}`, options.notFound);
    }
    if (response.url !== '') visited.add(response.url);
    const next = nextPage(response, client.registry);
    const items = pageItems(
      await readJson(response, options.maxBytes, what, signal),
      options.key,
      what,
    );
    const page = orderedPage(items, request.last);
    const current = new Set(page);
    const fresh = [...current].filter((item) => !previous.has(item));
    previous = current;
    const start = fresh[0];
    if (start === undefined || starts.has(start)) return;
    starts.add(start);
    yield* fresh;
    if (next !== undefined) {
      request = visited.has(next) ? undefined : { location: next, last: undefined };
      continue;
    }
    const lastItem = page[page.length - 1];
    request =
      n !== undefined && n > 0 && items.length >= n && lastItem !== undefined
        ? { location: options.path({ n, last: lastItem }), last: lastItem }
        : undefined;
  }
}
