import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { digestBytes, isOciError } from '@ocikit/digest';
import { afterEach, describe, expect, it } from 'vitest';
import { createRegistryHandler } from './handler.ts';
import { listen, type RunningRegistry } from './node-adapter.node.ts';

let running: RunningRegistry | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function start(onRequest: () => void = () => {}): Promise<RunningRegistry> {
  const handler = createRegistryHandler();
  running = await listen((request) => {
    onRequest();
    return handler(request);
  });
  return running;
}

/** Sends a request whose path goes on the wire exactly as written. */
async function raw(
  server: RunningRegistry,
  method: string,
  path: string,
  body?: Uint8Array,
): Promise<{ status: number; headers: IncomingMessage['headers']; text: string }> {
  const request = httpRequest({
    host: server.url.hostname,
    port: server.url.port,
    method,
    path,
    headers: body ? { 'content-length': String(body.byteLength) } : {},
  });
  request.end(body);
  const [response] = (await once(request, 'response')) as [IncomingMessage];
  let text = '';
  for await (const chunk of response) text += chunk;
  return { status: response.statusCode ?? 0, headers: response.headers, text };
}

describe('listen: the node:http adapter', () => {
  it('listens on a free port of 127.0.0.1 and answers with the API version header', async () => {
    const server = await start();
    expect(server.host).toMatch(/^127\.0\.0\.1:\d+$/);
    const base = await fetch(new URL('/v2/', server.url));
    expect(base.status).toBe(200);
    expect(base.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
  });

  it('fails with NETWORK_ERROR, naming the address and the reason, when the port is taken', async () => {
    const server = await start();
    const taken = await listen(createRegistryHandler(), { port: Number(server.url.port) }).catch(
      (error: unknown) => error,
    );
    expect(isOciError(taken, 'NETWORK_ERROR')).toBe(true);
    expect((taken as Error).message).toContain(`"${server.host}": EADDRINUSE`);
  });

  it('never serves a path outside the API, whatever the raw path on the wire', async () => {
    const server = await start();
    const cases: [label: string, path: string, status: number][] = [
      ['dot segments', '/v2/../../etc/passwd', 404],
      ['encoded dot segments', '/v2/a/%2e%2e/%2e%2e/%2e%2e/etc/tags/list', 404],
      ['encoded slash', '/v2/a%2f..%2f..%2fetc/tags/list', 400],
      ['absolute form', 'http://elsewhere/v2/a/../../etc/tags/list', 404],
      ['garbage', '/v2/%zz/tags/list', 400],
    ];
    for (const [label, path, status] of cases) {
      const answer = await raw(server, 'GET', path);
      expect(answer.status, label).toBe(status);
      expect(JSON.parse(answer.text).errors[0].code, label).toMatch(/^NAME_(INVALID|UNKNOWN)$/);
    }
  });

  it('commits nothing when the client disconnects in the middle of an upload, and keeps serving', async () => {
    const server = await start();
    const bytes = new Uint8Array(200_000).fill(7);
    const digest = digestBytes(bytes);
    const socket = connect(Number(server.url.port), server.url.hostname);
    await once(socket, 'connect');
    socket.write(
      `POST /v2/app/blobs/uploads/?digest=${digest} HTTP/1.1\r\nHost: ${server.host}\r\nContent-Length: ${bytes.byteLength}\r\n\r\n`,
    );
    socket.write(bytes.subarray(0, 100_000));
    socket.destroy();
    await once(socket, 'close');
    const head = await raw(server, 'HEAD', `/v2/app/blobs/${digest}`);
    expect(head.status).toBe(404);
    expect((await raw(server, 'GET', '/v2/')).status).toBe(200);
  });

  it('answers the next request on a kept-alive connection after an answer that ignored a 3 MiB body', async () => {
    const server = await start();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const send = (method: string, path: string, body?: Uint8Array) =>
        new Promise<{ status: number; socket: unknown }>((resolve, reject) => {
          const request = httpRequest({
            host: server.url.hostname,
            port: server.url.port,
            method,
            path,
            agent,
          });
          request.once('error', reject);
          request.once('response', (response: IncomingMessage) => {
            response.resume();
            response.once('end', () =>
              resolve({ status: response.statusCode ?? 0, socket: request.socket }),
            );
          });
          request.end(body);
        });
      const ignored = await send('PATCH', '/v2/app/blobs/uploads/nosuch', new Uint8Array(3 << 20));
      expect(ignored.status).toBe(404);
      const next = await send('GET', '/v2/');
      expect(next.status).toBe(200);
      expect(next.socket).toBe(ignored.socket);
    } finally {
      agent.destroy();
    }
  });

  it('streams a chunked PATCH body of 5 MiB in 64 KiB writes into the upload in order', async () => {
    const server = await start();
    const bytes = new Uint8Array(randomBytes(5 << 20));
    const digest = digestBytes(bytes);
    const started = await fetch(new URL('/v2/app/blobs/uploads/', server.url), { method: 'POST' });
    const location = new URL(started.headers.get('location') ?? '', server.url);
    const request = httpRequest(location, { method: 'PATCH' });
    for (let at = 0; at < bytes.byteLength; at += 1 << 16) {
      if (!request.write(bytes.subarray(at, at + (1 << 16)))) await once(request, 'drain');
    }
    request.end();
    const [patched] = (await once(request, 'response')) as [IncomingMessage];
    patched.resume();
    expect(patched.statusCode).toBe(202);
    expect(patched.headers.range).toBe(`0-${bytes.byteLength - 1}`);
    location.searchParams.set('digest', digest);
    expect((await fetch(location, { method: 'PUT' })).status).toBe(201);
    const blob = await fetch(new URL(`/v2/app/blobs/${digest}`, server.url));
    expect(digestBytes(new Uint8Array(await blob.arrayBuffer()))).toBe(digest);
  });

  it('finishes a request in flight before close() resolves, and refuses new connections', async () => {
    let arrived = () => {};
    const seen = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const server = await start(() => arrived());
    const bytes = new Uint8Array(1000).fill(1);
    const digest = digestBytes(bytes);
    const upload = httpRequest({
      host: server.url.hostname,
      port: server.url.port,
      method: 'POST',
      path: `/v2/app/blobs/uploads/?digest=${digest}`,
      headers: { 'content-length': '1000' },
    });
    upload.write(bytes.subarray(0, 500));
    upload.flushHeaders();
    const responded = once(upload, 'response') as Promise<[IncomingMessage]>;
    await seen;
    const closing = server.close();
    upload.end(bytes.subarray(500));
    const [response] = await responded;
    response.resume();
    expect(response.statusCode).toBe(201);
    await closing;
    running = undefined;
    await expect(fetch(new URL('/v2/', server.url))).rejects.toThrow();
  });

  it('close() cuts at once the connections with no request in flight: silent, or headers half sent', async () => {
    // The grace period is far longer than the test timeout: waiting for one
    // of these connections fails the test.
    const server = await listen(createRegistryHandler(), { gracePeriod: 60_000 });
    const silent = connect(Number(server.url.port), server.url.hostname);
    const halfway = connect(Number(server.url.port), server.url.hostname);
    await Promise.all([once(silent, 'connect'), once(halfway, 'connect')]);
    halfway.write('PUT /v2/app/blobs/uploads/x HTTP/1.1\r\nHost: registry\r\n');
    await new Promise((resolve) => setTimeout(resolve, 50)); // the server has seen both
    await Promise.all([server.close(), once(silent, 'close'), once(halfway, 'close')]);
    expect([silent.destroyed, halfway.destroyed]).toEqual([true, true]);
  });
});

describe('the access log of listen', () => {
  it('writes a startup line with the address, then one JSON line per request with no query, upload session id or Authorization', async () => {
    const lines: string[] = [];
    running = await listen(createRegistryHandler(), { log: (line) => lines.push(line) });
    const base = running.url.origin;
    const secret = 'Bearer s3cr3t-token';
    await (
      await fetch(`${base}/v2/?_state=s3cr3t-state`, { headers: { authorization: secret } })
    ).text();
    const bytes = new TextEncoder().encode('twelve bytes');
    const digest = digestBytes(bytes);
    const opened = await fetch(`${base}/v2/team/app/blobs/uploads/`, { method: 'POST' });
    const location = new URL(opened.headers.get('location') ?? '', base);
    const sessionId = location.pathname.split('/').at(-1) ?? '';
    await fetch(location, { method: 'PATCH', body: bytes });
    await fetch(`${location.href}?digest=${digest}`, { method: 'PUT' });
    await (await fetch(`${base}/v2/team/app/blobs/${digest}`)).arrayBuffer();
    await (await fetch(`${base}/v2/Bad..Name/tags/list`)).text();
    await running.close(); // every request has finished, and so has its log line
    running = undefined;

    expect(JSON.parse(lines[0] ?? '')).toEqual({ listening: `${base}/` });
    const entries = lines.slice(1).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries.map(({ ms, ...rest }) => rest)).toEqual([
      { method: 'GET', path: '/v2/', status: 200, received: 0, bytes: 2 },
      { method: 'POST', path: '/v2/team/app/blobs/uploads/', status: 202, received: 0, bytes: 0 },
      {
        method: 'PATCH',
        path: '/v2/team/app/blobs/uploads/*',
        status: 202,
        received: 12,
        bytes: 0,
      },
      { method: 'PUT', path: '/v2/team/app/blobs/uploads/*', status: 201, received: 0, bytes: 0 },
      { method: 'GET', path: `/v2/team/app/blobs/${digest}`, status: 200, received: 0, bytes: 12 },
      {
        method: 'GET',
        path: '/v2/Bad..Name/tags/list',
        status: 400,
        received: 0,
        bytes: expect.any(Number),
      },
    ]);
    for (const entry of entries) expect(typeof entry.ms).toBe('number');
    const all = lines.join('\n');
    for (const hidden of ['s3cr3t', sessionId, 'digest=']) expect(all).not.toContain(hidden);
  });
});
