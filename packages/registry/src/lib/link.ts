import { OciError } from '@ocikit/digest';
import { redactUrl } from '@ocikit/transport';
import { resolveHandedOut } from './urls.ts';

/** The most characters of a `Link` header read. */
const MAX_LINK_LENGTH = 8192;

const LINK_VALUE = /<([^>]*)>((?:\s*;\s*[^;,]+)*)/g;
const LINK_PARAMETER = /;\s*([^\s=;,]+)\s*(?:=\s*(?:"([^"]*)"|([^\s;,]+)))?/g;

/**
 * The target of the `rel="next"` link of a `Link` header (RFC 8288), as
 * written: `<url>; rel="next"`, among other links and parameters, with `rel`
 * quoted or not and possibly naming several relations.
 *
 * @param header - the `Link` header value, or null
 * @returns the URL reference of the next page, or undefined when there is none
 * @see https://www.rfc-editor.org/rfc/rfc8288#section-3
 */
export function parseNextLink(header: string | null): string | undefined {
  if (header === null) return undefined;
  for (const match of header.slice(0, MAX_LINK_LENGTH).matchAll(LINK_VALUE)) {
    const [, target, parameters = ''] = match;
    for (const parameter of parameters.matchAll(LINK_PARAMETER)) {
      const [, name, quoted, bare] = parameter;
      if (name?.toLowerCase() !== 'rel') continue;
      const relations = (quoted ?? bare ?? '').toLowerCase().split(/\s+/);
      if (relations.includes('next')) return target?.trim();
    }
  }
  return undefined;
}

/**
 * The next page of a paginated listing: the response's `rel="next"` link,
 * resolved against the response URL. A link to another origin is refused
 * rather than followed: the registry controls the header, and a listing must
 * not become a request (with or without credentials) to a host the caller
 * never named.
 *
 * @param response - a page of a listing
 * @param registry - the registry host, to judge links when the response URL is unknown
 * @returns an absolute URL or path, or undefined when there is no next page
 * @throws {OciError} `REDIRECT_INVALID` for a link to another origin;
 *   `RESPONSE_INVALID` for a link that is not an http(s) URL
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-tags
 */
export function nextPage(response: Response, registry: string): string | undefined {
  const link = parseNextLink(response.headers.get('link'));
  if (link === undefined || link === '') return undefined;
  const next = resolveHandedOut(link, response, 'Link header');
  if (next.startsWith('/')) return next;
  const origin = new URL(next).origin;
  const own = response.url === '' ? undefined : new URL(response.url).origin;
  const same = own === undefined ? new URL(next).host === registry : origin === own;
  if (!same) {
    throw new OciError(
      'REDIRECT_INVALID',
      `Refusing the next-page link to ${redactUrl(next)}: it is not on the registry's origin`,
      { status: response.status },
    );
  }
  return next;
}
