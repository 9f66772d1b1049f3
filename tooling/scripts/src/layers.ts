/**
 * The layer graph of DESIGN.md: for each published package, the `@ocikit/*`
 * packages it may depend on. Arrows only point down; `transfer` knows only
 * the interfaces of `content`.
 */
export const ALLOWED_DEPENDENCIES: Readonly<Record<string, readonly string[]>> = {
  '@ocikit/digest': [],
  '@ocikit/reference': ['@ocikit/digest'],
  '@ocikit/spec': ['@ocikit/digest'],
  '@ocikit/auth': ['@ocikit/digest', '@ocikit/reference', '@ocikit/spec'],
  '@ocikit/transport': ['@ocikit/auth', '@ocikit/digest', '@ocikit/reference', '@ocikit/spec'],
  '@ocikit/content': ['@ocikit/digest', '@ocikit/reference', '@ocikit/spec'],
  '@ocikit/layout': ['@ocikit/content', '@ocikit/digest', '@ocikit/reference', '@ocikit/spec'],
  '@ocikit/registry': [
    '@ocikit/auth',
    '@ocikit/content',
    '@ocikit/digest',
    '@ocikit/reference',
    '@ocikit/spec',
    '@ocikit/transport',
  ],
  '@ocikit/server': [
    '@ocikit/auth',
    '@ocikit/content',
    '@ocikit/digest',
    '@ocikit/layout',
    '@ocikit/reference',
    '@ocikit/spec',
  ],
  '@ocikit/transfer': ['@ocikit/content', '@ocikit/digest', '@ocikit/reference', '@ocikit/spec'],
  '@ocikit/client': [
    '@ocikit/auth',
    '@ocikit/content',
    '@ocikit/digest',
    '@ocikit/layout',
    '@ocikit/reference',
    '@ocikit/registry',
    '@ocikit/spec',
    '@ocikit/transfer',
    '@ocikit/transport',
  ],
};

/**
 * What each app's sources may import of `@ocikit/*` (apps bundle their
 * dependencies, so the check reads their imports, not their manifests):
 * the CLI is a shell over `client` and `transfer` and the small layers
 * below them, and over `server` for `ocikit serve`; never over `registry`
 * or `layout` directly.
 */
export const ALLOWED_APP_IMPORTS: Readonly<Record<string, readonly string[]>> = {
  ocikit: [
    '@ocikit/auth',
    '@ocikit/client',
    '@ocikit/content',
    '@ocikit/digest',
    '@ocikit/reference',
    '@ocikit/server',
    '@ocikit/spec',
    '@ocikit/transfer',
    '@ocikit/transport',
  ],
};
