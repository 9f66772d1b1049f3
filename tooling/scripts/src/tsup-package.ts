import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Options } from 'tsup';
import { exportFile } from './export-file.ts';

/**
 * The tsup build of a published package, derived from its package.json:
 * one ESM entry with `.d.ts` for each `exports` key (`./dist/x.js` is built
 * from `src/x.ts`), dependencies left external. No source maps ship: the
 * output is unminified ES2022 that reads like its source, and maps of a
 * bundle that tsup tree-shakes a second time (rollup) carried two
 * `sourceMappingURL` comments and made up more than half of the install.
 */
export function packageBuild(dir: string = process.cwd(), extra: Options = {}): Options {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    exports: Record<string, string | Record<string, string>>;
  };
  const entry: Record<string, string> = {};
  for (const target of Object.values(manifest.exports)) {
    const file = exportFile(target);
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
    sourcemap: false,
    splitting: true,
    treeshake: true,
    external: [/^node:/],
    removeNodeProtocol: false,
    ...extra,
  };
}
