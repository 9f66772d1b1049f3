import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  authHeaders,
  type Credentials,
  faultClient,
  fetchBlob,
  fetchManifest,
  getTestbed,
  makeImage,
  pushImage,
  startRegistry,
  tokenStats,
  uniqueRepo,
} from './index.ts';

const testbed = getTestbed();
const { token } = testbed;

function basic({ username, password }: Credentials): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** GET the token endpoint; returns the status and parsed body. */
async function getToken(scopes: string[], credentials?: Credentials) {
  const url = new URL(token.realm);
  url.searchParams.set('service', token.service);
  for (const scope of scopes) url.searchParams.append('scope', scope);
  const response = await fetch(url, {
    headers: credentials ? { authorization: basic(credentials) } : {},
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function bearer(scopes: string[], credentials?: Credentials): Promise<string> {
  const { status, body } = await getToken(scopes, credentials);
  expect(status).toBe(200);
  return `Bearer ${body.token as string}`;
}

function claims(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'));
}

async function startUpload(url: string, repo: string, authorization?: string) {
  const response = await fetch(`${url}/v2/${repo}/blobs/uploads/`, {
    method: 'POST',
    headers: authorization ? { authorization } : {},
  });
  await response.body?.cancel();
  return response;
}

describe('anonymous registry', () => {
  it('takes a push and serves it back', async () => {
    const repo = uniqueRepo('testbed/anonymous');
    const image = await makeImage({ seed: repo });
    const pushed = await pushImage({ url: testbed.anonymous.url }, repo, image, { tag: 'v1' });
    expect(pushed.digest).toBe(image.manifest.digest);
    const manifest = await fetchManifest({ url: testbed.anonymous.url }, repo, 'v1');
    expect(manifest.digest).toBe(image.manifest.digest);
    expect(manifest.mediaType).toBe(image.manifest.mediaType);
    const layer = image.layers[0];
    expect(layer?.bytes).toBeDefined();
    const bytes = await fetchBlob({ url: testbed.anonymous.url }, repo, layer?.digest ?? '');
    expect(Buffer.from(bytes).equals(Buffer.from(layer?.bytes ?? []))).toBe(true);
  });
});

describe('htpasswd registry', () => {
  it('challenges, accepts the right password and refuses a wrong one', async () => {
    const { url, users, realm } = testbed.basic;
    const repo = uniqueRepo('testbed/basic');
    const cases = [
      { label: 'no credentials', authorization: undefined, status: 401 },
      {
        label: 'wrong password',
        authorization: basic({ ...users.push, password: 'x' }),
        status: 401,
      },
      { label: 'right password', authorization: basic(users.push), status: 202 },
    ];
    for (const { label, authorization, status } of cases) {
      const response = await startUpload(url, repo, authorization);
      expect(response.status, label).toBe(status);
      if (status === 401) {
        expect(response.headers.get('www-authenticate'), label).toBe(`Basic realm="${realm}"`);
      }
    }
    const image = await makeImage({ seed: repo });
    await pushImage({ url, credentials: users.push }, repo, image, { tag: 'latest' });
    const manifest = await fetchManifest({ url, credentials: users.push }, repo, 'latest');
    expect(manifest.digest).toBe(image.manifest.digest);
  });
});

describe('token registry', () => {
  it('challenges with the realm and service of the issuer', async () => {
    const response = await fetch(`${token.url}/v2/`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer realm="${token.realm}",service="${token.service}"`,
    );
  });

  it('lets the push user push, denies push to the pull user, and lets anyone pull public/*', async () => {
    const repo = uniqueRepo('public/testbed');
    const scope = `repository:${repo}:pull,push`;
    const pullOnly = await bearer([scope], token.users.pull);
    expect(claims(pullOnly.slice(7)).access).toEqual([
      { type: 'repository', name: repo, actions: ['pull'] },
    ]);
    const denied = await startUpload(token.url, repo, pullOnly);
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    const anonymous = await bearer([scope]);
    expect((await startUpload(token.url, repo, anonymous)).status).toBe(401);

    const allowed = await startUpload(token.url, repo, await bearer([scope], token.users.push));
    expect(allowed.status).toBe(202);
    const image = await makeImage({ seed: repo });
    await pushImage({ url: token.url, credentials: token.users.push }, repo, image, { tag: 'v1' });

    const anonymousPull = await fetchManifest({ url: token.url }, repo, 'v1');
    expect(anonymousPull.digest).toBe(image.manifest.digest);
    const privateRepo = uniqueRepo('testbed/private');
    const privatePull = await fetch(`${token.url}/v2/${privateRepo}/tags/list`, {
      headers: { authorization: await bearer([`repository:${privateRepo}:pull`]) },
    });
    expect(privatePull.status).toBe(401);
  });

  it('needs the delete action to delete, and a catalog grant for the catalog', async () => {
    const repo = uniqueRepo('testbed/delete');
    const image = await makeImage({ seed: repo });
    const credentials = token.users.push;
    await pushImage({ url: token.url, credentials }, repo, image, { tag: 'v1' });
    const manifestUrl = `${token.url}/v2/${repo}/manifests/${image.manifest.digest}`;
    const pullPush = await fetch(manifestUrl, {
      method: 'DELETE',
      headers: { authorization: await bearer([`repository:${repo}:pull,push`], credentials) },
    });
    expect(pullPush.status).toBe(401);
    const withDelete = await fetch(manifestUrl, {
      method: 'DELETE',
      headers: { authorization: await bearer([`repository:${repo}:delete`], credentials) },
    });
    expect(withDelete.status).toBe(202);

    const catalog = 'registry:catalog:*';
    const cases = [
      { label: 'catalog user', credentials: token.users.catalog, status: 200 },
      { label: 'push user', credentials: token.users.push, status: 401 },
    ];
    for (const { label, credentials: user, status } of cases) {
      const response = await fetch(`${token.url}/v2/_catalog`, {
        headers: { authorization: await bearer([catalog], user) },
      });
      await response.body?.cancel();
      expect(response.status, label).toBe(status);
    }
  });

  it('answers 401 to a wrong password on GET and POST, and 400 to a bad request', async () => {
    const scope = `repository:${uniqueRepo('testbed/wrong')}:pull`;
    const wrong = { ...token.users.push, password: 'wrong' };
    expect((await getToken([scope], wrong)).status).toBe(401);
    const post = (fields: Record<string, string>) =>
      fetch(token.realm, { method: 'POST', body: new URLSearchParams(fields) });
    const base = { service: token.service, client_id: 'ocikit-tests', scope };
    const cases = [
      {
        label: 'wrong password',
        fields: { ...base, grant_type: 'password', username: wrong.username, password: 'x' },
        status: 401,
      },
      {
        label: 'unknown refresh token',
        fields: { ...base, grant_type: 'refresh_token', refresh_token: 'x' },
        status: 401,
      },
      {
        label: 'no client_id',
        fields: { ...base, client_id: '', grant_type: 'password' },
        status: 400,
      },
      { label: 'bad grant type', fields: { ...base, grant_type: 'implicit' }, status: 400 },
      {
        label: 'wrong service',
        fields: { ...base, service: 'other', grant_type: 'password' },
        status: 400,
      },
    ];
    for (const { label, fields, status } of cases) {
      const response = await post(fields);
      await response.body?.cancel();
      expect(response.status, label).toBe(status);
    }
  });

  it('issues refresh tokens over OAuth2 POST and accepts them back', async () => {
    const repo = uniqueRepo('testbed/oauth');
    const scope = `repository:${repo}:pull,push`;
    const post = async (fields: Record<string, string>) => {
      const response = await fetch(token.realm, {
        method: 'POST',
        body: new URLSearchParams({
          service: token.service,
          client_id: 'ocikit-tests',
          scope,
          ...fields,
        }),
      });
      expect(response.status).toBe(200);
      return (await response.json()) as Record<string, string | number>;
    };
    const first = await post({
      grant_type: 'password',
      access_type: 'offline',
      username: token.users.push.username,
      password: token.users.push.password,
    });
    expect(first).toMatchObject({ expires_in: token.lifetimeSeconds, scope });
    expect(first.token).toBeUndefined();
    expect(typeof first.refresh_token).toBe('string');
    const refreshed = await post({
      grant_type: 'refresh_token',
      refresh_token: String(first.refresh_token),
    });
    expect(claims(String(refreshed.access_token))).toMatchObject({
      sub: token.users.push.username,
      aud: token.service,
      iss: token.issuer,
      access: [{ type: 'repository', name: repo, actions: ['pull', 'push'] }],
    });
    const upload = await startUpload(token.url, repo, `Bearer ${refreshed.access_token}`);
    expect(upload.status).toBe(202);

    const url = new URL(token.realm);
    url.searchParams.set('service', token.service);
    url.searchParams.set('scope', scope);
    url.searchParams.set('offline_token', 'true');
    const offline = await fetch(url, { headers: { authorization: basic(token.users.pull) } });
    const { refresh_token: refreshToken } = (await offline.json()) as { refresh_token: string };
    const fromGet = await post({ grant_type: 'refresh_token', refresh_token: refreshToken });
    expect(claims(String(fromGet.access_token))).toMatchObject({
      sub: token.users.pull.username,
      access: [{ type: 'repository', name: repo, actions: ['pull'] }],
    });
  });

  it('counts token requests per repository and user', async () => {
    const repo = uniqueRepo('testbed/stats');
    await bearer([`repository:${repo}:pull`], token.users.pull);
    await bearer([`repository:${repo}:pull`, `repository:${repo}:push`], token.users.push);
    await getToken([`repository:${repo}:pull`], { ...token.users.push, password: 'wrong' });
    await authHeaders({ url: token.url }, [`repository:${repo}:pull`]);
    const stats = await tokenStats(token.statsUrl, { repository: repo });
    expect(stats.total).toBe(4);
    expect(stats.byUser).toEqual({
      [token.users.pull.username]: 1,
      [token.users.push.username]: 2,
      '': 1,
    });
    expect(stats.byScope[`repository:${repo}:pull`]).toBe(4);
    expect(stats.requests.map((request) => request.status)).toEqual([200, 200, 401, 200]);
    const pushOnly = await tokenStats(token.statsUrl, {
      repository: repo,
      user: token.users.push.username,
    });
    expect(pushOnly.total).toBe(2);
  });

  it("serves the realm through a fault proxy that can fail one repository's token requests", async () => {
    const repo = uniqueRepo('testbed/realm-faults');
    const faults = faultClient(token.realmFaultsUrl);
    const rule = await faults.add({
      method: 'GET',
      path: `scope=repository:${repo}:`,
      fault: { type: 'status', status: 503, retryAfter: 1 },
    });
    const endpoint = { url: token.url, credentials: token.users.pull };
    await expect(authHeaders(endpoint, [`repository:${repo}:pull`])).rejects.toThrow(/503/);
    const headers = await authHeaders(endpoint, [`repository:${repo}:pull`]);
    expect(headers.authorization).toMatch(/^Bearer /);
    expect(await rule.hits()).toBe(1);
    const stats = await tokenStats(token.statsUrl, { repository: repo });
    expect(stats.total).toBe(1); // the faulted request never reached the issuer
  });

  it('makes the registry reject a short-lived token once expires_in has passed', async () => {
    const repo = uniqueRepo('testbed/short');
    const { status, body } = await getToken([`repository:${repo}:pull`], token.users.short);
    expect(status).toBe(200);
    expect(body.expires_in).toBe(token.shortLifetimeSeconds);
    const issuedAt = Date.now();
    const list = () =>
      fetch(`${token.url}/v2/${repo}/tags/list`, {
        headers: { authorization: `Bearer ${body.token as string}` },
      });
    const fresh = await list();
    await fresh.body?.cancel();
    expect(fresh.status).toBe(404); // accepted: the repository does not exist
    let rejected: Response | undefined;
    while (Date.now() - issuedAt < (token.shortLifetimeSeconds + 10) * 1000) {
      const response = await list();
      await response.body?.cancel();
      if (response.status === 401) {
        rejected = response;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const elapsed = Date.now() - issuedAt;
    expect(rejected?.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(elapsed).toBeGreaterThanOrEqual((token.shortLifetimeSeconds - 1) * 1000);
  });
});

describe('startRegistry', () => {
  it('fails with the tail of the registry log when the registry cannot start', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ocikit-testbed-broken-'));
    try {
      const broken = startRegistry({
        dir,
        auth: {
          kind: 'token',
          realm: token.realm,
          service: token.service,
          issuer: token.issuer,
          rootCertBundle: join(dir, 'missing.crt'),
        },
      });
      await expect(broken).rejects.toThrow(/failed to start: exited early[\s\S]*missing\.crt/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
