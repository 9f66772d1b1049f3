import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { staticCredentials } from '@ocikit/auth';
import { OciError } from '@ocikit/digest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorFromResponse } from './response-error.ts';
import { redactEchoedSecrets, SentSecrets } from './secrets.ts';
import type { TraceEvent } from './trace.ts';
import { Transport } from './transport.ts';

const USER = 'alice';
const PASSWORD = 'p@ss w/rd+Secret!42';
const TOKEN = 'tok.EchoedBearerToken-9f8e7d';

/**
 * A real registry on 127.0.0.1 that challenges (Basic on /basic/, Bearer
 * with a token realm on /bearer/) and then answers with the status in the
 * path and an error body echoing the Authorization header it got, in the
 * message, the detail (as a value and a key) and decoded.
 */
let server: Server;
let host: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    if (url.pathname === '/token') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ token: TOKEN, expires_in: 300 }));
      return;
    }
    const [, , scheme, status] = url.pathname.split('/');
    const authorization = request.headers.authorization;
    if (authorization === undefined) {
      response.writeHead(401, {
        'www-authenticate':
          scheme === 'bearer'
            ? `Bearer realm="http://${host}/token",service="echo"`
            : 'Basic realm="echo"',
      });
      response.end();
      return;
    }
    const value = authorization.slice(authorization.indexOf(' ') + 1);
    if (scheme === 'reason') {
      response.writeHead(Number(status), `echo ${authorization} ${PASSWORD}`);
      response.end();
      return;
    }
    const decoded = scheme === 'basic' ? Buffer.from(value, 'base64').toString() : value;
    response.writeHead(Number(status), {
      'content-type': 'application/json',
      'x-echo': authorization,
    });
    response.end(
      JSON.stringify({
        errors: [
          {
            code: Number(status) === 403 ? 'DENIED' : 'UNKNOWN',
            message: `bad Authorization: ${authorization} (${decoded}, ${encodeURIComponent(decoded)})`,
            detail: {
              header: authorization,
              [value]: [{ decoded }],
              form: `password=${encodeURIComponent(PASSWORD)}`,
            },
          },
        ],
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

function transport(events: TraceEvent[]) {
  return new Transport({
    hosts: { [host]: { plainHttp: true } },
    credentials: staticCredentials({ [host]: { username: USER, password: PASSWORD } }),
    retry: { retries: 0 },
    onTrace: (event) => events.push(event),
  });
}

/** Every place an error (and the trace) can show a secret. */
function exposures(error: OciError, events: TraceEvent[]): [where: string, text: string][] {
  return [
    ['message', error.message],
    ['stack', String(error.stack)],
    ['inspect', inspect(error, { depth: Number.POSITIVE_INFINITY })],
    ['JSON', JSON.stringify(error)],
    ['cause', inspect(error.cause, { depth: Number.POSITIVE_INFINITY })],
    ['detail', JSON.stringify(error.detail) ?? ''],
    ['trace', JSON.stringify(events)],
  ];
}

const basic = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
const SECRETS: [form: string, value: string][] = [
  ['password', PASSWORD],
  ['password URL-encoded', encodeURIComponent(PASSWORD)],
  ['password form-encoded', new URLSearchParams({ p: PASSWORD }).toString().slice(2)],
  ['user:password', `${USER}:${PASSWORD}`],
  ['Basic base64', basic],
  ['bearer token', TOKEN],
];

describe('errors from responses that echo the credentials sent', () => {
  it('keep the Basic credential and bearer token out of message, stack, inspect, JSON, cause, detail and trace', async () => {
    const cases: [label: string, path: string, code: string][] = [
      ['Basic, 403 through the transport', '/v2/basic/403/x', 'DENIED'],
      ['Basic, 500 through errorFromResponse', '/v2/basic/500/x', 'UNKNOWN'],
      ['Bearer, 403 through the transport', '/v2/bearer/403/x', 'DENIED'],
      ['Bearer, 500 through errorFromResponse', '/v2/bearer/500/x', 'UNKNOWN'],
      [
        'Basic, 500 with the secret in its reason phrase',
        '/v2/reason/500/x',
        'HTTP_UNEXPECTED_STATUS',
      ],
    ];
    for (const [label, path, code] of cases) {
      const events: TraceEvent[] = [];
      const client = transport(events);
      const error = await client.request({ registry: host, path }).then(
        (response) => errorFromResponse(response, `Cannot get ${path}`),
        (caught: unknown) => caught as OciError,
      );
      expect(error, label).toBeInstanceOf(OciError);
      expect(error.code, label).toBe(code);
      expect(error.message, label).toContain('<redacted>');
      for (const [where, text] of exposures(error, events)) {
        for (const [form, secret] of SECRETS) {
          expect(text, `${label}: ${form} in ${where}`).not.toContain(secret);
        }
      }
    }
  });

  it('redactEchoedSecrets removes them from a header of a response the transport returned', async () => {
    const response = await transport([]).request({ registry: host, path: '/v2/basic/500/x' });
    await response.body?.cancel();
    const echoed = response.headers.get('x-echo') ?? '';
    expect(echoed).toContain(basic);
    expect(redactEchoedSecrets(response, echoed)).toBe('Basic <redacted>');
    expect(redactEchoedSecrets(new Response(null), echoed)).toBe(echoed);
  });
});

describe('SentSecrets', () => {
  it('knows each credential kind in the forms it is sent in, and cuts deep detail', () => {
    const secrets = new SentSecrets();
    secrets.addCredential({ username: 'bob', identityToken: 'id/tok en' });
    secrets.addCredential({ registryToken: 'reg-token-1' });
    secrets.addAuthorization('Bearer bearer-2');
    const cases: [label: string, echoed: string][] = [
      ['identity token', 'id/tok en'],
      ['identity token URL-encoded', encodeURIComponent('id/tok en')],
      ['identity token form-encoded', 'id%2Ftok+en'],
      ['identity token as Basic', Buffer.from('bob:id/tok en').toString('base64')],
      ['registry token', 'reg-token-1'],
      ['bearer token', 'bearer-2'],
    ];
    for (const [label, echoed] of cases) {
      expect(secrets.redact(`got ${echoed}.`), label).toBe('got <redacted>.');
    }
    let deep: unknown = 'bearer-2';
    for (let level = 0; level < 40; level += 1) deep = [deep];
    expect(JSON.stringify(secrets.redactValue({ 'bearer-2': deep }))).toMatch(
      /^\{"<redacted>":\[+"…"\]+\}$/,
    );
  });
});
