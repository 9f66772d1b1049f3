import type { TagListOptions } from '@ocikit/content';
import { checkInteger, type RepositoryContext, scope } from './options.ts';
import { listPages } from './pagination.ts';
import { tagsPath } from './urls.ts';

/** Options of {@link Repository.tags}. */
export interface ListTagsOptions extends TagListOptions {
  /**
   * How many tags to ask for per page (`n`); registries may send fewer or
   * ignore it.
   * @default the registry's own page size
   */
  pageSize?: number;
}

/**
 * Lists a repository's tags across pages (see {@link listPages}).
 *
 * @param context - the repository
 * @param options - {@link ListTagsOptions}
 * @returns the tags, in the registry's order
 * @throws {OciError} `NAME_UNKNOWN` for a repository that does not exist;
 *   `OPTION_INVALID` for a bad `pageSize`; as {@link listPages}
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-tags
 */
export async function* listTags(
  context: RepositoryContext,
  options: ListTagsOptions = {},
): AsyncGenerator<string> {
  if (options.pageSize !== undefined) checkInteger('pageSize', options.pageSize, 1);
  yield* listPages({
    client: context.client,
    what: `Tags of ${context.display}`,
    path: (page) => tagsPath(context.name, page),
    key: 'tags',
    scopes: [scope.pull(context.name)],
    repository: context.name,
    pageSize: options.pageSize,
    last: options.last,
    maxPages: context.settings.maxPages,
    maxBytes: context.settings.maxListSize,
    signal: options.signal,
    notFound: 'NAME_UNKNOWN',
  });
}
