import { describe, expect, it } from 'vitest';
import { jsrManifest } from './jsr.ts';

describe('jsrManifest', () => {
  it("points every entry at its source and takes a '#' import's default target", () => {
    const manifest = jsrManifest({
      group: 'packages',
      dir: '/repo/packages/digest',
      manifest: {
        name: '@ocikit/digest',
        version: '1.2.3',
        license: 'Apache-2.0',
        exports: {
          '.': {
            types: './dist/index.d.ts',
            node: './dist/index.js',
            default: './dist/index.browser.js',
          },
          './fs': { types: './dist/fs.d.ts', default: './dist/fs.js' },
          './package.json': './package.json',
        },
        imports: {
          '#sha2': { browser: './src/lib/sha2.web.ts', default: './src/lib/sha2.node.ts' },
        },
      },
    });
    expect(manifest).toMatchObject({
      name: '@ocikit/digest',
      version: '1.2.3',
      license: 'Apache-2.0',
      exports: { '.': './src/index.ts', './fs': './src/fs.ts' },
      imports: { '#sha2': './src/lib/sha2.node.ts' },
    });
  });
});
