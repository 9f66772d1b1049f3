import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHelperBed, type HelperBed } from '../testdata/helper-bed.node.ts';
import { containersAuthFiles, dockerConfigFile } from './auth-paths.node.ts';
import {
  containersAuthCredentials,
  defaultCredentials,
  dockerConfigCredentials,
} from './docker-sources.node.ts';

let bed: HelperBed;
beforeEach(async () => {
  bed = await createHelperBed();
});
afterEach(async () => {
  await bed.cleanup();
});

async function writeJson(path: string, value: unknown): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

const auth = (username: string, password: string) => ({ auth: btoa(`${username}:${password}`) });

describe('config file locations', () => {
  it('follow Docker and containers conventions', () => {
    const home = '/h';
    const cases: [
      label: string,
      env: Record<string, string>,
      docker: string,
      containers: string[],
    ][] = [
      [
        'defaults (XDG_RUNTIME_DIR set)',
        { XDG_RUNTIME_DIR: '/run/user/1' },
        '/h/.docker/config.json',
        [
          '/run/user/1/containers/auth.json',
          '/h/.config/containers/auth.json',
          '/h/.docker/config.json',
        ],
      ],
      [
        'DOCKER_CONFIG and XDG_CONFIG_HOME',
        { XDG_RUNTIME_DIR: '/r', DOCKER_CONFIG: '/d', XDG_CONFIG_HOME: '/x' },
        '/d/config.json',
        ['/r/containers/auth.json', '/x/containers/auth.json', '/d/config.json'],
      ],
      [
        'REGISTRY_AUTH_FILE alone',
        { REGISTRY_AUTH_FILE: '/a.json', XDG_RUNTIME_DIR: '/r' },
        '/h/.docker/config.json',
        ['/a.json'],
      ],
    ];
    for (const [label, env, docker, containers] of cases) {
      expect(dockerConfigFile({ env, homeDir: home }), label).toBe(docker);
      expect(containersAuthFiles({ env, homeDir: home }), label).toEqual(containers);
    }
  });
});

describe('dockerConfigCredentials', () => {
  it('resolves credHelpers, then credsStore, then auths, as Docker does', async () => {
    const dockerDir = join(bed.dir, 'docker');
    await writeJson(join(dockerDir, 'config.json'), {
      auths: {
        'https://index.docker.io/v1/': {},
        'plain.example': auth('plain', 'plain-pass'),
        'helped.example': auth('ignored', 'ignored'),
      },
      credHelpers: { 'helped.example': 'special' },
      credsStore: 'store',
    });
    await bed.install('special', {
      credentials: { 'helped.example': { Username: 'h', Secret: 'h-pass' } },
    });
    await bed.install('store', {
      credentials: {
        'https://index.docker.io/v1/': { Username: 'hub', Secret: 'hub-pass' },
        'stored.example': { Username: '<token>', Secret: 'refresh' },
      },
    });
    const source = dockerConfigCredentials({ env: { ...bed.env, DOCKER_CONFIG: dockerDir } });
    expect(source.files).toEqual([join(dockerDir, 'config.json')]);
    const cases: [label: string, host: string, expected: unknown][] = [
      ['credHelpers entry', 'helped.example', { username: 'h', password: 'h-pass' }],
      [
        'credsStore, Hub by its API endpoint',
        'registry-1.docker.io',
        { username: 'hub', password: 'hub-pass' },
      ],
      ['credsStore identity token', 'stored.example', { identityToken: 'refresh' }],
      ['credsStore overrides plain auths, as Docker', 'plain.example', undefined],
      ['nothing anywhere', 'none.example', undefined],
    ];
    for (const [label, host, expected] of cases) {
      expect(await source.get(host), label).toEqual(expected);
    }
    const asked = (await bed.calls()).map((call) => `${call.name} ${call.action}`);
    expect(asked).toEqual(['special get', 'store get', 'store get', 'store get', 'store get']);
  });

  it('reads auths when no helper is configured, DOCKER_AUTH_CONFIG first', async () => {
    const dockerDir = join(bed.dir, 'docker');
    await writeJson(join(dockerDir, 'config.json'), {
      auths: {
        'https://index.docker.io/v1/': auth('hub', 'hub-pass'),
        'https://legacy.example/v1/': auth('legacy', 'legacy-pass'),
        'env.example': auth('file', 'file-pass'),
      },
    });
    const source = dockerConfigCredentials({
      env: {
        DOCKER_CONFIG: dockerDir,
        DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { 'env.example': auth('env', 'env-pass') } }),
      },
    });
    expect(await source.get('docker.io')).toEqual({ username: 'hub', password: 'hub-pass' });
    expect(await source.get('legacy.example')).toEqual({
      username: 'legacy',
      password: 'legacy-pass',
    });
    expect(await source.get('env.example')).toEqual({ username: 'env', password: 'env-pass' });
    expect(await source.get('missing.example')).toBeUndefined();
    const absent = dockerConfigCredentials({ env: { DOCKER_CONFIG: join(bed.dir, 'nowhere') } });
    expect(await absent.get('docker.io')).toBeUndefined();
  });

  it('fails loudly for a broken config or helper, naming the file and the fix', async () => {
    const dockerDir = join(bed.dir, 'docker');
    const file = join(dockerDir, 'config.json');
    const source = dockerConfigCredentials({ env: { ...bed.env, DOCKER_CONFIG: dockerDir } });
    await writeJson(file, '{"auths": {');
    await expect(source.get('a.io')).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining(file),
    });
    await writeJson(file, { credsStore: 'desktop' });
    const missing = await source.get('a.io').catch((caught: unknown) => caught);
    expect(missing).toMatchObject({ code: 'CREDENTIAL_HELPER_FAILED' });
    expect((missing as Error).message).toContain('docker-credential-desktop');
    expect((missing as Error).message).toContain('"a.io"');
    expect((missing as Error).message).toContain(`"credsStore" from ${file}`);
    await writeJson(file, { credHelpers: { 'a.io': 'broken' } });
    await bed.install('broken', { fail: 'keychain locked' });
    const failing = await source.get('a.io').catch((caught: unknown) => caught);
    expect(failing).toMatchObject({ code: 'CREDENTIAL_HELPER_FAILED' });
    expect((failing as Error).message).toContain('keychain locked');
    expect((failing as Error).message).toContain('the "credHelpers" entry for "a.io"');
    await mkdir(join(bed.dir, 'dir-not-file', 'config.json'), { recursive: true });
    const unreadable = dockerConfigCredentials({
      env: { DOCKER_CONFIG: join(bed.dir, 'dir-not-file') },
    });
    await expect(unreadable.get('a.io')).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});

describe('containersAuthCredentials', () => {
  it('searches auth.json files in order, namespaced keys most specific first', async () => {
    const runtime = join(bed.dir, 'runtime');
    await writeJson(join(runtime, 'containers', 'auth.json'), {
      auths: {
        'quay.io/team/app': auth('app', 'app-pass'),
        'quay.io/team': auth('team', 'team-pass'),
        'docker.io/library': auth('library', 'library-pass'),
      },
    });
    await writeJson(join(bed.home, '.config', 'containers', 'auth.json'), {
      auths: { 'quay.io': auth('quay', 'quay-pass'), 'docker.io': auth('hub', 'hub-pass') },
    });
    await writeJson(join(bed.home, '.docker', 'config.json'), {
      auths: { 'ghcr.io': auth('ghcr', 'ghcr-pass'), 'quay.io': auth('docker-quay', 'x') },
    });
    const source = containersAuthCredentials({
      env: { XDG_RUNTIME_DIR: runtime },
      homeDir: bed.home,
    });
    const cases: [
      label: string,
      host: string,
      repository: string | undefined,
      username: string | undefined,
    ][] = [
      ['repository key', 'quay.io', 'team/app', 'app'],
      ['namespace key', 'quay.io', 'team/other', 'team'],
      ['host key in the second file', 'quay.io', 'solo/app', 'quay'],
      ['host lookup without repository', 'quay.io', undefined, 'quay'],
      ['Hub namespace via registry-1', 'registry-1.docker.io', 'library/ubuntu', 'library'],
      ['Hub host key', 'registry-1.docker.io', 'me/app', 'hub'],
      ['Docker config as the last file', 'ghcr.io', 'x/y', 'ghcr'],
      ['nowhere', 'example.com', undefined, undefined],
    ];
    for (const [label, host, repository, username] of cases) {
      const credential = await source.get(host, { repository });
      expect(credential && 'username' in credential ? credential.username : undefined, label).toBe(
        username,
      );
    }
  });

  it('reads only REGISTRY_AUTH_FILE when it is set', async () => {
    const file = await writeJson(join(bed.dir, 'custom.json'), {
      auths: { 'a.io': auth('custom', 'p') },
    });
    await writeJson(join(bed.home, '.docker', 'config.json'), {
      auths: { 'b.io': auth('docker', 'p') },
    });
    const source = containersAuthCredentials({
      env: { REGISTRY_AUTH_FILE: file },
      homeDir: bed.home,
    });
    expect(source.files).toEqual([file]);
    expect(await source.get('a.io')).toEqual({ username: 'custom', password: 'p' });
    expect(await source.get('b.io')).toBeUndefined();
  });

  it('lists every credential, more important files winning', async () => {
    const runtime = join(bed.dir, 'runtime');
    await writeJson(join(runtime, 'containers', 'auth.json'), {
      auths: { 'a.io': auth('first', 'p'), 'ns.io/team': auth('team', 'p') },
    });
    await writeJson(join(bed.home, '.docker', 'config.json'), {
      auths: { 'a.io': auth('last', 'p'), 'b.io': auth('b', 'p'), 'c.io': {} },
    });
    const source = containersAuthCredentials({
      env: { XDG_RUNTIME_DIR: runtime },
      homeDir: bed.home,
    });
    expect(Object.fromEntries(await source.list())).toEqual({
      'a.io': { username: 'first', password: 'p' },
      'ns.io/team': { username: 'team', password: 'p' },
      'b.io': { username: 'b', password: 'p' },
    });
  });
});

describe('defaultCredentials', () => {
  it('asks the environment first, then the files', async () => {
    await writeJson(join(bed.home, '.docker', 'config.json'), {
      auths: { 'a.io': auth('file', 'p'), 'b.io': auth('file-b', 'p') },
    });
    const source = defaultCredentials({
      env: {
        XDG_RUNTIME_DIR: join(bed.dir, 'runtime'),
        OCIKIT_REGISTRY: 'a.io',
        OCIKIT_USERNAME: 'env',
        OCIKIT_PASSWORD: 'p',
      },
      homeDir: bed.home,
    });
    expect(await source.get('a.io')).toEqual({ username: 'env', password: 'p' });
    expect(await source.get('b.io')).toEqual({ username: 'file-b', password: 'p' });
    expect(() => defaultCredentials({ env: { OCIKIT_PASSWORD: 'p' }, homeDir: bed.home })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });
});
