import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Options } from 'tsup';

/**
 * The tsup build of a published package, derived from its package.json:
 * one ESM entry with `.d.ts` for each `exports` key (`./dist/x.js` is built
 * from `src/x.ts`), dependencies left external.
 */
export function packageBuild(dir: string = process.cwd(), extra: Options = {}): Options {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    exports: Record<string, string | { default?: string }>;
  };
  const entry: Record<string, string> = {};
  for (const target of Object.values(manifest.exports)) {
    const file = typeof target === 'string' ? target : target.default;
    if (!file?.startsWith('./dist/') || !file.endsWith('.js')) continue;
    const name = file.slice('./dist/'.length, -'.js'.length);
    entry[name] = `src/${name}.ts`;
  }
  return {
    entry,
    format: 'esm',
    target: 'es2022',
    platform: 'neutral',
    dts: true,
    clean: true,
    sourcemap: true,
    splitting: true,
    treeshake: true,
    external: [/^node:/],
    removeNodeProtocol: false,
    ...extra,
  };
}
