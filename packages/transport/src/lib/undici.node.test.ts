import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it, onTestFinished } from 'vitest';

describe('undici loading (undici.node.ts)', () => {
  it('finds Agent, fetch and request when esbuild bundles undici as a split chunk (CommonJS, so it exports only default), as the ocikit CLI does', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'transport-bundle-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    await build({
      entryPoints: { entry: fileURLToPath(new URL('./undici.node.ts', import.meta.url)) },
      outdir: dir,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'silent',
      // The `require` that bundled CommonJS code needs in an ES module, as the CLI's bundle has.
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
    });
    const bundled = (await import(
      pathToFileURL(join(dir, 'entry.mjs')).href
    )) as typeof import('./undici.node.ts');
    const undici = await bundled.loadUndici();
    expect(typeof undici.Agent).toBe('function');
    expect(typeof undici.fetch).toBe('function');
    expect(typeof undici.request).toBe('function');
    const agent = new undici.Agent();
    await agent.close();
  });
});
