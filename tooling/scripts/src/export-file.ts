// No imports and no top-level code: the tsup and vitest configs load this file.

/**
 * The built file of one `exports` target: its `node` condition where it has
 * one (the web build is then the `default`, as in `@ocikit/digest`), else
 * its `default`.
 */
export function exportFile(target: string | Record<string, string>): string | undefined {
  return typeof target === 'string' ? target : (target.node ?? target.default);
}
