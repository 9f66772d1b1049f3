// The bin's V8 code cache (src/launch.ts), run as users run it: the built
// `ocikit` as a child process with its own cache directory.
import { existsSync } from 'node:fs';
import {
  chmod,
  copyFile,
  cp,
  lstat,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OCIKIT_BIN, ocikit, tempDir } from './lib/ocikit-process.testing.ts';

/** The cache files under a cache home, by name. */
async function cacheFiles(home: string): Promise<string[]> {
  return readdir(join(home, 'ocikit', 'code-cache')).catch(() => []);
}

describe('the V8 code cache of the ocikit bin', () => {
  it('writes one cache per command at the first run (0600 in a 0700 directory), and V8 takes it unchanged at the next', async () => {
    const home = await tempDir();
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

  it('keeps the cache of a command that tunes V8 for moving bytes: written once, taken at the next start', async () => {
    const home = await tempDir();
    const env = { XDG_CACHE_HOME: home };
    // A copy between two layouts moves bytes: the bin sets V8 flags for it,
    // and V8 refuses a cache made under other flags than its own.
    const missing = `oci:${join(home, 'missing')}:v1`;
    const copy = ['copy', missing, `oci:${join(home, 'out')}:v1`];
    expect((await ocikit(copy, { env })).code).not.toBe(0);
    const [file] = await cacheFiles(home);
    expect(file).toMatch(/-copy\.bin$/);
    const path = join(home, 'ocikit', 'code-cache', file as string);
    const written = await stat(path);
    expect((await ocikit(copy, { env })).code).not.toBe(0);
    expect((await stat(path)).mtimeMs).toBe(written.mtimeMs);
  });

  it('replaces a cache V8 refuses (garbage bytes), and the command still runs', async () => {
    const home = await tempDir();
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
    const home = await tempDir();
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

  it('keeps one cache for every mistyped command, and removes the caches of other bundles when it writes', async () => {
    const home = await tempDir();
    const env = { XDG_CACHE_HOME: home };
    const dir = join(home, 'ocikit', 'code-cache');
    await ocikit(['--version'], { env });
    const stale = `${'0'.repeat(32)}-tag.bin`;
    await writeFile(join(dir, stale), 'an older bundle', { mode: 0o600 });
    expect((await ocikit(['alpine'], { env })).code).toBe(2);
    expect((await ocikit(['hello-world'], { env })).code).toBe(2);
    expect((await ocikit(['tag', '--help'], { env })).code).toBe(0);
    const files = await cacheFiles(home);
    expect(files.map((name) => name.slice(name.lastIndexOf('-') + 1)).sort()).toEqual([
      'other.bin',
      'tag.bin',
    ]);
    expect(files).not.toContain(stale);
  });

  it('reads no cache others could have written: a group-writable file or a link is replaced by a file of its own', async () => {
    const home = await tempDir();
    const env = { XDG_CACHE_HOME: home };
    const dir = join(home, 'ocikit', 'code-cache');
    await ocikit(['--version'], { env });
    const [file] = await cacheFiles(home);
    const path = join(dir, file as string);
    await chmod(path, 0o666);
    expect((await ocikit(['--version'], { env })).code).toBe(0);
    expect((await stat(path)).mode & 0o777).toBe(0o600);

    const elsewhere = join(home, 'elsewhere.bin');
    await copyFile(path, elsewhere);
    await rm(path);
    await symlink(elsewhere, path);
    expect((await ocikit(['--version'], { env })).code).toBe(0);
    expect((await lstat(path)).isSymbolicLink()).toBe(false);
  });

  it('ignores a relative XDG_CACHE_HOME (the XDG spec) and keeps the cache under HOME', async () => {
    const home = await tempDir();
    const run = await ocikit(['--version'], {
      env: { XDG_CACHE_HOME: 'relative-cache', HOME: home },
    });
    expect(run.code).toBe(0);
    expect(await readdir(join(home, '.cache', 'ocikit', 'code-cache'))).toHaveLength(1);
    expect(existsSync(join(process.cwd(), 'relative-cache'))).toBe(false);
  });

  it('runs the new code after the bundle is edited in place (same length, new time), not the cached one', async () => {
    const home = await tempDir();
    const env = { XDG_CACHE_HOME: home };
    const copy = await tempDir();
    await cp(dirname(OCIKIT_BIN), copy, { recursive: true });
    const program = [process.execPath, join(copy, 'ocikit.cjs')];
    const before = await ocikit(['--version'], { env, program });
    expect([before.code, (await cacheFiles(home)).length]).toEqual([0, 1]);
    const bundle = join(copy, 'cli.cjs');
    const source = await readFile(bundle, 'utf8');
    const version = before.stdout.trim();
    const edited = version.replace(/\d/g, '9');
    expect(edited.length).toBe(version.length);
    await writeFile(bundle, source.replaceAll(JSON.stringify(version), JSON.stringify(edited)));
    const after = await ocikit(['--version'], { env, program });
    expect([after.code, after.stdout.trim()]).toEqual([0, edited]);
  });

  it('runs without a cache when the hash file beside the bundle is missing or malformed', async () => {
    const home = await tempDir();
    const copy = await tempDir();
    await cp(dirname(OCIKIT_BIN), copy, { recursive: true });
    const program = [process.execPath, join(copy, 'ocikit.cjs')];
    await rm(join(copy, 'cli.cjs.sha256'));
    const missing = await ocikit(['--version'], { env: { XDG_CACHE_HOME: home }, program });
    expect([missing.code, missing.stderr]).toEqual([0, '']);
    await writeFile(join(copy, 'cli.cjs.sha256'), '../../outside\n');
    const malformed = await ocikit(['--version'], { env: { XDG_CACHE_HOME: home }, program });
    expect([malformed.code, malformed.stderr]).toEqual([0, '']);
    expect(await cacheFiles(home)).toEqual([]);
  });
});
