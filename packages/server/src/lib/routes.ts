/** A request path of the distribution API, taken apart. */
export type Route =
  | { readonly kind: 'base' }
  | { readonly kind: 'catalog' }
  | { readonly kind: 'tags'; readonly name: string }
  | { readonly kind: 'manifest'; readonly name: string; readonly reference: string }
  | { readonly kind: 'uploads'; readonly name: string }
  | { readonly kind: 'upload'; readonly name: string; readonly id: string }
  | { readonly kind: 'blob'; readonly name: string; readonly digest: string }
  | { readonly kind: 'referrers'; readonly name: string; readonly digest: string };

/** Patterns in the order they are tried: uploads before blobs, so a name may end in `blobs`. */
const PATTERNS: readonly [RegExp, (match: RegExpExecArray) => Route][] = [
  [/^\/v2\/?$/, () => ({ kind: 'base' })],
  [/^\/v2\/_catalog$/, () => ({ kind: 'catalog' })],
  [/^\/v2\/(.+)\/tags\/list$/, (m) => ({ kind: 'tags', name: m[1] ?? '' })],
  [
    /^\/v2\/(.+)\/manifests\/([^/]+)$/,
    (m) => ({ kind: 'manifest', name: m[1] ?? '', reference: m[2] ?? '' }),
  ],
  [/^\/v2\/(.+)\/blobs\/uploads\/?$/, (m) => ({ kind: 'uploads', name: m[1] ?? '' })],
  [
    /^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/,
    (m) => ({ kind: 'upload', name: m[1] ?? '', id: m[2] ?? '' }),
  ],
  [/^\/v2\/(.+)\/blobs\/([^/]+)$/, (m) => ({ kind: 'blob', name: m[1] ?? '', digest: m[2] ?? '' })],
  [
    /^\/v2\/(.+)\/referrers\/([^/]+)$/,
    (m) => ({ kind: 'referrers', name: m[1] ?? '', digest: m[2] ?? '' }),
  ],
];

/**
 * Takes a request path of the distribution API apart. The name and
 * reference are not validated here.
 *
 * @param pathname - the URL path, such as `/v2/library/alpine/manifests/latest`
 * @returns the route, or undefined for a path the API does not have
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#endpoints
 */
export function matchRoute(pathname: string): Route | undefined {
  for (const [pattern, make] of PATTERNS) {
    const match = pattern.exec(pathname);
    if (match) return make(match);
  }
  return undefined;
}
