import { staticCredentials } from '@ocikit/auth';
import {
  getTestbed,
  makeImage,
  ociFailure,
  pushImage,
  redirectRequests,
  uniqueRepo,
} from '@ocikit/testbed';
import { describe, expect, it } from 'vitest';
import { createNodeTransport } from './node-fetch.node.ts';
import { Transport } from './transport.ts';

const testbed = getTestbed();
const { redirect } = testbed;

async function seedBlob(repo: string) {
  const image = await makeImage({ seed: repo });
  await pushImage({ url: testbed.anonymous.url }, repo, image, { tag: 'v1' });
  const layer = image.layers[0];
  if (!layer) throw new Error('image without a layer');
  return layer;
}

describe('Transport redirects', () => {
  it('follows a blob redirect to another host without taking the credentials along', async () => {
    const repo = uniqueRepo('transport/redirect');
    const layer = await seedBlob(repo);
    const client = new Transport({
      credentials: staticCredentials({ [redirect.host]: redirect.credentials }),
    });
    const response = await client.request({
      registry: redirect.host,
      path: `/v2/${repo}/blobs/${layer.digest}`,
    });
    expect(response.status).toBe(200);
    expect(new URL(response.url).host).not.toBe(redirect.host);
    const body = new Uint8Array(await response.arrayBuffer());
    expect(body.byteLength).toBe(layer.size);
    const atStorage = await redirectRequests(redirect.requestsUrl, {
      server: 'storage',
      path: layer.digest,
    });
    expect(atStorage.length).toBeGreaterThan(0);
    for (const request of atStorage) expect(request.headers.authorization).toBeUndefined();
    const atFront = await redirectRequests(redirect.requestsUrl, {
      server: 'front',
      path: layer.digest,
    });
    expect(atFront.some((request) => request.headers.authorization?.startsWith('Basic '))).toBe(
      true,
    );
  });

  it('refuses a redirect loop with REDIRECT_INVALID', async () => {
    const repo = `${redirect.loopPrefix}${uniqueRepo('transport')}`;
    const client = new Transport({
      maxRedirects: 5,
      credentials: staticCredentials({ [redirect.host]: redirect.credentials }),
    });
    const error = await ociFailure(
      client.request({
        registry: redirect.host,
        path: `/v2/${repo}/blobs/sha256:${'0'.repeat(64)}`,
      }),
    );
    expect(error.code).toBe('REDIRECT_INVALID');
  });

  it('refuses a redirect from https down to http', async () => {
    const repo = uniqueRepo('transport/downgrade');
    const layer = await seedBlob(repo);
    const httpsHost = new URL(redirect.httpsUrl).host;
    const client = createNodeTransport({
      hosts: { [httpsHost]: { ca: redirect.caPem } },
      credentials: staticCredentials({ [httpsHost]: redirect.credentials }),
    });
    const error = await ociFailure(
      client.request({ registry: httpsHost, path: `/v2/${repo}/blobs/${layer.digest}` }),
    );
    expect(error.code).toBe('REDIRECT_INVALID');
    expect(error.message).toMatch(/https to http/);
    expect(error.message).not.toContain('Signature');
  });
});

describe.each(['undici', 'node:http'] as const)('Transport TLS (Node, on %s)', (engine) => {
  const httpsHost = new URL(redirect.httpsUrl).host;
  const credentials = staticCredentials({ [httpsHost]: redirect.credentials });

  it('trusts a registry whose CA it is given', async () => {
    const client = createNodeTransport({
      engine,
      hosts: { [httpsHost]: { ca: redirect.caPem } },
      credentials,
    });
    const response = await client.request({ registry: httpsHost, path: '/v2/' });
    expect(response.status).toBe(200);
    expect(new URL(response.url).protocol).toBe('https:');
    await response.body?.cancel();
  });

  it('refuses an unknown certificate, and accepts it for an insecure host over https', async () => {
    const strict = createNodeTransport({
      engine,
      hosts: { [httpsHost]: { insecure: false } },
      credentials,
      retry: { retries: 0 },
    });
    expect((await ociFailure(strict.request({ registry: httpsHost, path: '/v2/' }))).code).toBe(
      'NETWORK_ERROR',
    );
    const insecure = createNodeTransport({
      engine,
      hosts: { [httpsHost]: { insecure: true } },
      credentials,
    });
    const response = await insecure.request({ registry: httpsHost, path: '/v2/' });
    expect(response.status).toBe(200);
    expect(new URL(response.url).protocol).toBe('https:');
    await response.body?.cancel();
  });
});

describe('Transport mirrors', () => {
  it('serves GETs from a mirror and falls back to the registry when the mirror lacks the content', async () => {
    const onMirror = uniqueRepo('transport/mirrored');
    const onlyOrigin = uniqueRepo('transport/origin-only');
    await pushImage({ url: testbed.anonymous.url }, onMirror, await makeImage({ seed: onMirror }), {
      tag: 'v1',
    });
    await pushImage(
      { url: testbed.basic.url, credentials: testbed.basic.users.push },
      onlyOrigin,
      await makeImage({ seed: onlyOrigin }),
      { tag: 'v1' },
    );
    const client = new Transport({
      hosts: { [testbed.basic.host]: { mirrors: [testbed.anonymous.host] } },
      credentials: staticCredentials({ [testbed.basic.host]: testbed.basic.users.push }),
    });
    const accept = { accept: 'application/vnd.oci.image.manifest.v1+json' };
    const mirrored = await client.request({
      registry: testbed.basic.host,
      path: `/v2/${onMirror}/manifests/v1`,
      headers: accept,
    });
    expect(mirrored.status).toBe(200);
    expect(new URL(mirrored.url).host).toBe(testbed.anonymous.host);
    await mirrored.body?.cancel();
    const fallback = await client.request({
      registry: testbed.basic.host,
      path: `/v2/${onlyOrigin}/manifests/v1`,
      headers: accept,
    });
    expect(fallback.status).toBe(200);
    expect(new URL(fallback.url).host).toBe(testbed.basic.host);
    await fallback.body?.cancel();
  });

  it('does not send writes to a mirror', async () => {
    const repo = uniqueRepo('transport/no-mirror-writes');
    const client = new Transport({
      hosts: { [testbed.basic.host]: { mirrors: [testbed.anonymous.host] } },
      credentials: staticCredentials({ [testbed.basic.host]: testbed.basic.users.push }),
    });
    const response = await client.request({
      registry: testbed.basic.host,
      method: 'POST',
      path: `/v2/${repo}/blobs/uploads/`,
    });
    expect(response.status).toBe(202);
    expect(new URL(response.url).host).toBe(testbed.basic.host);
    await response.body?.cancel();
  });
});
