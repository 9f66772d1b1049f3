import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { Plugin } from 'esbuild';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

/**
 * Gives the bundled undici (CommonJS) the named exports that Node gives it:
 * esbuild's namespace of a bundled CommonJS module holds only `default`, and
 * `@ocikit/transport/node` reads `Agent` and `fetch` from `await import('undici')`.
 */
const undiciNamedExports: Plugin = {
  name: 'undici-named-exports',
  setup(build) {
    const real = createRequire(import.meta.resolve('@ocikit/transport/package.json')).resolve(
      'undici',
    );
    build.onResolve({ filter: /^undici$/ }, () => ({ path: 'undici', namespace: 'undici-esm' }));
    build.onLoad({ filter: /.*/, namespace: 'undici-esm' }, () => ({
      contents: `import undici from ${JSON.stringify(real)};\nexport const { Agent, fetch } = undici;\nexport default undici;`,
      loader: 'js',
      resolveDir: dirname(real),
    }));
  },
};

/**
 * One bundle with everything in it (no runtime dependencies): the entry holds
 * the parser and the command tree; each command, the client and undici are
 * chunks loaded when a command runs, so `ocikit --version` parses little.
 * Every chunk gets the `require` that bundled CommonJS code (undici) needs.
 */
export default defineConfig({
  entry: { ocikit: 'src/ocikit.ts' },
  format: 'esm',
  platform: 'node',
  target: 'node20',
  bundle: true,
  noExternal: [/.*/],
  splitting: true,
  // Whitespace and syntax minified to parse less at start-up; identifiers
  // kept, so that the stack `--debug` prints names real functions.
  esbuildOptions(options) {
    options.minifyWhitespace = true;
    options.minifySyntax = true;
  },
  sourcemap: false,
  dts: false,
  clean: true,
  define: { OCIKIT_VERSION: JSON.stringify(version) },
  esbuildPlugins: [undiciNamedExports],
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __ocikitRequire } from 'node:module';\nconst require = __ocikitRequire(import.meta.url);",
  },
});
