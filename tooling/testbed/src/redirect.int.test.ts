import { get } from 'node:https';
import { describe, expect, it } from 'vitest';
import {
  fetchManifest,
  getTestbed,
  makeImage,
  pushImage,
  redirectRequests,
  uniqueRepo,
} from './index.ts';

const { redirect } = getTestbed();
const authorization = `Basic ${Buffer.from(`${redirect.credentials.username}:${redirect.credentials.password}`).toString('base64')}`;

/** Pushes an image through the redirect front; returns its repo and first layer. */
async function pushed(prefix: string) {
  const repo = uniqueRepo(prefix);
  const image = await makeImage({ seed: repo });
  await pushImage({ url: redirect.url, credentials: redirect.credentials }, repo, image, {
    tag: 'v1',
  });
  const layer = image.layers[0];
  if (!layer?.bytes) throw new Error('the default image has one layer in memory');
  return { repo, image, layer: { digest: layer.digest, bytes: layer.bytes } };
}

function httpsGet(url: string, ca?: string): Promise<{ status: number; location?: string }> {
  return new Promise((resolve, reject) => {
    get(url, { ca, headers: { authorization } }, (response) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0, location: response.headers.location });
    }).on('error', reject);
  });
}

describe('redirect server', () => {
  it('requires Basic auth and proxies manifests and pushes to the registry', async () => {
    const challenge = await fetch(`${redirect.url}/v2/`);
    expect(challenge.status).toBe(401);
    expect(challenge.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    const { repo, image } = await pushed('testbed/redirect-push');
    const manifest = await fetchManifest(
      { url: redirect.url, credentials: redirect.credentials },
      repo,
      'v1',
    );
    expect(manifest.digest).toBe(image.manifest.digest);
  });

  it('redirects blob downloads to the storage host and records the headers each host got', async () => {
    const { repo, layer } = await pushed('testbed/redirect-blob');
    const blobUrl = `${redirect.url}/v2/${repo}/blobs/${layer.digest}`;
    const first = await fetch(blobUrl, { headers: { authorization }, redirect: 'manual' });
    expect(first.status).toBe(307);
    const location = new URL(first.headers.get('location') ?? '');
    expect(location.origin).toBe(redirect.storageUrl);
    expect(location.hostname).not.toBe(new URL(redirect.url).hostname);
    expect(location.searchParams.get('X-Testbed-Signature')).toMatch(/^[0-9a-f]{64}$/);

    const followed = await fetch(blobUrl, { headers: { authorization } });
    expect(followed.status).toBe(200);
    expect(Buffer.from(await followed.arrayBuffer()).equals(Buffer.from(layer.bytes))).toBe(true);

    const ranged = await fetch(location, { headers: { range: 'bytes=0-9' } });
    expect(ranged.status).toBe(206);
    expect(
      Buffer.from(await ranged.arrayBuffer()).equals(Buffer.from(layer.bytes.subarray(0, 10))),
    ).toBe(true);

    const leaked = await fetch(location, { headers: { authorization: 'Bearer leaked' } });
    await leaked.body?.cancel();
    const forged = new URL(location);
    forged.searchParams.set('X-Testbed-Signature', '0'.repeat(64));
    const forbidden = await fetch(forged);
    await forbidden.body?.cancel();
    expect(forbidden.status).toBe(403);

    const storage = await redirectRequests(redirect.requestsUrl, {
      server: 'storage',
      path: layer.digest,
    });
    const gets = storage.filter((request) => request.method === 'GET');
    expect(gets.map((request) => request.headers.authorization)).toEqual([
      undefined,
      undefined,
      'Bearer leaked',
      undefined,
    ]);
    const front = await redirectRequests(redirect.requestsUrl, {
      server: 'front',
      path: `${repo}/blobs/${layer.digest}`,
    });
    expect(front.filter((request) => request.method === 'GET')).toHaveLength(2);
    expect(front.every((request) => request.headers.authorization === authorization)).toBe(true);
  });

  it('loops redirects for repositories under the loop prefix', async () => {
    const repo = uniqueRepo(`${redirect.loopPrefix}testbed`);
    const digest = `sha256:${'a'.repeat(64)}`;
    let url = `${redirect.url}/v2/${repo}/blobs/${digest}`;
    for (let hop = 1; hop <= 3; hop++) {
      const response = await fetch(url, { headers: { authorization }, redirect: 'manual' });
      expect(response.status).toBe(307);
      url = response.headers.get('location') ?? '';
      expect(url).toBe(`${redirect.url}/v2/${repo}/blobs/${digest}?hop=${hop}`);
    }
  });

  it('serves https with its own CA and redirects blobs from https to http', async () => {
    const { repo, layer } = await pushed('testbed/redirect-https');
    const blobUrl = `${redirect.httpsUrl}/v2/${repo}/blobs/${layer.digest}`;
    await expect(httpsGet(blobUrl)).rejects.toThrow(/self[- ]signed/);
    const answer = await httpsGet(blobUrl, redirect.caPem);
    expect(answer.status).toBe(307);
    expect(answer.location?.startsWith(`${redirect.storageUrl}/`)).toBe(true);
    expect(answer.location?.startsWith('http://')).toBe(true);
  });
});
