// A TypeDoc plugin (typedoc.json): names each entry module by its import
// specifier (`packages/content/src/fs.ts` → `@ocikit/content/fs`,
// `packages/client/src/index.node.ts` → `@ocikit/client`) rather
// than its path, so that the reference reads as a user imports it and
// `{@inheritDoc @ocikit/content!Fetcher.fetch}` resolves across packages.
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Converter, ReflectionKind } from 'typedoc';

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (_context, reflection) => {
    const file = reflection.sources?.[0]?.fullFileName;
    if (!reflection.kindOf(ReflectionKind.Module) || !file) return;
    const packageDir = dirname(dirname(file));
    const { name } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
    const entry = basename(file, '.ts');
    // `index.node.ts` is the root entry of a Node-only package (@ocikit/client).
    reflection.name = entry === 'index' || entry === 'index.node' ? name : `${name}/${entry}`;
  });
}
