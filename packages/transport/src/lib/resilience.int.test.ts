import {
  faultClient,
  getTestbed,
  makeImage,
  ociFailure,
  pushImage,
  uniqueRepo,
} from '@ocikit/testbed';
import { afterEach, describe, expect, it } from 'vitest';
import type { TraceEvent } from './trace.ts';
import { Transport, type TransportOptions } from './transport.ts';

const testbed = getTestbed();
const faults = faultClient(testbed.faults.controlUrl);
const ACCEPT = { accept: 'application/vnd.oci.image.manifest.v1+json' };

describe('Transport through the fault proxy', () => {
  const removals: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const remove of removals.splice(0)) await remove();
  });

  async function setUp(
    fault: Parameters<typeof faults.add>[0]['fault'],
    times: number | 'always' = 2,
  ) {
    const repo = uniqueRepo('transport/faults');
    const image = await makeImage({ seed: repo });
    const descriptor = await pushImage({ url: testbed.anonymous.url }, repo, image, { tag: 'v1' });
    const rule = await faults.add({ path: `^/v2/${repo}/manifests/`, times, fault });
    removals.push(() => rule.remove());
    const events: TraceEvent[] = [];
    const options: TransportOptions = {
      retry: { minDelayMs: 1, maxDelayMs: 5 },
      onTrace: (event) => events.push(event),
    };
    return { repo, descriptor, rule, events, client: new Transport(options), options };
  }

  function get(client: Transport, repo: string) {
    return client.request({
      registry: testbed.faults.host,
      path: `/v2/${repo}/manifests/v1`,
      headers: ACCEPT,
    });
  }

  it('retries 503 responses and then succeeds', async () => {
    const { repo, descriptor, client, events } = await setUp({ type: 'status', status: 503 });
    const response = await get(client, repo);
    expect(response.status).toBe(200);
    expect(response.headers.get('docker-content-digest')).toBe(descriptor.digest);
    await response.body?.cancel();
    expect(
      events
        .filter((event) => event.type === 'retry')
        .map((event) => event.type === 'retry' && event.reason),
    ).toEqual(['503', '503']);
  });

  it('honours Retry-After of a 429 in seconds and as an HTTP date', async () => {
    for (const format of ['seconds', 'http-date'] as const) {
      const { repo, client, events } = await setUp(
        { type: 'status', status: 429, retryAfter: 0, retryAfterFormat: format },
        1,
      );
      const response = await get(client, repo);
      expect(response.status, format).toBe(200);
      await response.body?.cancel();
      const retry = events.find((event) => event.type === 'retry');
      expect(retry?.type === 'retry' && retry.delayMs, format).toBe(0);
    }
  });

  it('fails with TOOMANYREQUESTS at once when Retry-After asks for too long', async () => {
    const { repo, events } = await setUp({ type: 'status', status: 429, retryAfter: 120 }, 1);
    const client = new Transport({
      retry: { maxRetryAfterMs: 1000 },
      onTrace: (event) => events.push(event),
    });
    const error = await ociFailure(get(client, repo));
    expect(error.code).toBe('TOOMANYREQUESTS');
    expect(error.status).toBe(429);
    expect(events.some((event) => event.type === 'retry')).toBe(false);
  });

  it('gives the last 503 back when the retries run out', async () => {
    const { repo, client, events } = await setUp({ type: 'status', status: 503 }, 'always');
    const response = await get(client, repo);
    expect(response.status).toBe(503);
    await response.body?.cancel();
    expect(events.filter((event) => event.type === 'retry')).toHaveLength(3);
  });

  it('retries a connection dropped halfway through the headers', async () => {
    const { repo, client, events } = await setUp({ type: 'drop-headers' }, 1);
    const response = await get(client, repo);
    expect(response.status).toBe(200);
    await response.body?.cancel();
    const retry = events.find((event) => event.type === 'retry');
    expect(retry?.type === 'retry' && retry.reason).toBe('NETWORK_ERROR');
  });

  it('fails with NETWORK_ERROR when every attempt is dropped', async () => {
    const { repo, client } = await setUp({ type: 'drop-headers' }, 'always');
    const error = await ociFailure(get(client, repo));
    expect(error.code).toBe('NETWORK_ERROR');
    expect(error.message).toContain(testbed.faults.host);
  });

  it('retries after a response too slow to arrive, with TIMEOUT when it never does', async () => {
    const { repo, events } = await setUp({ type: 'delay', ms: 400 }, 1);
    const client = new Transport({
      timeoutMs: 100,
      retry: { minDelayMs: 1 },
      onTrace: (event) => events.push(event),
    });
    const response = await get(client, repo);
    expect(response.status).toBe(200);
    await response.body?.cancel();
    const retry = events.find((event) => event.type === 'retry');
    expect(retry?.type === 'retry' && retry.reason).toBe('TIMEOUT');
    const always = await setUp({ type: 'delay', ms: 400 }, 'always');
    const slow = new Transport({ timeoutMs: 100, retry: { retries: 1, minDelayMs: 1 } });
    expect((await ociFailure(get(slow, always.repo))).code).toBe('TIMEOUT');
  });

  it('does not repeat a request whose streamed body cannot be sent again', async () => {
    const repo = uniqueRepo('transport/stream');
    const rule = await faults.add({
      path: `^/v2/${repo}/blobs/uploads/`,
      times: 1,
      fault: { type: 'status', status: 503 },
    });
    removals.push(() => rule.remove());
    const client = new Transport({ retry: { minDelayMs: 1 } });
    const response = await client.request({
      registry: testbed.faults.host,
      method: 'PUT',
      path: `/v2/${repo}/blobs/uploads/whatever`,
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new Uint8Array(10));
          controller.close();
        },
      }),
    });
    expect(response.status).toBe(503);
    await response.body?.cancel();
    expect(await rule.hits()).toBe(1);
  });

  it('fails with ABORTED when aborted while waiting to retry', async () => {
    const { repo } = await setUp({ type: 'status', status: 503 }, 'always');
    const controller = new AbortController();
    const client = new Transport({
      retry: { minDelayMs: 60_000, maxDelayMs: 60_000, random: () => 1 },
      onTrace: (event) => {
        if (event.type === 'retry') controller.abort();
      },
    });
    const error = await ociFailure(
      client.request({
        registry: testbed.faults.host,
        path: `/v2/${repo}/manifests/v1`,
        signal: controller.signal,
      }),
    );
    expect(error.code).toBe('ABORTED');
    const already = client.request({
      registry: testbed.faults.host,
      path: '/v2/',
      signal: AbortSignal.abort(),
    });
    expect((await ociFailure(already)).code).toBe('ABORTED');
  });
});
