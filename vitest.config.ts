import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineConfig } from 'vitest/config';
import { exportFile } from './tooling/scripts/src/export-file.ts';

const root = import.meta.dirname;

/**
 * Maps every `@ocikit/*` entry to its TypeScript source, read from each
 * package's `exports`, so tests run against the code without a build.
 * `./dist/foo.js` in an export stands for `./src/foo.ts`.
 */
function workspaceSourceAliases(): { find: RegExp; replacement: string }[] {
  const aliases: { find: RegExp; replacement: string }[] = [];
  for (const group of ['packages', 'tooling']) {
    for (const dir of readdirSync(join(root, group))) {
      const manifestPath = join(root, group, dir, 'package.json');
      let manifest: { name: string; exports?: Record<string, unknown> };
      try {
        manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
      } catch {
        continue;
      }
      for (const [key, target] of Object.entries(manifest.exports ?? {})) {
        const file = exportFile(target as string | Record<string, string>);
        if (!file?.startsWith('./dist/') && !file?.startsWith('./src/')) continue;
        const source = file.replace(/^\.\/dist\//, './src/').replace(/\.js$/, '.ts');
        const specifier = key === '.' ? manifest.name : `${manifest.name}/${key.slice(2)}`;
        aliases.push({
          find: new RegExp(`^${specifier.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`),
          replacement: resolve(root, group, dir, source),
        });
      }
    }
  }
  return aliases;
}

const alias = workspaceSourceAliases();
const sources = ['packages', 'apps', 'tooling'].map((group) => `${group}/*/src/**`);

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          root,
          include: sources.map((glob) => `${glob}/*.test.ts`),
          exclude: ['**/node_modules/**', '**/dist/**', '**/*.int.test.ts'],
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          root,
          include: sources.map((glob) => `${glob}/*.int.test.ts`),
          exclude: ['**/node_modules/**', '**/dist/**'],
          globalSetup: [
            join(root, 'tooling/testbed/src/global-setup.ts'),
            join(root, 'packages/server/src/lib/peers-global-setup.testing.node.ts'),
          ],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
