import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeFetch } from './node-fetch.node.ts';

const blob = randomBytes(3 * 1024 * 1024);
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/moved') {
      response.writeHead(307, { location: '/blob' }).end();
      return;
    }
    if (request.url === '/empty') {
      response.writeHead(204).end();
      return;
    }
    response.writeHead(200, {
      'content-length': blob.byteLength,
      'x-echo': request.headers['x-ask'] ?? '',
    });
    response.end(request.method === 'HEAD' ? undefined : blob);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("createNodeFetch: GET and HEAD with redirect 'manual' over undici request()", () => {
  const fetch = createNodeFetch();

  it('answers a Response with the bytes, status, headers and url of a real HTTP server', async () => {
    const response = await fetch(`${base}/blob`, {
      redirect: 'manual',
      headers: { 'x-ask': 'yes' },
    });
    expect(response.status).toBe(200);
    expect(response.url).toBe(`${base}/blob`);
    expect(response.headers.get('x-echo')).toBe('yes');
    expect(Buffer.from(await response.arrayBuffer()).equals(blob)).toBe(true);
  });

  it('returns a redirect as it is, and HEAD and 204 with no body', async () => {
    const moved = await fetch(`${base}/moved`, { redirect: 'manual' });
    expect([moved.status, moved.headers.get('location')]).toEqual([307, '/blob']);
    const head = await fetch(`${base}/blob`, { method: 'HEAD', redirect: 'manual' });
    expect([head.status, head.body, head.headers.get('content-length')]).toEqual([
      200,
      null,
      String(blob.byteLength),
    ]);
    const empty = await fetch(`${base}/empty`, { redirect: 'manual' });
    expect([empty.status, empty.body]).toEqual([204, null]);
  });

  it('lets a reader cancel a body half read, and the pool serves the next request', async () => {
    const response = await fetch(`${base}/blob`, { redirect: 'manual' });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    expect((await reader.read()).done).toBe(false);
    await reader.cancel();
    const again = await fetch(`${base}/blob`, { redirect: 'manual' });
    expect((await again.arrayBuffer()).byteLength).toBe(blob.byteLength);
  });

  it('fails the body stream when the request is aborted mid-body', async () => {
    const abort = new AbortController();
    const response = await fetch(`${base}/blob`, { redirect: 'manual', signal: abort.signal });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    abort.abort();
    await expect(
      (async () => {
        for (;;) if ((await reader.read()).done) return 'ended';
      })(),
    ).rejects.toBeDefined();
  });
});
