// The bin's V8 code cache (src/launch.ts), run as users run it: the built
// `ocikit` as a child process with its own cache directory.
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ocikit } from './lib/ocikit-process.testing.ts';

async function cacheHome(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ocikit-code-cache-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The cache files under a cache home, by name. */
async function cacheFiles(home: string): Promise<string[]> {
  return readdir(join(home, 'ocikit', 'code-cache')).catch(() => []);
}

describe('the V8 code cache of the ocikit bin', () => {
  it('writes one cache per command at the first run (0600 in a 0700 directory), and V8 takes it unchanged at the next', async () => {
    const home = await cacheHome();
    const env = { XDG_CACHE_HOME: home };
    expect((await ocikit(['--version'], { env })).code).toBe(0);
    const [file, ...more] = await cacheFiles(home);
    expect(more).toEqual([]);
    expect(file).toMatch(/-other\.bin$/);
    const path = join(home, 'ocikit', 'code-cache', file as string);
    const written = await stat(path);
    expect(written.size).toBeGreaterThan(10_000);
    expect(written.mode & 0o777).toBe(0o600);
    expect((await stat(join(home, 'ocikit', 'code-cache'))).mode & 0o777).toBe(0o700);

    // Accepted by V8, the cache is not written again.
    expect((await ocikit(['--version'], { env })).code).toBe(0);
    expect((await stat(path)).mtimeMs).toBe(written.mtimeMs);

    expect((await ocikit(['tag', '--help'], { env })).code).toBe(0);
    expect((await cacheFiles(home)).sort()).toEqual([
      file,
      file?.replace(/other\.bin$/, 'tag.bin'),
    ]);
  });

  it('replaces a cache V8 refuses (garbage bytes), and the command still runs', async () => {
    const home = await cacheHome();
    const env = { XDG_CACHE_HOME: home };
    await ocikit(['--version'], { env });
    const [file] = await cacheFiles(home);
    const path = join(home, 'ocikit', 'code-cache', file as string);
    await writeFile(path, 'not a code cache');
    const run = await ocikit(['--version'], { env });
    expect([run.code, run.stdout.trim(), run.stderr]).toEqual([
      0,
      expect.stringMatching(/^\d/),
      '',
    ]);
    expect((await stat(path)).size).toBeGreaterThan(10_000);
  });

  it('keeps no cache with OCIKIT_NO_CODE_CACHE, and runs where the cache cannot be written', async () => {
    const home = await cacheHome();
    expect(
      (await ocikit(['--version'], { env: { XDG_CACHE_HOME: home, OCIKIT_NO_CODE_CACHE: '1' } }))
        .code,
    ).toBe(0);
    expect(await cacheFiles(home)).toEqual([]);

    const notADirectory = join(home, 'file');
    await writeFile(notADirectory, '');
    const run = await ocikit(['--version'], { env: { XDG_CACHE_HOME: notADirectory } });
    expect([run.code, run.stderr]).toEqual([0, '']);
  });
});
