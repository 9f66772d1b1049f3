import { encodeBasicAuth, parseChallenges } from '@ocikit/auth';
import { digestBytes, isOciError } from '@ocikit/digest';
import bcrypt from 'bcryptjs';
import { decodeJwt, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { createRegistryHandler } from './handler.ts';
import { type TokenAuthOptions, tokenAuth } from './token-auth.ts';

const htpasswd = `alice:${bcrypt.hashSync('wonderland', 4)}\nbob:${bcrypt.hashSync('builder', 4)}\n`;
const BASE = 'http://registry.test';
const grants: TokenAuthOptions['grants'] = [
  { repositories: 'public/*', actions: ['pull'], users: 'anyone' },
  { repositories: 'team/*', actions: ['pull'], users: 'authenticated' },
  { repositories: 'team/*', actions: ['push', 'delete'], users: ['alice'] },
];

function setup(options: Partial<TokenAuthOptions> = {}) {
  const handler = createRegistryHandler({ auth: tokenAuth({ grants, htpasswd, ...options }) });
  const token = async (query: string, authorization?: string) => {
    const answer = await handler(
      new Request(`${BASE}/token?${query}`, {
        headers: authorization === undefined ? {} : { authorization },
      }),
    );
    expect(answer.status).toBe(200);
    return ((await answer.json()) as { token: string }).token;
  };
  const call = (path: string, token?: string, init: RequestInit = {}) =>
    handler(
      new Request(`${BASE}${path}`, {
        ...init,
        headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      }),
    );
  return { handler, token, call };
}

const alice = `Basic ${encodeBasicAuth('alice', 'wonderland')}`;
const bob = `Basic ${encodeBasicAuth('bob', 'builder')}`;

async function errorCode(answer: Response): Promise<string> {
  return ((await answer.json()) as { errors: { code: string }[] }).errors[0]?.code ?? '';
}

describe('tokenAuth behind createRegistryHandler (Request level)', () => {
  it('answers 401 with a Bearer challenge naming the realm, service and the scope a request needs', async () => {
    const { call } = setup({ service: 'reg.test' });
    const cases: [label: string, path: string, method: string, scope: string | undefined][] = [
      ['base', '/v2/', 'GET', undefined],
      ['manifest GET', '/v2/team/app/manifests/v1', 'GET', 'repository:team/app:pull'],
      ['manifest PUT', '/v2/team/app/manifests/v1', 'PUT', 'repository:team/app:pull,push'],
      ['manifest DELETE', '/v2/team/app/manifests/v1', 'DELETE', 'repository:team/app:delete'],
      ['upload cancel', '/v2/team/app/blobs/uploads/x', 'DELETE', 'repository:team/app:pull,push'],
      ['catalog', '/v2/_catalog', 'GET', 'registry:catalog:*'],
    ];
    for (const [label, path, method, scope] of cases) {
      const answer = await call(path, undefined, { method });
      expect(answer.status, label).toBe(401);
      expect(await errorCode(answer), label).toBe('UNAUTHORIZED');
      const [challenge] = parseChallenges(answer.headers);
      expect(challenge?.scheme.toLowerCase(), label).toBe('bearer');
      expect(challenge?.params, label).toEqual({
        realm: `${BASE}/token`,
        service: 'reg.test',
        ...(scope === undefined ? {} : { scope }),
      });
    }
  });

  it('issues tokens at GET /token: anonymous callers get the anyone grants, users theirs, a wrong password is 401', async () => {
    const { handler, token } = setup();
    const scope = 'scope=repository:team/app:pull,push,delete&scope=repository:public/x:pull,push';
    const access = async (authorization?: string) =>
      decodeJwt(await token(scope, authorization)).access as unknown[];
    expect(await access()).toEqual([
      { type: 'repository', name: 'team/app', actions: [] },
      { type: 'repository', name: 'public/x', actions: ['pull'] },
    ]);
    expect(await access(bob)).toEqual([
      { type: 'repository', name: 'team/app', actions: ['pull'] },
      { type: 'repository', name: 'public/x', actions: ['pull'] },
    ]);
    expect(await access(alice)).toEqual([
      { type: 'repository', name: 'team/app', actions: ['delete', 'pull', 'push'] },
      { type: 'repository', name: 'public/x', actions: ['pull'] },
    ]);
    const claims = decodeJwt(await token('scope=repository:team/app:pull', alice));
    expect(claims).toMatchObject({ iss: 'ocikit', aud: 'ocikit', sub: 'alice' });
    const wrong = await handler(
      new Request(`${BASE}/token?scope=repository:team/app:pull`, {
        headers: { authorization: `Basic ${encodeBasicAuth('alice', 'nope')}` },
      }),
    );
    expect(wrong.status).toBe(401);
    const otherService = await handler(new Request(`${BASE}/token?service=elsewhere`));
    expect(otherService.status).toBe(400);
    const badScope = await handler(new Request(`${BASE}/token?scope=nonsense`));
    expect(badScope.status).toBe(400);
  });

  it('lets a token through, 403 DENIED when it names the repository without the action, 401 insufficient_scope when it does not name it', async () => {
    const { token, call } = setup();
    const bobs = await token('scope=repository:team/app:pull,push', bob);
    const cases: [label: string, path: string, method: string, status: number, code?: string][] = [
      ['base', '/v2/', 'GET', 200],
      ['pull granted', '/v2/team/app/tags/list', 'GET', 404, 'NAME_UNKNOWN'],
      ['push refused', '/v2/team/app/blobs/uploads/', 'POST', 403, 'DENIED'],
      ['other repository', '/v2/team/other/tags/list', 'GET', 401, 'UNAUTHORIZED'],
    ];
    for (const [label, path, method, status, code] of cases) {
      const answer = await call(path, bobs, { method });
      expect(answer.status, label).toBe(status);
      if (code) expect(await errorCode(answer), label).toBe(code);
      if (status === 401) {
        expect(parseChallenges(answer.headers)[0]?.params.error, label).toBe('insufficient_scope');
      }
    }
    const alices = await token('scope=repository:team/app:pull,push', alice);
    expect((await call('/v2/team/app/blobs/uploads/', alices, { method: 'POST' })).status).toBe(
      202,
    );
  });

  it('refuses expired tokens, tokens for another service, tokens signed by another key and refresh tokens', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const keys = await generateKeyPair('ES256');
    const { token, call, handler } = setup({ keys, now: () => now, lifetime: 60 });
    const good = await token('scope=repository:team/app:pull', alice);
    expect((await call('/v2/team/app/tags/list', good)).status).toBe(404);

    const other = setup({ keys, service: 'elsewhere', now: () => now });
    const foreign = setup({ now: () => now });
    const post = await handler(
      new Request(`${BASE}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=password&username=alice&password=wonderland&client_id=t&access_type=offline',
      }),
    );
    const { refresh_token: refresh } = (await post.json()) as { refresh_token: string };
    const cases: [label: string, token: string][] = [
      ['another service (aud)', await other.token('scope=repository:team/app:pull', alice)],
      ['another key', await foreign.token('scope=repository:team/app:pull', alice)],
      ['a refresh token', refresh],
      ['not a JWT', 'abc.def.ghi'],
      ['a tampered payload', good.replace(/\.[^.]+\./, '.e30.')],
    ];
    for (const [label, bad] of cases) {
      const answer = await call('/v2/team/app/tags/list', bad);
      expect(answer.status, label).toBe(401);
      expect(parseChallenges(answer.headers)[0]?.params.error, label).toBe('invalid_token');
    }
    now += 61_000;
    expect((await call('/v2/team/app/tags/list', good)).status, 'expired').toBe(401);
  });

  it('serves the OAuth2 password and refresh_token grants, and refuses a wrong password or a missing client_id', async () => {
    const { handler, call } = setup();
    const post = (body: string) =>
      handler(
        new Request(`${BASE}/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body,
        }),
      );
    const first = await post(
      'grant_type=password&username=alice&password=wonderland&client_id=test&access_type=offline&scope=repository:team/app:push',
    );
    expect(first.status).toBe(200);
    const issued = (await first.json()) as Record<string, unknown>;
    expect(issued).toMatchObject({ scope: 'repository:team/app:push', expires_in: 300 });
    expect(typeof issued.refresh_token).toBe('string');

    const again = await post(
      `grant_type=refresh_token&refresh_token=${issued.refresh_token}&client_id=test&scope=repository:team/app:pull`,
    );
    expect(again.status).toBe(200);
    const refreshed = (await again.json()) as { access_token: string; refresh_token?: string };
    expect(refreshed.refresh_token).toBeUndefined();
    expect((await call('/v2/team/app/tags/list', refreshed.access_token)).status).toBe(404);

    const cases: [label: string, body: string, status: number][] = [
      ['wrong password', 'grant_type=password&username=alice&password=x&client_id=t', 401],
      ['bad refresh token', 'grant_type=refresh_token&refresh_token=x.y.z&client_id=t', 401],
      ['no client_id', 'grant_type=password&username=alice&password=wonderland', 400],
      ['unknown grant', 'grant_type=client_credentials&client_id=t', 400],
    ];
    for (const [label, body, status] of cases)
      expect((await post(body)).status, label).toBe(status);
  });

  it('opens a session instead of mounting from a repository the token may not pull', async () => {
    const bytes = new TextEncoder().encode('secret layer');
    const digest = digestBytes(bytes);
    const { token: token2, call: call2 } = setup({
      grants: [
        { repositories: 'drop/*', actions: ['pull', 'push'], users: ['bob'] },
        { repositories: 'team/*', actions: ['pull', 'push'], users: ['alice'] },
      ],
    });
    const alices2 = await token2('scope=repository:team/app:pull,push', alice);
    await call2(`/v2/team/app/blobs/uploads/?digest=${digest}`, alices2, {
      method: 'POST',
      body: bytes,
    });
    const bobs = await token2(
      'scope=repository:drop/x:pull,push&scope=repository:team/app:pull',
      bob,
    );
    const mount = await call2(`/v2/drop/x/blobs/uploads/?mount=${digest}&from=team/app`, bobs, {
      method: 'POST',
    });
    expect(mount.status).toBe(202);
    expect((await call2(`/v2/drop/x/blobs/${digest}`, bobs, { method: 'HEAD' })).status).toBe(404);
  });

  it('signs with RS256 keys and refuses keys of another algorithm at construction', async () => {
    const keys = await generateKeyPair('RS256');
    const { token, call } = setup({ keys });
    const rs = await token('scope=repository:public/x:pull');
    expect(JSON.parse(atob(rs.split('.')[0] ?? ''))).toMatchObject({ alg: 'RS256' });
    expect((await call('/v2/public/x/tags/list', rs)).status).toBe(404);
    const ed = await generateKeyPair('EdDSA');
    const error = (() => {
      try {
        tokenAuth({ grants, keys: ed });
      } catch (caught) {
        return caught;
      }
    })();
    expect(isOciError(error, 'OPTION_INVALID')).toBe(true);
  });
});
