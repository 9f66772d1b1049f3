import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import { staticCredentials } from '@ocikit/auth';
import { createCertificate, ociFailure } from '@ocikit/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostsConfig } from './hosts.ts';
import { createNodeTransport } from './node-fetch.node.ts';
import { hopRefusal } from './origin-policy.ts';

const CREDENTIALS = { username: 'alice', password: 'password-8d1f' };

/**
 * An https registry (own CA) on 127.0.0.1 whose token realm and upload
 * `Location` are on a plain-http server on another port; both record what
 * they received.
 */
const certificate = createCertificate({ commonName: 'ocikit test', altNames: ['127.0.0.1'] });
let registry: Server;
let plain: Server;
let registryHost: string;
let plainHost: string;
const atPlain: { path: string; authorization: string | undefined }[] = [];

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  plain = createServer((request: IncomingMessage, response: ServerResponse) => {
    atPlain.push({ path: request.url ?? '', authorization: request.headers.authorization });
    request.resume();
    if (request.url?.startsWith('/token')) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ token: 'plain-token' }));
      return;
    }
    response.writeHead(201).end();
  });
  plainHost = await listen(plain);
  registry = createHttpsServer(
    { key: certificate.keyPem, cert: certificate.certPem },
    (request, response) => {
      request.resume();
      if (request.url?.startsWith('/v2/upload')) {
        response.writeHead(202, { location: `http://${plainHost}/upload?_state=abc` }).end();
        return;
      }
      if (request.headers.authorization !== 'Bearer plain-token') {
        response.writeHead(401, {
          'www-authenticate': `Bearer realm="http://${plainHost}/token",service="reg"`,
        });
        response.end();
        return;
      }
      response.writeHead(200).end('{}');
    },
  );
  registryHost = await listen(registry);
});
afterAll(async () => {
  await new Promise((resolve) => registry.close(resolve));
  await new Promise((resolve) => plain.close(resolve));
});

function transport(extra: HostsConfig = {}) {
  return createNodeTransport({
    hosts: { [registryHost]: { ca: certificate.certPem }, ...extra },
    credentials: staticCredentials({ [registryHost]: CREDENTIALS }),
    retry: { retries: 0 },
  });
}

describe('the origin policy of an https registry', () => {
  it('refuses to send credentials to a plain-http token realm, unless its host is configured insecure', async () => {
    atPlain.length = 0;
    const error = await ociFailure(transport().request({ registry: registryHost, path: '/v2/' }));
    expect(error.code).toBe('CHALLENGE_INVALID');
    expect(error.message).toContain(`http://${plainHost}/token`);
    expect(error.message).not.toContain(CREDENTIALS.password);
    expect(atPlain).toEqual([]);

    const allowed = transport({ [plainHost]: { insecure: true } });
    const response = await allowed.request({ registry: registryHost, path: '/v2/' });
    expect(response.status).toBe(200);
    await response.body?.cancel();
    expect(atPlain.map((request) => request.path.split('?')[0])).toEqual(['/token']);
    expect(atPlain[0]?.authorization).toMatch(/^Basic /);
  });

  it('refuses an http upload Location handed out by an https registry, unless its host is configured insecure', async () => {
    atPlain.length = 0;
    const client = transport();
    const start = await client.request({
      registry: registryHost,
      method: 'POST',
      path: '/v2/upload',
    });
    const location = start.headers.get('location') ?? '';
    await start.body?.cancel();
    const put = (through = client) =>
      through.request({
        registry: registryHost,
        method: 'PUT',
        url: `${location}&digest=sha256:0`,
        body: new Uint8Array(4),
      });
    const error = await ociFailure(put());
    expect(error.code).toBe('REDIRECT_INVALID');
    expect(error.message).toContain(plainHost);
    expect(error.message).not.toContain('_state=abc');
    expect(atPlain).toEqual([]);

    const response = await put(transport({ [plainHost]: { plainHttp: true } }));
    expect(response.status).toBe(201);
    expect(atPlain.map((request) => request.authorization)).toEqual([undefined]);
  });
});

describe('hopRefusal', () => {
  it('refuses non-http(s) targets and https to http, unless the target host is configured insecure', () => {
    const hosts: HostsConfig = {
      'lab.example': { insecure: true },
      'plain.example': { plainHttp: true },
    };
    const cases: [label: string, from: string, to: string, refused: boolean][] = [
      ['https to https elsewhere', 'https://reg.example/v2/', 'https://cdn.example/x', false],
      ['http to http', 'http://reg.example/v2/', 'http://other.example/x', false],
      ['http up to https', 'http://reg.example/v2/', 'https://reg.example/x', false],
      ['https down to http', 'https://reg.example/v2/', 'http://cdn.example/x', true],
      [
        'https down to its own host on http',
        'https://reg.example/v2/',
        'http://reg.example/x',
        true,
      ],
      [
        'https down to loopback (not configured)',
        'https://reg.example/',
        'http://127.0.0.1:5000/',
        true,
      ],
      ['https down to an insecure host', 'https://reg.example/v2/', 'http://lab.example/x', false],
      [
        'https down to a plainHttp host',
        'https://reg.example/v2/',
        'http://plain.example/x',
        false,
      ],
      ['file URL', 'http://reg.example/v2/', 'file:///etc/passwd', true],
      ['data URL', 'https://reg.example/v2/', 'data:text/plain,x', true],
    ];
    for (const [label, from, to, refused] of cases) {
      const reason = hopRefusal(new URL(from), new URL(to), hosts);
      expect(reason !== undefined, label).toBe(refused);
    }
  });
});
