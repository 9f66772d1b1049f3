import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
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
 * are initialised only when a command needs them) with its SHA-256 in
 * `cli.cjs.sha256`, and `ocikit.cjs`, the bin, which runs that bundle
 * through V8's code cache (see src/launch.ts).
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
    // The licence notices of the bundled packages go to cli.cjs.LEGAL.txt,
    // which leaves the bundle pure ASCII (esbuild escapes the rest).
    esbuildOptions(options) {
      options.minifyWhitespace = true;
      options.minifySyntax = true;
      options.supported = { 'dynamic-import': false };
      options.legalComments = 'external';
    },
    // The launcher reads the bundle as Latin-1, a plain copy of its bytes,
    // faster than decoding UTF-8: every byte must be ASCII. Beside it goes
    // its hash, which names the code caches.
    async onSuccess() {
      const bundle = readFileSync('dist/cli.cjs');
      const outside = bundle.findIndex((byte) => byte > 0x7f);
      if (outside !== -1) throw new Error(`dist/cli.cjs has a non-ASCII byte at ${outside}`);
      const hash = createHash('sha256').update(bundle).digest('hex');
      writeFileSync('dist/cli.cjs.sha256', `${hash}\n`);
    },
  },
  {
    ...common,
    entry: { ocikit: 'src/launch.ts' },
    external: ['./cli.cjs'],
    banner: { js: '#!/usr/bin/env node' },
  },
]);
