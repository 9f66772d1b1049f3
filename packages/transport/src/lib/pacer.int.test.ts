import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { staticCredentials } from '@ocikit/auth';
import {
  faultClient,
  getTestbed,
  makeImage,
  pushImage,
  redirectRequests,
  uniqueRepo,
} from '@ocikit/testbed';
import { describe, expect, it, onTestFinished } from 'vitest';
import { RegistryPacer } from './pacer.ts';
import { Transport } from './transport.ts';

const testbed = getTestbed();
const faults = faultClient(testbed.faults.controlUrl);

describe('RegistryPacer on a Transport, against the real registry', () => {
  it('spaces the requests to a registry by its rate: the proxy in front of the registry sees the k-th request ≥ (k−1)/rate after the first (one interval of jitter)', async () => {
    const repo = uniqueRepo('transport/paced');
    const rate = 20;
    const pacer = new RegistryPacer({ requestsPerSecond: { [testbed.faults.host]: rate } });
    const transport = new Transport({
      beforeRequest: pacer.beforeRequest,
      onResponse: pacer.onResponse,
    });
    const count = 12;
    const responses = await Promise.all(
      Array.from({ length: count }, () =>
        transport.request({ registry: testbed.faults.host, path: `/v2/${repo}/tags/list` }),
      ),
    );
    for (const response of responses) {
      expect(response.status).toBe(404); // the repository does not exist: the registry answered
      await response.body?.cancel();
    }
    const times = arrivals(await faults.requests(`^/v2/${repo}/tags/list`));
    expect(times).toHaveLength(count);
    expect(spacedEarly(times, rate)).toEqual([]);
  });

  it('paces the token requests to a realm on another host by that host’s rate: the fault proxy in front of the token issuer sees the k-th token request ≥ (k−1)/rate after the first', async () => {
    const { token } = testbed;
    const realm = new URL(token.realm).host;
    const prefix = uniqueRepo('transport/paced-token');
    const rate = 20;
    const pacer = new RegistryPacer({ requestsPerSecond: { [realm]: rate } });
    const transport = new Transport({
      credentials: staticCredentials({ [token.host]: token.users.pull }),
      beforeRequest: pacer.beforeRequest,
    });
    const count = 8;
    // One repository each: a token per scope, so one token request each.
    const responses = await Promise.all(
      Array.from({ length: count }, (_, k) =>
        transport.request({
          registry: token.host,
          path: `/v2/${prefix}-${k}/tags/list`,
          scopes: [`repository:${prefix}-${k}:pull`],
        }),
      ),
    );
    for (const response of responses) {
      expect(response.status).toBe(404); // authorized; the repository does not exist
      await response.body?.cancel();
    }
    const times = arrivals(
      (await faultClient(token.realmFaultsUrl).requests()).filter((request) =>
        decodeURIComponent(request.path).includes(`repository:${prefix}-`),
      ),
    );
    expect(times).toHaveLength(count);
    expect(spacedEarly(times, rate)).toEqual([]);
  });

  it('paces the blob downloads redirected to a storage host by the storage host’s rate: the storage server sees the k-th download ≥ (k−1)/rate after the first', async () => {
    const { redirect } = testbed;
    const repo = uniqueRepo('transport/paced-redirect');
    const image = await makeImage({ seed: repo });
    await pushImage({ url: testbed.anonymous.url }, repo, image, { tag: 'v1' });
    const layer = image.layers[0];
    if (!layer) throw new Error('image without a layer');
    const storage = new URL(redirect.storageUrl).host;
    const rate = 20;
    const pacer = new RegistryPacer({ requestsPerSecond: { [storage]: rate } });
    const transport = new Transport({
      credentials: staticCredentials({ [redirect.host]: redirect.credentials }),
      beforeRequest: pacer.beforeRequest,
    });
    const count = 8;
    const responses = await Promise.all(
      Array.from({ length: count }, () =>
        transport.request({ registry: redirect.host, path: `/v2/${repo}/blobs/${layer.digest}` }),
      ),
    );
    for (const response of responses) {
      expect(response.status).toBe(200);
      expect(new URL(response.url).host).toBe(storage);
      await response.body?.cancel();
    }
    const times = arrivals(
      await redirectRequests(redirect.requestsUrl, { server: 'storage', path: layer.digest }),
    );
    expect(times).toHaveLength(count);
    expect(spacedEarly(times, rate)).toEqual([]);
  });
});

/** When the recorded requests arrived, in ms, earliest first. */
function arrivals(requests: readonly { time: string }[]): number[] {
  return requests.map((request) => Date.parse(request.time)).sort((a, b) => a - b);
}

/**
 * The request times that came too early for a rate: one token at the start
 * (burst 1), then one per 1000/rate ms. The server sees arrivals, not
 * departures: one interval is left for network jitter on a loaded machine
 * (unpaced, all the requests arrive within a few ms, far inside it).
 */
function spacedEarly(times: readonly number[], rate: number): number[] {
  const first = times[0] as number;
  return times.filter((time, k) => time - first < ((k - 1) * 1000) / rate);
}

describe('pacing names each request by its registry', () => {
  it('charges two registries served by one endpoint each with its own requests, however they interleave', async () => {
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const endpoint = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const seen: string[] = [];
    const transport = new Transport({
      hosts: {
        'a.example': { endpoint, plainHttp: true },
        'b.example': { endpoint, plainHttp: true },
      },
      beforeRequest: ({ registry }) => {
        seen.push(registry);
      },
    });
    const names = ['a.example', 'b.example', 'a.example', 'b.example', 'a.example', 'b.example'];
    const responses = await Promise.all(
      names.map((registry) => transport.request({ registry, path: `/v2/${registry}/tags/list` })),
    );
    for (const response of responses) await response.body?.cancel();
    expect([...seen].sort()).toEqual([...names].sort());
  });
});
