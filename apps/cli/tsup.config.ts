import { readFileSync } from 'node:fs';
import { defineConfig, type Options } from 'tsup';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

const common: Options = {
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  bundle: true,
  sourcemap: false,
  dts: false,
  define: { OCIKIT_VERSION: JSON.stringify(version) },
  // Keep `node:` in imports: without it `node:sqlite` (undici) names no module.
  removeNodeProtocol: false,
};

/**
 * Two files: `cli.cjs`, one CommonJS bundle with everything in it (no
 * runtime dependencies; the command modules, the client and undici inside
 * are initialised only when a command needs them), and `ocikit.cjs`, the
 * bin, which runs that bundle through V8's code cache (see src/launch.ts).
 * CommonJS, because Node 20 can cache compiled code for scripts only, not
 * for ES modules.
 */
export default defineConfig([
  {
    ...common,
    entry: { cli: 'src/ocikit.ts' },
    noExternal: [/.*/],
    // Whitespace and syntax minified to parse less at start-up; identifiers
    // kept, so that the stack `--debug` prints names real functions.
    // Every `import()` becomes a `require()`: the launcher runs the bundle
    // as a vm script, which has no loader for ES modules.
    esbuildOptions(options) {
      options.minifyWhitespace = true;
      options.minifySyntax = true;
      options.supported = { 'dynamic-import': false };
    },
  },
  {
    ...common,
    entry: { ocikit: 'src/launch.ts' },
    external: ['./cli.cjs'],
    banner: { js: '#!/usr/bin/env node' },
  },
]);
