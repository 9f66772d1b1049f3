import { staticCredentials } from '@ocikit/auth';
import {
  faultClient,
  getTestbed,
  makeImage,
  ociFailure,
  pushImage,
  tokenStats,
  uniqueRepo,
} from '@ocikit/testbed';
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from './trace.ts';
import { Transport, type TransportOptions } from './transport.ts';

const testbed = getTestbed();
const MANIFEST_ACCEPT = 'application/vnd.oci.image.manifest.v1+json';

function transport(options: TransportOptions = {}) {
  return new Transport({ retry: { minDelayMs: 1, maxDelayMs: 5 }, ...options });
}

/** Pushes a small image with the test bed's own client; returns its manifest digest. */
async function seed(
  url: string,
  repo: string,
  credentials?: { username: string; password: string },
) {
  const image = await makeImage({ seed: repo });
  const descriptor = await pushImage(
    { url, ...(credentials ? { credentials } : {}) },
    repo,
    image,
    {
      tag: 'v1',
    },
  );
  return { image, descriptor };
}

function getManifest(client: Transport, registry: string, repo: string, scope = 'pull') {
  return client.request({
    registry,
    path: `/v2/${repo}/manifests/v1`,
    headers: { accept: MANIFEST_ACCEPT },
    scopes: [`repository:${repo}:${scope}`],
    repository: repo,
  });
}

describe('Transport against the anonymous registry', () => {
  it('pulls a manifest over plain http on a loopback host, found by scheme detection', async () => {
    const repo = uniqueRepo('transport/anon');
    const { descriptor } = await seed(testbed.anonymous.url, repo);
    const events: TraceEvent[] = [];
    const client = transport({ onTrace: (event) => events.push(event) });
    const response = await getManifest(client, testbed.anonymous.host, repo);
    expect(response.status).toBe(200);
    const answered = events.flatMap((event) => (event.type === 'response' ? [event] : []));
    expect(answered.at(-1)?.url).toMatch(/^http:\/\//);
    expect(answered.map((event) => event.status)).not.toContain(401);
    expect(response.headers.get('docker-content-digest')).toBe(descriptor.digest);
    await response.body?.cancel();
  });

  it('refuses plain http where https is required', async () => {
    const client = transport({ hosts: { [testbed.anonymous.host]: { insecure: false } } });
    const error = await ociFailure(
      client.request({ registry: testbed.anonymous.host, path: '/v2/' }),
    );
    expect(error.code).toBe('NETWORK_ERROR');
  });
});

describe('Transport with Basic auth', () => {
  const { host, url, users } = testbed.basic;

  it('answers the challenge with the credentials of the host, then sends them up front', async () => {
    const repo = uniqueRepo('transport/basic');
    await seed(url, repo, users.push);
    const events: TraceEvent[] = [];
    const client = transport({
      credentials: staticCredentials({ [host]: users.push }),
      onTrace: (event) => events.push(event),
    });
    expect((await getManifest(client, host, repo)).status).toBe(200);
    expect((await getManifest(client, host, repo)).status).toBe(200);
    const statuses = events.flatMap((event) => (event.type === 'response' ? [event.status] : []));
    // detection probe, 401, 200, then 200 at once
    expect(statuses.slice(-3)).toEqual([401, 200, 200]);
  });

  it('fails with UNAUTHORIZED for a wrong password, without the password anywhere', async () => {
    const password = 'definitely-wrong-secret-3141';
    const events: TraceEvent[] = [];
    const client = transport({
      credentials: staticCredentials({ [host]: { username: users.push.username, password } }),
      onTrace: (event) => events.push(event),
    });
    const error = await ociFailure(client.request({ registry: host, path: '/v2/' }));
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.status).toBe(401);
    const encoded = Buffer.from(`${users.push.username}:${password}`).toString('base64');
    for (const text of [
      error.message,
      String(error.stack),
      JSON.stringify(error),
      JSON.stringify(events),
    ]) {
      expect(text).not.toContain(password);
      expect(text).not.toContain(encoded);
    }
  });

  it('fails with UNAUTHORIZED when it has no credentials for the host', async () => {
    const error = await ociFailure(transport().request({ registry: host, path: '/v2/' }));
    expect(error.code).toBe('UNAUTHORIZED');
  });
});

describe('Transport with token auth', () => {
  const { host, url, users, statsUrl } = testbed.token;

  it('fetches one token per scope and reuses it for every later call', async () => {
    const repo = uniqueRepo('transport/token');
    await seed(url, repo, users.push);
    const client = transport({ credentials: staticCredentials({ [host]: users.pull }) });
    for (let call = 0; call < 5; call += 1) {
      const response = await getManifest(client, host, repo);
      expect(response.status).toBe(200);
      await response.body?.cancel();
    }
    const stats = await tokenStats(statsUrl, { repository: repo, user: users.pull.username });
    expect(stats.total).toBe(1);
  });

  it('lets anonymous callers pull a public repository with an anonymous token', async () => {
    const repo = `${testbed.token.publicPrefix}${uniqueRepo('transport')}`;
    await seed(url, repo, users.push);
    const response = await getManifest(transport(), host, repo);
    expect(response.status).toBe(200);
    await response.body?.cancel();
    const stats = await tokenStats(statsUrl, { repository: repo, user: '' });
    expect(stats.requests.map((request) => request.grant)).toEqual(['anonymous']);
  });

  it('pushes with the push user and denies the pull-only user with DENIED', async () => {
    const repo = uniqueRepo('transport/push');
    const push = transport({ credentials: staticCredentials({ [host]: users.push }) });
    const started = await push.request({
      registry: host,
      method: 'POST',
      path: `/v2/${repo}/blobs/uploads/`,
      scopes: [`repository:${repo}:pull,push`],
    });
    expect(started.status).toBe(202);
    await started.body?.cancel();

    const pull = transport({ credentials: staticCredentials({ [host]: users.pull }) });
    const error = await ociFailure(
      pull.request({
        registry: host,
        method: 'POST',
        path: `/v2/${repo}/blobs/uploads/`,
        scopes: [`repository:${repo}:pull,push`],
      }),
    );
    expect(error.code).toBe('DENIED');
    expect(error.message).toContain(repo);
    expect(error.message).not.toContain(users.pull.password);
  });

  it('fetches a new token once its lifetime is over by the clock, before the registry refuses it', async () => {
    const repo = uniqueRepo('transport/refresh');
    await seed(url, repo, users.push);
    let offset = 0;
    const events: TraceEvent[] = [];
    const client = transport({
      credentials: staticCredentials({ [host]: users.push }),
      now: () => Date.now() + offset,
      onTrace: (event) => events.push(event),
    });
    const count = async () =>
      (await tokenStats(statsUrl, { repository: repo, user: users.push.username })).total;
    const before = await count();
    await (await getManifest(client, host, repo)).body?.cancel();
    await (await getManifest(client, host, repo)).body?.cancel();
    expect(await count()).toBe(before + 1);
    offset = (testbed.token.lifetimeSeconds + 1) * 1000;
    const seen = events.length;
    await (await getManifest(client, host, repo)).body?.cancel();
    expect(await count()).toBe(before + 2);
    const statuses = events
      .slice(seen)
      .flatMap((event) => (event.type === 'response' ? [event.status] : []));
    expect(statuses).toEqual([200]);
  });

  it('gets a new token when the registry rejects an expired one', async () => {
    const repo = uniqueRepo('transport/expired');
    await seed(url, repo, users.push);
    // The `short` user's tokens say they live 2 s; the client clamps lifetimes to the
    // 60 s minimum, so it keeps using its token until the registry refuses it, then
    // must fetch a new one. Poll (bounded) until that refusal has happened once.
    const events: TraceEvent[] = [];
    const client = transport({
      credentials: staticCredentials({ [host]: users.short }),
      onTrace: (event) => events.push(event),
    });
    const refused = () =>
      events.filter((event) => event.type === 'response' && event.status === 401).length;
    const deadline = Date.now() + 15_000;
    let response = await getManifest(client, host, repo);
    const firstRefusals = refused();
    while (refused() === firstRefusals && Date.now() < deadline) {
      await response.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, 250));
      response = await getManifest(client, host, repo);
    }
    expect(refused()).toBe(firstRefusals + 1);
    expect(response.status).toBe(200);
    await response.body?.cancel();
    const stats = await tokenStats(statsUrl, { repository: repo, user: users.short.username });
    expect(stats.total).toBe(2);
  });

  it('asks for one token covering several scopes, as a cross-repository mount needs', async () => {
    const source = uniqueRepo('transport/mount-from');
    const target = uniqueRepo('transport/mount-to');
    const { image } = await seed(url, source, users.push);
    const layer = image.layers[0];
    if (!layer) throw new Error('image without a layer');
    const client = transport({ credentials: staticCredentials({ [host]: users.push }) });
    const response = await client.request({
      registry: host,
      method: 'POST',
      path: `/v2/${target}/blobs/uploads/?mount=${layer.digest}&from=${source}`,
      scopes: [`repository:${target}:pull,push`, `repository:${source}:pull`],
    });
    expect(response.status).toBe(201);
    await response.body?.cancel();
    const stats = await tokenStats(statsUrl, { repository: target, user: users.push.username });
    const scopes = stats.requests.at(-1)?.scopes ?? [];
    expect(scopes).toEqual(
      expect.arrayContaining([
        `repository:${source}:pull`,
        expect.stringContaining(`repository:${target}:`),
      ]),
    );
  });

  it('fails with a typed error, without the password, when the token server answers 500', async () => {
    const repo = uniqueRepo('transport/realm-down');
    const faults = faultClient(testbed.token.realmFaultsUrl);
    const rule = await faults.add({
      path: `scope=repository:${repo}:`,
      times: 'always',
      fault: { type: 'status', status: 500 },
    });
    try {
      const client = transport({ credentials: staticCredentials({ [host]: users.pull }) });
      const error = await ociFailure(getManifest(client, host, repo));
      expect(['UNAUTHORIZED', 'TOKEN_INVALID', 'HTTP_UNEXPECTED_STATUS']).toContain(error.code);
      expect(error.message).not.toContain(users.pull.password);
      // The token request reached the failing server (it is not repeated today).
      expect(await rule.hits()).toBeGreaterThanOrEqual(1);
    } finally {
      await rule.remove();
    }
  });
});
