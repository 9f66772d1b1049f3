import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OciError } from '@ocikit/digest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendFollowingRedirects } from './send.ts';

interface Seen {
  method: string;
  path: string;
  authorization: string | undefined;
  body: string;
}

/** A real server on 127.0.0.1 whose routes redirect as each test needs, recording what it got. */
let server: Server;
let base: string;
const seen: Seen[] = [];

async function readBody(request: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of request) text += chunk;
  return text;
}

beforeAll(async () => {
  server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    seen.push({
      method: request.method ?? '',
      path: url.pathname,
      authorization: request.headers.authorization,
      body: await readBody(request),
    });
    if (url.pathname === '/loop') {
      response.writeHead(301, { location: '/loop' }).end();
      return;
    }
    const hop = url.pathname.match(/^\/hop\/(\d+)$/);
    if (hop) {
      response.writeHead(302, { location: `/hop/${Number(hop[1]) + 1}` }).end();
      return;
    }
    const status = Number(url.searchParams.get('status') ?? 0);
    const to = url.searchParams.get('to');
    if (status && to) {
      response.writeHead(status, { location: to }).end();
      return;
    }
    response.writeHead(200).end('done');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

function send(path: string, method: string, body?: string | ReadableStream<Uint8Array>) {
  seen.length = 0;
  return sendFollowingRedirects(
    new URL(`${base}${path}`),
    {
      method,
      headers: { authorization: 'Bearer secret' },
      ...(body === undefined ? {} : { body }),
    },
    {
      fetch: (input, init) => fetch(input, init),
      signal: undefined,
      timeoutMs: 5000,
      maxRedirects: 3,
    },
  );
}

describe('sendFollowingRedirects', () => {
  it('refuses the opaque redirect a browser fetch gives back', async () => {
    const opaque = Object.defineProperty(new Response(null, { status: 200 }), 'type', {
      value: 'opaqueredirect',
    });
    const error = await sendFollowingRedirects(
      new URL('https://reg.example/v2/'),
      { method: 'GET', headers: {} },
      { fetch: async () => opaque, signal: undefined, timeoutMs: 1000, maxRedirects: 3 },
    ).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect((error as OciError).code).toBe('REDIRECT_INVALID');
  });

  it('keeps method, body and credentials on a same-origin 307', async () => {
    const response = await send('/a?status=307&to=/b', 'PUT', 'payload');
    expect(await response.text()).toBe('done');
    expect(
      seen.map(({ method, path, authorization, body }) => [method, path, authorization, body]),
    ).toEqual([
      ['PUT', '/a', 'Bearer secret', 'payload'],
      ['PUT', '/b', 'Bearer secret', 'payload'],
    ]);
  });

  it('turns a 303 into a GET without a body', async () => {
    await (await send('/a?status=303&to=/b', 'POST', 'payload')).body?.cancel();
    expect(seen.map(({ method, body }) => [method, body])).toEqual([
      ['POST', 'payload'],
      ['GET', ''],
    ]);
  });

  it('drops credentials when the origin changes (another port is another origin)', async () => {
    const other = base.replace('127.0.0.1', 'localhost');
    await (
      await send(`/a?status=302&to=${encodeURIComponent(`${other}/b`)}`, 'GET')
    ).body?.cancel();
    expect(seen.map(({ authorization }) => authorization)).toEqual(['Bearer secret', undefined]);
  });

  it('refuses to resend a streamed body on a 307, too many hops, and odd schemes', async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('once'));
        controller.close();
      },
    });
    const cases: [label: string, run: () => Promise<Response>][] = [
      ['streamed body', () => send('/a?status=307&to=/b', 'PUT', stream)],
      ['too many hops', () => send('/hop/0', 'GET')],
      [
        'file scheme',
        () => send(`/a?status=302&to=${encodeURIComponent('file:///etc/passwd')}`, 'GET'),
      ],
      ['loop', () => send('/loop', 'GET')],
    ];
    for (const [label, run] of cases) {
      const error = await run().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error, label).toBeInstanceOf(OciError);
      expect((error as OciError).code, label).toBe('REDIRECT_INVALID');
    }
  });
});
