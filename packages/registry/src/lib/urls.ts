import { OciError } from '@ocikit/digest';

/**
 * Where a request goes: a path on the registry (the transport adds scheme,
 * host and mirrors), or an absolute URL the registry handed out (an upload
 * `Location`, a `Link`), which gets credentials only on the registry's own
 * origin.
 */
export type Address = { readonly path: string } | { readonly url: string };

/** Builds `?a=1&b=2` from the defined entries, or `''` when there are none. */
function query(parameters: Readonly<Record<string, string | number | undefined>>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) {
    if (value !== undefined) search.append(name, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/**
 * `/v2/<name>/manifests/<reference>` (end-3, end-7, end-9).
 *
 * @param name - the repository
 * @param reference - a tag or a digest
 * @param tags - extra tags for a push by digest (`?tag=`, end-7b)
 * @returns the path
 */
export function manifestPath(
  name: string,
  reference: string,
  tags: readonly string[] = [],
): string {
  const search = new URLSearchParams(tags.map((tag) => ['tag', tag]));
  return `/v2/${name}/manifests/${reference}${tags.length > 0 ? `?${search}` : ''}`;
}

/**
 * `/v2/<name>/blobs/<digest>` (end-2, end-10).
 *
 * @param name - the repository
 * @param digest - the blob's digest
 * @returns the path
 */
export function blobPath(name: string, digest: string): string {
  return `/v2/${name}/blobs/${digest}`;
}

/**
 * `/v2/<name>/blobs/uploads/` with its query (end-4, end-11).
 *
 * @param name - the repository
 * @param parameters - `mount` and `from`, `digest-algorithm`
 * @returns the path
 */
export function uploadsPath(
  name: string,
  parameters: Readonly<Record<string, string | undefined>> = {},
): string {
  return `/v2/${name}/blobs/uploads/${query(parameters)}`;
}

/**
 * `/v2/<name>/tags/list` with `n` and `last` (end-8).
 *
 * @param name - the repository
 * @param page - page size and the last tag already seen
 * @returns the path
 */
export function tagsPath(name: string, page: { n?: number; last?: string }): string {
  return `/v2/${name}/tags/list${query({ n: page.n, last: page.last })}`;
}

/**
 * `/v2/_catalog` with `n` and `last`.
 *
 * @param page - page size and the last repository already seen
 * @returns the path
 */
export function catalogPath(page: { n?: number; last?: string }): string {
  return `/v2/_catalog${query({ n: page.n, last: page.last })}`;
}

/**
 * `/v2/<name>/referrers/<digest>` with the `artifactType` filter (end-12).
 *
 * @param name - the repository
 * @param digest - the subject's digest
 * @param artifactType - the filter, if any
 * @returns the path
 */
export function referrersPath(name: string, digest: string, artifactType?: string): string {
  return `/v2/${name}/referrers/${digest}${query({ artifactType })}`;
}

/**
 * Resolves a URL a registry handed out in a header (`Location`, `Link`)
 * against the URL of the response it came with. A relative value stays an
 * absolute path when the response URL is unknown (an injected `fetch` may
 * build responses without one).
 *
 * @param value - the header value
 * @param response - the response that carried it
 * @param what - what the value is, for the error message
 * @returns an absolute URL, or an absolute path on the registry
 * @throws {OciError} `RESPONSE_INVALID` when it is not a usable http(s) URL or path
 */
export function resolveHandedOut(value: string, response: Response, what: string): string {
  const trimmed = value.trim();
  const invalid = () =>
    new OciError('RESPONSE_INVALID', `The registry answered with an unusable ${what}`, {
      status: response.status,
    });
  let base: URL | undefined;
  try {
    base = response.url === '' ? undefined : new URL(response.url);
  } catch {
    base = undefined;
  }
  if (base === undefined) {
    if (trimmed.startsWith('/') && !trimmed.startsWith('//')) return trimmed;
    if (!/^https?:\/\//i.test(trimmed)) throw invalid();
  }
  let resolved: URL;
  try {
    resolved = new URL(trimmed, base);
  } catch {
    throw invalid();
  }
  if (resolved.protocol !== 'http:' && resolved.protocol !== 'https:') throw invalid();
  return resolved.href;
}

/**
 * The {@link Address} of a URL or path from {@link resolveHandedOut}.
 *
 * @param location - an absolute URL or an absolute path
 * @returns the address
 */
export function addressOf(location: string): Address {
  return location.startsWith('/') ? { path: location } : { url: location };
}

/**
 * Adds a query parameter to a URL the registry handed out, keeping its own
 * query exactly as it was (upload `_state` tokens are signed).
 *
 * @param location - an absolute URL or path
 * @param name - the parameter
 * @param value - its value
 * @returns the location with `name=value` appended
 */
export function appendQuery(location: string, name: string, value: string): string {
  const hash = location.indexOf('#');
  const bare = hash < 0 ? location : location.slice(0, hash);
  const separator = bare.includes('?')
    ? bare.endsWith('?') || bare.endsWith('&')
      ? ''
      : '&'
    : '?';
  return `${bare}${separator}${encodeURIComponent(name)}=${encodeURIComponent(value)}`;
}
