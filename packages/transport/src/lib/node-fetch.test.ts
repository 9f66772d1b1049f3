import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ociFailure } from '@ocikit/testbed';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createNodeFetch } from './node-fetch.node.ts';
import { Transport } from './transport.ts';

const blob = randomBytes(3 * 1024 * 1024);

/** An abort as either engine reports it: ocikit's ABORTED, or a DOMException AbortError. */
function isAbort(error: unknown): boolean {
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
  return code === 'ABORTED' || name === 'AbortError';
}
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/echo') {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        response.end(
          JSON.stringify({
            method: request.method,
            body: Buffer.concat(chunks).toString(),
            length: request.headers['content-length'] ?? null,
            chunked: request.headers['transfer-encoding'] === 'chunked',
            // undici's fetch says where a request comes from; node:http does not.
            fetchMode: request.headers['sec-fetch-mode'] ?? null,
          }),
        );
      });
      return;
    }
    if (request.url === '/truncated') {
      response.writeHead(200, { 'content-length': 1000 });
      response.write('only ten b');
      setTimeout(() => response.destroy(), 20);
      return;
    }
    if (request.url === '/silent-body') {
      response.writeHead(200, { 'content-length': 1000 });
      response.write('then silence');
      return;
    }
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

describe.each(['undici', 'node:http', 'auto'] as const)(
  'createNodeFetch on %s, against a real HTTP server',
  (engine) => {
    const fetch = createNodeFetch({ engine, bodyTimeoutMs: 300 });

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
      const error = await (async () => {
        for (;;) if ((await reader.read()).done) return 'ended';
      })().catch((caught: unknown) => caught);
      // undici's fetch gives a DOMException AbortError, node:http the signal's ABORTED.
      expect(error).toSatisfy(isAbort);
    });

    it('rejects a request whose signal was aborted before it, sending nothing', async () => {
      let received = 0;
      const count = (request: IncomingMessage) => {
        if (request.url === '/pre-aborted') received += 1;
      };
      server.on('request', count);
      const error = await fetch(`${base}/pre-aborted`, {
        redirect: 'manual',
        signal: AbortSignal.abort(),
      }).catch((caught: unknown) => caught);
      await new Promise((resolve) => setTimeout(resolve, 100));
      server.off('request', count);
      expect(error).toSatisfy(isAbort);
      expect(received).toBe(0);
    });

    it('cancels the source of a streamed upload when the request is aborted, and when a redirect refuses it', async () => {
      const upload = () => {
        const state = { cancelled: false, pulls: 0 };
        const body = new ReadableStream<Uint8Array>({
          async pull(controller) {
            state.pulls += 1;
            await new Promise((resolve) => setTimeout(resolve, 20));
            controller.enqueue(new Uint8Array(64 * 1024));
          },
          cancel() {
            state.cancelled = true;
          },
        });
        return { state, body };
      };
      const aborted = upload();
      const abort = new AbortController();
      const sending = fetch(`${base}/echo`, {
        method: 'PATCH',
        body: aborted.body,
        duplex: 'half',
        signal: abort.signal,
      } as RequestInit);
      await new Promise((resolve) => setTimeout(resolve, 100));
      abort.abort();
      await expect(sending).rejects.toSatisfy(isAbort);
      await vi.waitFor(() => expect(aborted.state.cancelled).toBe(true));

      const redirected = upload();
      await expect(
        fetch(`${base}/moved`, {
          method: 'PUT',
          body: redirected.body,
          duplex: 'half',
          redirect: 'error',
        } as RequestInit),
      ).rejects.toBeDefined();
      await vi.waitFor(() => expect(redirected.state.cancelled).toBe(true));
      const pulls = redirected.state.pulls;
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(redirected.state.pulls).toBe(pulls);
    });

    it('sends bytes, a string and a web stream as bodies, and a POST without one with Content-Length 0', async () => {
      const sent = async (init: RequestInit & { duplex?: 'half' }) =>
        (await fetch(`${base}/echo`, { redirect: 'manual', ...init })).json();
      expect(await sent({ method: 'PUT', body: new TextEncoder().encode('bytes') })).toMatchObject({
        method: 'PUT',
        body: 'bytes',
        length: '5',
        chunked: false,
      });
      expect(await sent({ method: 'PATCH', body: 'text' })).toMatchObject({
        body: 'text',
        length: '4',
      });
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('str'));
          controller.enqueue(new TextEncoder().encode('eam'));
          controller.close();
        },
      });
      expect(await sent({ method: 'PATCH', body: stream, duplex: 'half' })).toMatchObject({
        body: 'stream',
        chunked: true,
      });
      expect(await sent({ method: 'POST' })).toMatchObject({ body: '', length: '0' });
    });

    it('fails the body stream of a response cut short of its Content-Length', async () => {
      const response = await fetch(`${base}/truncated`, { redirect: 'manual' });
      await expect(response.arrayBuffer()).rejects.toBeDefined();
    });

    it('fails a body that stalls longer than bodyTimeoutMs', async () => {
      const response = await fetch(`${base}/silent-body`, { redirect: 'manual' });
      await expect(response.arrayBuffer()).rejects.toBeDefined();
    });

    it('turns a refused connection into NETWORK_ERROR naming ECONNREFUSED, through a Transport', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const host = `127.0.0.1:${(closed.address() as AddressInfo).port}`;
      await new Promise((resolve) => closed.close(resolve));
      const transport = new Transport({
        fetch,
        hosts: { [host]: { plainHttp: true } },
        retry: { retries: 0 },
      });
      const error = await ociFailure(transport.request({ registry: host, path: '/v2/' }));
      expect(error.code).toBe('NETWORK_ERROR');
      expect(error.message).toContain('ECONNREFUSED');
    });

    it('fails a streamed upload the server redirects with REDIRECT_INVALID, through a Transport', async () => {
      const host = new URL(base).host;
      const transport = new Transport({ fetch, hosts: { [host]: { plainHttp: true } } });
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('bytes'));
          controller.close();
        },
      });
      const error = await ociFailure(
        transport.request({ registry: host, method: 'PUT', path: '/moved', body }),
      );
      expect(error.code).toBe('REDIRECT_INVALID');
    });
  },
);

describe("createNodeFetch on 'auto'", () => {
  it('sends a streamed upload and a Blob through undici, requests without a body or with bytes through node:http', async () => {
    const fetch = createNodeFetch({ engine: 'auto' });
    const echo = async (init: RequestInit & { duplex?: 'half' }) =>
      (await (await fetch(`${base}/echo`, { redirect: 'manual', ...init })).json()) as {
        body: string;
        fetchMode: string | null;
      };
    const streamed = new Blob(['streamed']).stream();
    expect(await echo({ method: 'PUT', body: streamed, duplex: 'half' })).toMatchObject({
      body: 'streamed',
      fetchMode: 'cors',
    });
    expect(await echo({ method: 'PUT', body: 'bytes' })).toMatchObject({
      body: 'bytes',
      fetchMode: null,
    });
    expect(await echo({ method: 'GET' })).toMatchObject({ fetchMode: null });
    // node:http takes no Blob: it goes through undici.
    expect(await echo({ method: 'PUT', body: new Blob(['blob']) })).toMatchObject({
      body: 'blob',
      fetchMode: 'cors',
    });
  });
});
