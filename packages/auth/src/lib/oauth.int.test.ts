// The OAuth2 POST token flows end to end: the test bed's token issuer hands
// out tokens by grant_type=password and grant_type=refresh_token, and the real
// distribution registry accepts them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  getTestbed,
  makeImage,
  ociFailure,
  pushImage,
  type TokenRequestRecord,
  tokenStats,
  uniqueRepo,
} from '@ocikit/testbed';
import { afterEach, describe, expect, it } from 'vitest';
import { dockerConfigCredentials } from './docker-sources.node.ts';
import { getManifestWithAuth, refreshTokenFor } from './handshake.testing.ts';
import { login } from './login.node.ts';
import { fetchToken } from './token.ts';
import { TokenCache } from './token-cache.ts';

const testbed = getTestbed();
const { realm, service, statsUrl, users } = testbed.token;
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A repository with image `v1`, pushed by the test bed's own client. */
async function seeded(prefix: string): Promise<{ repo: string; digest: string }> {
  const repo = uniqueRepo(`auth/${prefix}`);
  const image = await makeImage({ seed: repo });
  await pushImage({ url: testbed.token.url, credentials: users.push }, repo, image, { tag: 'v1' });
  return { repo, digest: image.manifest.digest };
}

/** GET of the manifest with a bearer token, straight to the registry. */
async function getWithToken(repo: string, token: string): Promise<Response> {
  const response = await fetch(`${testbed.token.url}/v2/${repo}/manifests/v1`, {
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'application/vnd.oci.image.manifest.v1+json',
    },
  });
  await response.body?.cancel();
  return response;
}

/** The method, grant and status of the token requests made for a repository. */
async function grants(repo: string, user: string) {
  const stats = await tokenStats(statsUrl, { repository: repo, user });
  return stats.requests.map(({ method, grant, status }: TokenRequestRecord) => ({
    method,
    grant,
    status,
  }));
}

describe('OAuth2 POST against the token registry', () => {
  it('gets a token by the password grant (forceOAuth) that the registry accepts, and a refresh token', async () => {
    const { repo, digest } = await seeded('oauth-password');
    const token = await fetchToken(
      { realm, service, scopes: [`repository:${repo}:pull`], credential: users.pull },
      { forceOAuth: true, offlineToken: true },
    );
    expect(token.refreshToken).toEqual(expect.any(String));
    const response = await getWithToken(repo, token.token);
    expect(response.status).toBe(200);
    expect(response.headers.get('docker-content-digest')).toBe(digest);
    expect(await grants(repo, users.pull.username)).toEqual([
      { method: 'POST', grant: 'password', status: 200 },
    ]);
  });

  it('exchanges an identity token by the refresh_token grant, on every token it needs', async () => {
    const { repo, digest } = await seeded('oauth-refresh');
    const refreshToken = await refreshTokenFor(users.pull);
    const credential = { identityToken: refreshToken, username: users.pull.username };
    const first = await fetchToken({
      realm,
      service,
      scopes: [`repository:${repo}:pull`],
      credential,
    });
    expect((await getWithToken(repo, first.token)).headers.get('docker-content-digest')).toBe(
      digest,
    );
    // The refresh token stays valid: a second exchange gives another working token.
    const second = await fetchToken({
      realm,
      service,
      scopes: [`repository:${repo}:pull`],
      credential,
    });
    expect(second.token).not.toBe(first.token);
    expect((await getWithToken(repo, second.token)).status).toBe(200);
    expect(await grants(repo, users.pull.username)).toEqual([
      { method: 'POST', grant: 'refresh_token', status: 200 },
      { method: 'POST', grant: 'refresh_token', status: 200 },
    ]);
  });

  it('answers the registry challenge with an identity token that login() stored in a config.json', async () => {
    const { repo, digest } = await seeded('oauth-login');
    const refreshToken = await refreshTokenFor(users.pull);
    const dir = await mkdtemp(join(tmpdir(), 'ocikit-auth-oauth-'));
    dirs.push(dir);
    const file = join(dir, 'config.json');
    await login(
      testbed.token.host,
      { identityToken: refreshToken, username: users.pull.username },
      { file },
    );
    const credential = await dockerConfigCredentials({ files: [file], env: {} }).get(
      testbed.token.host,
    );
    expect(credential).toEqual({ identityToken: refreshToken, username: users.pull.username });
    const result = await getManifestWithAuth(testbed.token.url, repo, 'v1', {
      credential,
      tokens: new TokenCache(),
    });
    expect(result).toEqual({ first: 401, status: 200, digest });
    expect(await grants(repo, users.pull.username)).toEqual([
      { method: 'POST', grant: 'refresh_token', status: 200 },
    ]);
  });

  it('fails with UNAUTHORIZED for an identity token the server does not know, without the token in the message', async () => {
    const repo = uniqueRepo('auth/oauth-bad');
    const identityToken = 'not-a-refresh-token-2718281828';
    const error = await ociFailure(
      fetchToken({
        realm,
        service,
        scopes: [`repository:${repo}:pull`],
        credential: { identityToken },
      }),
    );
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.status).toBe(401);
    expect(error.message).toContain('invalid_grant');
    expect(error.message).not.toContain(identityToken);
    expect(await grants(repo, '')).toEqual([
      { method: 'POST', grant: 'refresh_token', status: 401 },
    ]);
  });
});
