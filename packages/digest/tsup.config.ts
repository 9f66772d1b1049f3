import { defineConfig } from 'tsup';
import { packageBuild } from '../../tooling/scripts/src/tsup-package.ts';

// Two builds of one source: `#sha2` resolves to node:crypto by default and to
// @noble/hashes under the `browser` condition (see package.json "imports").
// The package exports the node:crypto build under the `node` condition (Node,
// Deno, Bun) and the web build to everything else (browsers, workerd, edge).
export default defineConfig([
  packageBuild(),
  {
    ...packageBuild(process.cwd(), { dts: false, clean: false, platform: 'browser' }),
    entry: { 'index.browser': 'src/index.ts' },
    esbuildOptions(options) {
      options.conditions = ['browser'];
    },
  },
]);
