import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

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

  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __ocikitRequire } from 'node:module';\nconst require = __ocikitRequire(import.meta.url);",
  },
});
