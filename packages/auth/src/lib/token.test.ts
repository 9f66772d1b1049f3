import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestReply, type TestServer } from '../testdata/http-server.node.ts';
import { encodeBasicAuth } from './basic-auth.ts';
import type { Credential } from './credential.ts';
import { repositoryScope } from './scope.ts';
import { fetchToken, MIN_TOKEN_LIFETIME_SECONDS, type TokenRequest } from './token.ts';

const NOW = Date.parse('2030-01-01T00:00:00Z');
const now = () => NOW;
const ALICE: Credential = { username: 'alice', password: 'alice-pw' };

let servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
});

async function serve(handler: Parameters<typeof startTestServer>[0]): Promise<TestServer> {
  const server = await startTestServer(handler);
  servers.push(server);
  return server;
}

/** A token server that accepts alice (GET with Basic, POST password) and one refresh token. */
async function tokenServer(
  reply: (issued: string) => TestReply = (token) => ({ body: { token } }),
) {
  return serve((request) => {
    if (request.path !== '/token') return { status: 404 };
    if (request.method === 'GET') {
      const authorization = request.headers.authorization;
      if (authorization === undefined) return reply('anonymous-token');
      if (authorization === `Basic ${encodeBasicAuth('alice', 'alice-pw')}`)
        return reply('alice-token');
      return { status: 401, body: { errors: [{ code: 'UNAUTHORIZED', message: 'bad' }] } };
    }
    const form = new URLSearchParams(request.body);
    if (
      form.get('grant_type') === 'refresh_token' &&
      form.get('refresh_token') === 'good-refresh'
    ) {
      return reply('refreshed-token');
    }
    if (form.get('grant_type') === 'password' && form.get('password') === 'alice-pw') {
      return reply('oauth-token');
    }
    return { status: 401, body: { error: 'invalid_grant' } };
  });
}

describe('fetchToken', () => {
  it('uses the flow each credential calls for', async () => {
    const server = await tokenServer();
    const realm = `${server.origin}/token`;
    const cases: [
      label: string,
      credential: Credential | undefined,
      forceOAuth: boolean,
      token: string,
      method: string,
    ][] = [
      ['anonymous GET', undefined, false, 'anonymous-token', 'GET'],
      ['password GET with Basic', ALICE, false, 'alice-token', 'GET'],
      ['password POST with forceOAuth', ALICE, true, 'oauth-token', 'POST'],
      ['identity token POST', { identityToken: 'good-refresh' }, false, 'refreshed-token', 'POST'],
    ];
    for (const [label, credential, forceOAuth, token, method] of cases) {
      const before = server.requests.length;
      const result = await fetchToken(
        { realm, service: 'reg', scopes: [], credential },
        { now, forceOAuth },
      );
      expect(result.token, label).toBe(token);
      expect(
        server.requests.slice(before).map((request) => request.method),
        label,
      ).toEqual([method]);
    }
  });

  it('sends service, repeated scopes and account on GET', async () => {
    const server = await tokenServer();
    await fetchToken(
      {
        realm: `${server.origin}/token?existing=1`,
        service: 'registry.example',
        scopes: [
          'repository:target:push',
          repositoryScope('source', ['pull']),
          'repository:target:pull',
        ],
        credential: ALICE,
      },
      { now, headers: { 'user-agent': 'ocikit-test' } },
    );
    const [request] = server.requests;
    expect(request?.query.get('existing')).toBe('1');
    expect(request?.query.get('service')).toBe('registry.example');
    expect(request?.query.getAll('scope')).toEqual([
      'repository:target:pull,push',
      'repository:source:pull',
    ]);
    expect(request?.query.get('account')).toBe('alice');
    expect(request?.headers['user-agent']).toBe('ocikit-test');
    expect(request?.query.has('offline_token')).toBe(false);
  });

  it('sends the OAuth2 form on POST, with client_id and access_type', async () => {
    const server = await tokenServer((token) => ({
      body: { access_token: token, refresh_token: 'new-refresh' },
    }));
    const token = await fetchToken(
      {
        realm: `${server.origin}/token`,
        service: 'svc',
        scopes: ['repository:a:pull', 'repository:b:push'],
        credential: { identityToken: 'good-refresh', username: 'alice' },
      },
      { now, offlineToken: true, clientId: 'my-client' },
    );
    expect(token.refreshToken).toBe('new-refresh');
    const [request] = server.requests;
    expect(request?.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(Object.fromEntries(new URLSearchParams(request?.body))).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'good-refresh',
      client_id: 'my-client',
      service: 'svc',
      scope: 'repository:a:pull repository:b:push',
      access_type: 'offline',
    });
    const passwordServer = await tokenServer();
    await fetchToken(
      { realm: `${passwordServer.origin}/token`, credential: ALICE },
      { now, forceOAuth: true },
    );
    expect(Object.fromEntries(new URLSearchParams(passwordServer.requests[0]?.body))).toEqual({
      grant_type: 'password',
      username: 'alice',
      password: 'alice-pw',
      client_id: 'ocikit',
    });
  });

  it('asks for a refresh token on GET with offline_token', async () => {
    const server = await tokenServer((token) => ({ body: { token, refresh_token: 'r' } }));
    const token = await fetchToken(
      { realm: `${server.origin}/token`, credential: ALICE },
      { now, offlineToken: true },
    );
    expect(token.refreshToken).toBe('r');
    expect(server.requests[0]?.query.get('offline_token')).toBe('true');
    expect(server.requests[0]?.query.get('client_id')).toBe('ocikit');
  });

  it('falls back from POST to GET like containerd', async () => {
    const cases: [label: string, credential: Credential, postStatus: number, fellBack: boolean][] =
      [
        ['password, 404', ALICE, 404, true],
        ['password, 405', ALICE, 405, true],
        ['password, 401 (JFrog)', ALICE, 401, true],
        ['password, 400 (ACR)', ALICE, 400, true],
        ['password, 500', ALICE, 500, false],
        ['identity token, 404', { identityToken: 'rt', username: 'alice' }, 404, true],
        ['identity token, 405', { identityToken: 'rt' }, 405, true],
        ['identity token, 401', { identityToken: 'rt' }, 401, false],
      ];
    for (const [label, credential, postStatus, fellBack] of cases) {
      const server = await serve((request) =>
        request.method === 'POST' ? { status: postStatus } : { body: { token: 'from-get' } },
      );
      const outcome = await fetchToken(
        { realm: `${server.origin}/token`, credential },
        { now, forceOAuth: true },
      ).then(
        (token) => token.token,
        (error: { code: string }) => error.code,
      );
      if (fellBack) {
        expect(outcome, label).toBe('from-get');
        expect(
          server.requests.map((request) => request.method),
          label,
        ).toEqual(['POST', 'GET']);
      } else {
        expect(outcome, label).not.toBe('from-get');
        expect(server.requests, label).toHaveLength(1);
      }
    }
  });

  it('sends an identity token as Basic on the GET fallback', async () => {
    const server = await serve((request) =>
      request.method === 'POST' ? { status: 404 } : { body: { token: 't' } },
    );
    await fetchToken(
      { realm: `${server.origin}/token`, credential: { identityToken: 'rt' } },
      { now },
    );
    expect(server.requests[1]?.headers.authorization).toBe(
      `Basic ${encodeBasicAuth('<token>', 'rt')}`,
    );
    expect(server.requests[1]?.query.has('account')).toBe(false);
  });

  it('reads token or access_token, expires_in and issued_at', async () => {
    const minimum = MIN_TOKEN_LIFETIME_SECONDS * 1000;
    const cases: [label: string, body: object, token: string, expiresAt: number][] = [
      ['token, no expiry', { token: 'a' }, 'a', NOW + minimum],
      ['access_token wins', { token: 'a', access_token: 'b' }, 'b', NOW + minimum],
      ['empty access_token ignored', { token: 'a', access_token: '' }, 'a', NOW + minimum],
      ['expires_in', { token: 'a', expires_in: 300 }, 'a', NOW + 300_000],
      ['expires_in below the minimum', { token: 'a', expires_in: 5 }, 'a', NOW + minimum],
      ['expires_in not a number', { token: 'a', expires_in: '300' }, 'a', NOW + minimum],
      [
        'issued_at in the past',
        { token: 'a', expires_in: 300, issued_at: new Date(NOW - 100_000).toISOString() },
        'a',
        NOW + 200_000,
      ],
      [
        'issued_at in the future (clock skew)',
        { token: 'a', expires_in: 300, issued_at: new Date(NOW + 100_000).toISOString() },
        'a',
        NOW + 300_000,
      ],
      [
        'issued_at so old the token would be expired',
        { token: 'a', expires_in: 60, issued_at: '2001-01-01T00:00:00Z' },
        'a',
        NOW + minimum,
      ],
      ['issued_at garbage', { token: 'a', issued_at: 'yesterday' }, 'a', NOW + minimum],
    ];
    for (const [label, body, token, expiresAt] of cases) {
      const server = await serve(() => ({ body }));
      const result = await fetchToken({ realm: `${server.origin}/token` }, { now });
      expect(result, label).toEqual({ token, expiresAt });
    }
  });

  it('turns bad answers into coded errors that name the host and never the password', async () => {
    const cases: [
      label: string,
      reply: TestReply,
      credential: Credential | undefined,
      code: string,
      contains: string[],
    ][] = [
      [
        '401 with credentials',
        { status: 401 },
        ALICE,
        'UNAUTHORIZED',
        ['127.0.0.1', 'user "alice"', '401'],
      ],
      ['401 anonymous', { status: 401 }, undefined, 'UNAUTHORIZED', ['127.0.0.1', 'anonymous']],
      [
        '401 with an OAuth error code',
        { status: 401, body: { error: 'invalid_grant', error_description: 'alice-pw is wrong' } },
        ALICE,
        'UNAUTHORIZED',
        ['invalid_grant'],
      ],
      ['403', { status: 403 }, ALICE, 'DENIED', ['repository:a:push', 'user "alice"']],
      ['429', { status: 429 }, undefined, 'TOOMANYREQUESTS', ['127.0.0.1']],
      ['500', { status: 500, body: 'alice-pw' }, ALICE, 'HTTP_UNEXPECTED_STATUS', ['500']],
      ['not JSON', { body: 'alice-pw is not json' }, ALICE, 'TOKEN_INVALID', ['not JSON']],
      ['JSON array', { body: [] }, ALICE, 'TOKEN_INVALID', ['not an object']],
      ['no token', { body: { expires_in: 60 } }, ALICE, 'TOKEN_INVALID', ['without a token']],
      ['empty body', { body: '' }, ALICE, 'TOKEN_INVALID', ['not JSON']],
      [
        'token with a newline',
        { body: { token: 'a\r\nX-Evil: 1' } },
        ALICE,
        'TOKEN_INVALID',
        ['printable'],
      ],
    ];
    for (const [label, reply, credential, code, contains] of cases) {
      const server = await serve(() => reply);
      const error = await fetchToken(
        { realm: `${server.origin}/token`, scopes: ['repository:a:push'], credential },
        { now },
      ).catch((caught: unknown) => caught);
      expect(error, label).toMatchObject({ name: 'OciError', code });
      const { message } = error as Error;
      for (const part of contains) expect(message, label).toContain(part);
      expect(message, label).not.toContain('alice-pw');
    }
  });

  it('bounds the response with SIZE_EXCEEDED, declared or streamed', async () => {
    const big = JSON.stringify({ token: 'x'.repeat(2000) });
    const server = await serve(() => ({ body: big }));
    await expect(
      fetchToken({ realm: `${server.origin}/token` }, { now, maxResponseBytes: 1000 }),
    ).rejects.toMatchObject({ code: 'SIZE_EXCEEDED', message: expect.stringContaining('1000') });
    const chunked = await serve(() => ({ body: big, headers: { 'transfer-encoding': 'chunked' } }));
    await expect(
      fetchToken({ realm: `${chunked.origin}/token` }, { now, maxResponseBytes: 1000 }),
    ).rejects.toMatchObject({ code: 'SIZE_EXCEEDED' });
    expect((await fetchToken({ realm: `${server.origin}/token` }, { now })).token).toHaveLength(
      2000,
    );
  });

  it('returns a registry token as it is, without a request', async () => {
    const token = await fetchToken(
      { realm: 'https://unreachable.invalid/token', credential: { registryToken: 'as-is' } },
      { fetch: () => Promise.reject(new TypeError('must not be called')) },
    );
    expect(token).toEqual({ token: 'as-is', expiresAt: Number.POSITIVE_INFINITY });
  });

  it('rejects a realm that is not an http(s) URL', async () => {
    const cases: [label: string, realm: string][] = [
      ['relative', '/token'],
      ['other scheme', 'ftp://auth.example/token'],
      ['user info', 'https://user:pw@auth.example/token'],
    ];
    for (const [label, realm] of cases) {
      const error = await fetchToken({ realm }, { now }).catch((caught: unknown) => caught);
      expect(error, label).toMatchObject({ code: 'CHALLENGE_INVALID' });
      expect((error as Error).message, label).not.toContain('pw');
    }
  });

  it('fails with NETWORK_ERROR when nothing listens', async () => {
    const server = await serve(() => ({}));
    await server.close();
    await expect(
      fetchToken({ realm: `${server.origin}/token`, credential: ALICE }, { now }),
    ).rejects.toMatchObject({
      code: 'NETWORK_ERROR',
      message: expect.stringContaining('127.0.0.1'),
    });
  });

  it('follows a same-origin redirect for a GET with credentials, and no other', async () => {
    const target = await tokenServer();
    const redirecting = await serve((request) =>
      request.path === '/old'
        ? { status: 307, headers: { location: '/token' } }
        : { body: { token: 'same-origin' } },
    );
    const token = await fetchToken(
      { realm: `${redirecting.origin}/old`, credential: ALICE },
      { now },
    );
    expect(token.token).toBe('same-origin');
    expect(redirecting.requests[1]?.headers.authorization).toBe(
      `Basic ${encodeBasicAuth('alice', 'alice-pw')}`,
    );

    const crossOrigin = await serve(() => ({
      status: 302,
      headers: { location: `${target.origin}/token` },
    }));
    await expect(
      fetchToken({ realm: `${crossOrigin.origin}/token`, credential: ALICE }, { now }),
    ).rejects.toMatchObject({ code: 'REDIRECT_INVALID', status: 302 });
    expect(target.requests).toHaveLength(0);
    await expect(
      fetchToken(
        { realm: `${crossOrigin.origin}/token`, credential: { identityToken: 'rt' } },
        { now },
      ),
    ).rejects.toMatchObject({ code: 'REDIRECT_INVALID' });
    const loop = await serve(() => ({ status: 302, headers: { location: '/again' } }));
    await expect(
      fetchToken({ realm: `${loop.origin}/token`, credential: ALICE }, { now }),
    ).rejects.toMatchObject({
      code: 'REDIRECT_INVALID',
    });
    expect(loop.requests).toHaveLength(6);
    const anonymous = await fetchToken({ realm: `${crossOrigin.origin}/token` }, { now });
    expect(anonymous.token).toBe('anonymous-token');
  });

  it('is cancelled by its signal, before and during the request', async () => {
    const request: TokenRequest = { realm: 'http://127.0.0.1:1/token' };
    await expect(fetchToken(request, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'ABORTED',
    });
    let arrived: () => void = () => {};
    const reached = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const hanging = await serve(() => {
      arrived();
      return new Promise<TestReply>(() => {});
    });
    const controller = new AbortController();
    const pending = fetchToken({ realm: `${hanging.origin}/token` }, { signal: controller.signal });
    await reached;
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('validates its options', async () => {
    const cases: [label: string, options: Parameters<typeof fetchToken>[1]][] = [
      ['zero limit', { maxResponseBytes: 0 }],
      ['fractional limit', { maxResponseBytes: 1.5 }],
      ['empty client id', { clientId: '' }],
    ];
    for (const [label, options] of cases) {
      await expect(fetchToken({ realm: 'https://a/token' }, options), label).rejects.toMatchObject({
        code: 'OPTION_INVALID',
      });
    }
  });
});
