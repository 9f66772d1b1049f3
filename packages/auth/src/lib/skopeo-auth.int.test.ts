// skopeo as an auth peer: the auth.json `skopeo login` writes is read and used
// by ocikit, and the config.json ocikit's login() writes is used by skopeo,
// against the htpasswd and the token registries of the test bed.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Credentials,
  getTestbed,
  makeImage,
  pushImage,
  skopeo,
  tokenStats,
  uniqueRepo,
} from '@ocikit/testbed';
import { afterEach, describe, expect, it } from 'vitest';
import { containersAuthCredentials } from './docker-sources.node.ts';
import { getManifestWithAuth, refreshTokenFor } from './handshake.testing.ts';
import { login } from './login.node.ts';

const testbed = getTestbed();
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempFile(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ocikit-auth-skopeo-'));
  dirs.push(dir);
  return join(dir, name);
}

/** The registries with auth, each with an account that may push, and one that only reads. */
const registries = () => [
  {
    label: 'htpasswd',
    host: testbed.basic.host,
    url: testbed.basic.url,
    push: testbed.basic.users.push,
    reader: testbed.basic.users.push,
  },
  {
    label: 'token',
    host: testbed.token.host,
    url: testbed.token.url,
    push: testbed.token.users.push,
    reader: testbed.token.users.pull,
  },
];

async function seeded(url: string, push: Credentials, prefix: string) {
  const repo = uniqueRepo(`auth/${prefix}`);
  const image = await makeImage({ seed: repo });
  await pushImage({ url, credentials: push }, repo, image, { tag: 'v1' });
  return { repo, digest: image.manifest.digest };
}

describe('skopeo and ocikit share credential files', () => {
  it('reads the auth.json that skopeo login writes and answers each registry challenge with it', async () => {
    for (const { label, host, url, push, reader } of registries()) {
      const { repo, digest } = await seeded(url, push, `skopeo-login-${label}`);
      const authFile = await tempFile('auth.json');
      await skopeo(
        [
          'login',
          '--authfile',
          authFile,
          '--tls-verify=false',
          '--username',
          reader.username,
          '--password',
          reader.password,
          host,
        ],
        { secrets: [reader.password] },
      );
      const written = JSON.parse(await readFile(authFile, 'utf8'));
      expect(Object.keys(written.auths), label).toEqual([host]);

      const source = containersAuthCredentials({ files: [authFile], env: {} });
      const credential = await source.get(host, { repository: repo });
      expect(credential, label).toEqual(reader);
      const result = await getManifestWithAuth(url, repo, 'v1', { credential });
      expect(result, label).toEqual({ first: 401, status: 200, digest });
    }
  });

  it('has skopeo inspect an image with the config.json that login() writes (--authfile)', async () => {
    for (const { label, host, url, push, reader } of registries()) {
      const { repo, digest } = await seeded(url, push, `ocikit-login-${label}`);
      const file = await tempFile('config.json');
      await login(host, reader, { file });
      const { stdout } = await skopeo(
        ['inspect', '--tls-verify=false', '--authfile', file, `docker://${host}/${repo}:v1`],
        { secrets: [reader.password] },
      );
      expect((JSON.parse(stdout) as { Digest: string }).Digest, label).toBe(digest);
    }
  });

  it('has skopeo use an identity token that login() stored, by the OAuth2 refresh_token grant', async () => {
    const { host, url, users, statsUrl } = testbed.token;
    const { repo, digest } = await seeded(url, users.push, 'ocikit-login-identity');
    const refreshToken = await refreshTokenFor(users.pull);
    const file = await tempFile('config.json');
    await login(host, { identityToken: refreshToken, username: users.pull.username }, { file });
    const { stdout } = await skopeo(
      ['inspect', '--tls-verify=false', '--authfile', file, `docker://${host}/${repo}:v1`],
      { secrets: [refreshToken] },
    );
    expect((JSON.parse(stdout) as { Digest: string }).Digest).toBe(digest);
    const stats = await tokenStats(statsUrl, { repository: repo, user: users.pull.username });
    expect(stats.requests.map(({ method, grant, status }) => ({ method, grant, status }))).toEqual(
      expect.arrayContaining([{ method: 'POST', grant: 'refresh_token', status: 200 }]),
    );
  });
});
