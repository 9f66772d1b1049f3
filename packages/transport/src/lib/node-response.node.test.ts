import { randomBytes } from 'node:crypto';
import { Agent, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorCode, ociFailure } from '@ocikit/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeHttpResponse } from './node-http.node.ts';

const blob = randomBytes(512 * 1024);
/** A body far beyond what the socket buffers and the response's queue hold. */
const BIG = 64 * 1024 * 1024;
/** How many bytes of the big body the server got out so far. */
let bigSent = 0;
let server: Server;
let base: string;
const agent = new Agent({ keepAlive: true });

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/headers') {
      response.writeHead(201, 'Made It', [
        ['X-Many', 'one'],
        ['x-many', 'two'],
        ['Set-Cookie', 'a=1'],
        ['Set-Cookie', 'b=2'],
        ['Content-Type', 'Text/Plain'],
      ]);
      response.end('\ufeffhello');
      return;
    }
    if (request.url === '/json') {
      response.end('{"answer":42}');
      return;
    }
    if (request.url === '/form') {
      response.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded' });
      response.end('name=ocikit&kind=cli');
      return;
    }
    if (request.url === '/cut') {
      response.writeHead(200, { 'content-length': 64 });
      response.write('cut short', () => response.socket?.destroy());
      return;
    }
    if (request.url === '/big') {
      bigSent = 0;
      const chunk = Buffer.alloc(64 * 1024);
      const write = (): void => {
        while (bigSent < BIG) {
          bigSent += chunk.byteLength;
          if (!response.write(chunk)) {
            response.once('drain', write);
            return;
          }
        }
        response.end();
      };
      write();
      return;
    }
    response.end(blob);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  agent.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** The code of what a synchronous call throws (an `OciError`), or `'no error'`. */
const codeOf = (call: () => unknown) => errorCode(Promise.resolve().then(call));

const get = (path: string, method = 'GET') =>
  nodeHttpResponse(new URL(path, base), { method }, agent, 5000);

describe('the Response of a node:http answer, against a real HTTP server', () => {
  it('has the status, reason, url and headers of the answer, repeats joined and Set-Cookie apart', async () => {
    const response = await get('/headers');
    expect([response.status, response.statusText, response.ok]).toEqual([201, 'Made It', true]);
    expect([response.url, response.type, response.redirected]).toEqual([
      `${base}/headers`,
      'default',
      false,
    ]);
    const { headers } = response;
    expect(headers.get('X-MANY')).toBe('one, two');
    expect(headers.get('set-cookie')).toBe('a=1, b=2');
    expect(headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect([headers.has('Content-Type'), headers.has('x-absent'), headers.get('x-absent')]).toEqual(
      [true, false, null],
    );
    const pairs = [...headers].filter(([name]) => name !== 'date');
    expect(pairs).toEqual([
      ['connection', 'keep-alive'],
      ['content-type', 'Text/Plain'],
      ['keep-alive', 'timeout=5'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
      ['transfer-encoding', 'chunked'],
      ['x-many', 'one, two'],
    ]);
    const seen: string[] = [];
    headers.forEach((value, name, parent) => {
      expect(parent).toBe(headers);
      if (name.startsWith('x-')) seen.push(`${name}=${value}`);
    });
    expect(seen).toEqual(['x-many=one, two']);
    expect([...headers.keys()]).toEqual(
      pairs
        .map(([name]) => name)
        .concat('date')
        .sort(),
    );
    expect([...headers.values()]).toContain('one, two');
    expect(String(headers)).toBe('[object Headers]');
    expect(
      await Promise.all([
        codeOf(() => headers.set('x-many', 'three')),
        codeOf(() => headers.append('x-new', 'one')),
        codeOf(() => headers.delete('x-many')),
      ]),
    ).toEqual(['OPTION_INVALID', 'OPTION_INVALID', 'OPTION_INVALID']);
    expect(headers.get('x-many')).toBe('one, two');
    // As `text()` decodes UTF-8: a byte order mark is dropped.
    expect(await response.text()).toBe('hello');
  });

  it('reads the body once as bytes, text, JSON, a Blob or form data; a second read fails with OPTION_INVALID', async () => {
    const bytes = await get('/blob');
    expect(bytes.bodyUsed).toBe(false);
    expect(Buffer.from(await bytes.arrayBuffer()).equals(blob)).toBe(true);
    expect(bytes.bodyUsed).toBe(true);
    expect((await ociFailure(bytes.text())).code).toBe('OPTION_INVALID');
    expect(await (await get('/json')).json()).toEqual({ answer: 42 });
    // One chunk, a view of the socket's buffer: the ArrayBuffer holds the body alone.
    expect((await (await get('/json')).arrayBuffer()).byteLength).toBe('{"answer":42}'.length);
    const typed = await (await get('/headers')).blob();
    expect([typed.type, typed.size]).toEqual(['text/plain', 8]);
    const form = await (await get('/form')).formData();
    expect([form.get('name'), form.get('kind')]).toEqual(['ocikit', 'cli']);
    await expect((await get('/headers')).json()).rejects.toThrow(SyntaxError);
    const locked = await get('/blob');
    const reader = (locked.body as ReadableStream<Uint8Array>).getReader();
    expect((await ociFailure(locked.arrayBuffer())).code).toBe('OPTION_INVALID');
    await reader.cancel();
  });

  it('has no body for HEAD, and reading it gives no bytes', async () => {
    const head = await get('/blob', 'HEAD');
    expect([head.body, head.bodyUsed]).toEqual([null, false]);
    expect((await head.bytes()).byteLength).toBe(0);
    expect(await head.clone().text()).toBe('');
  });

  it('clones into two responses that each read the whole body, and refuses to clone a used one', async () => {
    const response = await get('/blob');
    const copy = response.clone();
    expect([copy.status, copy.url, copy.headers.get('content-length')]).toEqual([
      200,
      response.url,
      response.headers.get('content-length'),
    ]);
    const [one, two] = await Promise.all([response.bytes(), copy.bytes()]);
    expect(Buffer.from(one).equals(blob)).toBe(true);
    expect(Buffer.from(two).equals(blob)).toBe(true);
    expect(await codeOf(() => response.clone())).toBe('OPTION_INVALID');
  });

  it('rejects a read of a body cut short by the server', async () => {
    await expect((await get('/cut')).text()).rejects.toThrow();
  });

  it('holds the server back while nobody reads the body, then delivers every byte', async () => {
    const response = await get('/big');
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Socket buffers and the response's 128 KiB queue hold a few MiB at most.
    expect(bigSent).toBeLessThan(BIG / 2);
    let length = 0;
    for await (const chunk of response.body as ReadableStream<Uint8Array>) {
      length += chunk.byteLength;
    }
    expect([length, bigSent]).toEqual([BIG, BIG]);
  });
});
