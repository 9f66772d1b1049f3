import { mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHelperBed, type HelperBed } from '../testdata/helper-bed.node.ts';
import { dockerConfigCredentials } from './docker-sources.node.ts';
import { login, logout } from './login.node.ts';

let bed: HelperBed;
let dockerDir: string;
let file: string;
let env: Record<string, string>;
beforeEach(async () => {
  bed = await createHelperBed();
  dockerDir = join(bed.dir, 'docker');
  file = join(dockerDir, 'config.json');
  env = { ...bed.env, DOCKER_CONFIG: dockerDir };
});
afterEach(async () => {
  await bed.cleanup();
});

const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8'));

describe('login', () => {
  it('writes auths the way docker login does, mode 0600, no temp file left', async () => {
    const result = await login('docker.io', { username: 'joejoe', password: 'hello' }, { env });
    expect(result).toEqual({ file, key: 'https://index.docker.io/v1/' });
    // docker/cli TestNewJSON saved_exact: tab indent, no trailing newline.
    expect(await readFile(file, 'utf8')).toBe(
      '{\n\t"auths": {\n\t\t"https://index.docker.io/v1/": {\n\t\t\t"auth": "am9lam9lOmhlbGxv"\n\t\t}\n\t}\n}',
    );
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(dockerDir)).mode & 0o777).toBe(0o700);
    await login('https://Localhost:5000/v2/', { identityToken: 'rt', username: 'me' }, { env });
    await login('ghcr.io', { registryToken: 'bt' }, { env });
    expect((await readJson(file)).auths).toEqual({
      'https://index.docker.io/v1/': { auth: 'am9lam9lOmhlbGxv' },
      'localhost:5000': { auth: btoa('me:'), identitytoken: 'rt' },
      'ghcr.io': { registrytoken: 'bt' },
    });
    expect(await readdir(dockerDir)).toEqual(['config.json']);
    const source = dockerConfigCredentials({ env });
    expect(await source.get('registry-1.docker.io')).toEqual({
      username: 'joejoe',
      password: 'hello',
    });
    expect(await source.get('localhost:5000')).toEqual({ identityToken: 'rt', username: 'me' });
    expect(await source.get('ghcr.io')).toEqual({ registryToken: 'bt' });
  });

  it('keeps every other member of the file and of the entry', async () => {
    await mkdir(dockerDir, { recursive: true });
    await writeFile(
      file,
      JSON.stringify({
        psFormat: 'table {{.ID}}\\t{{.Label "com.docker.label.cpu"}}',
        auths: {
          'a.io': { auth: btoa('old:old'), email: 'me@example.com', x: 1 },
          'b.io': { auth: btoa('b:b') },
        },
        proxies: { default: { httpProxy: 'http://proxy' } },
        unknownFutureKey: [1, 2, 3],
      }),
      { mode: 0o644 },
    );
    await login('a.io', { username: 'new', password: 'new-pass' }, { env });
    const written = await readJson(file);
    expect(written).toEqual({
      psFormat: 'table {{.ID}}\\t{{.Label "com.docker.label.cpu"}}',
      auths: {
        'a.io': { email: 'me@example.com', x: 1, auth: btoa('new:new-pass') },
        'b.io': { auth: btoa('b:b') },
      },
      proxies: { default: { httpProxy: 'http://proxy' } },
      unknownFutureKey: [1, 2, 3],
    });
    expect(Object.keys(written)).toEqual(['psFormat', 'auths', 'proxies', 'unknownFutureKey']);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('stores through the helper the file names for the host, leaving an empty entry', async () => {
    await mkdir(dockerDir, { recursive: true });
    await writeFile(
      file,
      JSON.stringify({ credsStore: 'store', credHelpers: { 'special.io': 'special' } }),
    );
    await bed.install('store', {});
    await bed.install('special', {});
    expect(await login('docker.io', { username: 'hub', password: 'hub-pass' }, { env })).toEqual({
      file,
      key: 'https://index.docker.io/v1/',
      helper: 'store',
    });
    await login('special.io', { identityToken: 'refresh' }, { env });
    const states = await bed.states();
    expect(states.store?.credentials).toEqual({
      'https://index.docker.io/v1/': { Username: 'hub', Secret: 'hub-pass' },
    });
    expect(states.special?.credentials).toEqual({
      'special.io': { Username: '<token>', Secret: 'refresh' },
    });
    const written = await readJson(file);
    expect(written.auths).toEqual({ 'https://index.docker.io/v1/': {}, 'special.io': {} });
    expect(JSON.stringify(written)).not.toContain('hub-pass');
    const source = dockerConfigCredentials({ env });
    expect(await source.get('docker.io')).toEqual({ username: 'hub', password: 'hub-pass' });
    expect(await source.get('special.io')).toEqual({ identityToken: 'refresh' });
    await expect(login('other.io', { registryToken: 't' }, { env })).rejects.toMatchObject({
      code: 'OPTION_INVALID',
    });
  });

  it('leaves a malformed file alone and fails with CONFIG_INVALID', async () => {
    await mkdir(dockerDir, { recursive: true });
    await writeFile(file, '{"auths": {"a.io": {"auth": "c2VjcmV0"');
    await expect(login('b.io', { username: 'u', password: 'p' }, { env })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining(file),
    });
    expect(await readFile(file, 'utf8')).toBe('{"auths": {"a.io": {"auth": "c2VjcmV0"');
    expect(await readdir(dockerDir)).toEqual(['config.json']);
  });

  it('fails with CREDENTIAL_HELPER_FAILED when the configured helper is missing, writing nothing', async () => {
    await mkdir(dockerDir, { recursive: true });
    await writeFile(file, '{"credsStore":"desktop"}');
    const error = await login('a.io', { username: 'u', password: 'secret-pw' }, { env }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: 'CREDENTIAL_HELPER_FAILED' });
    expect((error as Error).message).toContain('docker-credential-desktop');
    expect((error as Error).message).not.toContain('secret-pw');
    expect(await readFile(file, 'utf8')).toBe('{"credsStore":"desktop"}');
  });

  it('replaces the target of a symbolic link and keeps the link', async () => {
    const real = join(bed.dir, 'dotfiles', 'docker-config.json');
    await mkdir(join(bed.dir, 'dotfiles'), { recursive: true });
    await writeFile(real, '{}');
    await mkdir(dockerDir, { recursive: true });
    await symlink(real, file);
    await login('a.io', { username: 'u', password: 'p' }, { env });
    expect((await readJson(real)).auths).toEqual({ 'a.io': { auth: btoa('u:p') } });
    expect((await stat(file)).isFile()).toBe(true);
    expect(await readFile(file, 'utf8')).toBe(await readFile(real, 'utf8'));
  });

  it('does not lose entries to concurrent logins', async () => {
    const hosts = Array.from({ length: 8 }, (_, index) => `r${index}.io`);
    await Promise.all(hosts.map((host) => login(host, { username: 'u', password: host }, { env })));
    expect(Object.keys((await readJson(file)).auths).sort()).toEqual(hosts);
  });

  it('rejects a bad host or credential before touching anything', async () => {
    const cases: [label: string, host: string, credential: unknown][] = [
      ['empty host', '', { username: 'u', password: 'p' }],
      ['host with spaces', 'a b', { username: 'u', password: 'p' }],
      ['credential without secret', 'a.io', { username: 'u' }],
    ];
    for (const [label, host, credential] of cases) {
      await expect(login(host, credential as never, { env }), label).rejects.toMatchObject({
        code: 'OPTION_INVALID',
      });
    }
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('writes a host named like a prototype key as a plain member', async () => {
    await login('__proto__', { username: 'u', password: 'p' }, { env });
    expect(await readFile(file, 'utf8')).toContain('"__proto__": {');
    expect(Object.hasOwn(JSON.parse(await readFile(file, 'utf8')).auths, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).auth).toBeUndefined();
  });
});

describe('logout', () => {
  it('removes every entry for the host and keeps the rest (docker/cli TestSave)', async () => {
    await login('a.io', { username: 'u', password: 'p' }, { env });
    expect(await logout('a.io', { env })).toBe(true);
    // docker/cli TestSave: an empty config is saved as `{"auths": {}}` with tabs.
    expect(await readFile(file, 'utf8')).toBe('{\n\t"auths": {}\n}');
    expect(await logout('a.io', { env })).toBe(false);
    await writeFile(
      file,
      JSON.stringify({
        auths: {
          'https://index.docker.io/v1/': {},
          'docker.io': {},
          'https://legacy.io/v1/': {},
          'legacy.io': {},
          'legacy.io/team': { auth: btoa('t:t') },
          'other.io': {},
        },
        psFormat: 'x',
      }),
    );
    expect(await logout('legacy.io', { env })).toBe(true);
    expect(await logout('registry-1.docker.io', { env })).toBe(true);
    expect(await readJson(file)).toEqual({
      auths: { 'legacy.io/team': { auth: btoa('t:t') }, 'other.io': {} },
      psFormat: 'x',
    });
    expect(await logout('nothing.io', { env: { DOCKER_CONFIG: join(bed.dir, 'absent') } })).toBe(
      false,
    );
  });

  it('erases from the helper the file names for the host', async () => {
    await mkdir(dockerDir, { recursive: true });
    await writeFile(file, JSON.stringify({ credsStore: 'store' }));
    await bed.install('store', {});
    await login('docker.io', { username: 'hub', password: 'hub-pass' }, { env });
    expect(await logout('index.docker.io', { env })).toBe(true);
    expect((await bed.states()).store?.credentials).toEqual({});
    expect((await readJson(file)).auths).toEqual({});
    expect(await logout('docker.io', { env })).toBe(false);
  });
});
