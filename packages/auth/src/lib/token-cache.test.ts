import { afterEach, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestReply, type TestServer } from '../testdata/http-server.node.ts';
import type { Credential } from './credential.ts';
import { TokenCache, type TokenCacheOptions } from './token-cache.ts';

let servers: TestServer[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
});

/** A token server that numbers its tokens; `hold` keeps requests open until released. */
async function numberingServer(options: { expiresIn?: number; hold?: Promise<void> } = {}) {
  let issued = 0;
  const server = await startTestServer(async (): Promise<TestReply> => {
    issued += 1;
    const token = `token-${issued}`;
    await options.hold;
    return { body: { token, expires_in: options.expiresIn ?? 300 } };
  });
  servers.push(server);
  return server;
}

function clock(start = Date.parse('2030-01-01T00:00:00Z')) {
  const state = { now: start };
  return { state, now: () => state.now };
}

describe('TokenCache', () => {
  it('reuses a token until the refresh margin, then gets a new one', async () => {
    const server = await numberingServer({ expiresIn: 300 });
    const time = clock();
    const cache = new TokenCache({ now: time.now, refreshMargin: 10_000 });
    const request = {
      realm: `${server.origin}/token`,
      service: 's',
      scopes: ['repository:a:pull'],
    };
    expect((await cache.get(request)).token).toBe('token-1');
    time.state.now += 289_000;
    expect((await cache.get(request)).token).toBe('token-1');
    time.state.now += 1_000;
    expect((await cache.get(request)).token).toBe('token-2');
    expect(server.requests).toHaveLength(2);
    expect(cache.size).toBe(1);
    expect((await cache.get(request, { refresh: true })).token).toBe('token-3');
    expect((await cache.get(request)).token).toBe('token-3');
  });

  it('expires by the default clock too (fake Date)', async () => {
    const server = await numberingServer({ expiresIn: 120 });
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.parse('2030-01-01T00:00:00Z'));
    const cache = new TokenCache();
    const request = { realm: `${server.origin}/token` };
    expect((await cache.get(request)).token).toBe('token-1');
    vi.setSystemTime(Date.parse('2030-01-01T00:01:49Z'));
    expect((await cache.get(request)).token).toBe('token-1');
    vi.setSystemTime(Date.parse('2030-01-01T00:01:51Z'));
    expect((await cache.get(request)).token).toBe('token-2');
  });

  it('keys by realm, service, sorted scopes and credential', async () => {
    const server = await numberingServer();
    const cache = new TokenCache({ now: clock().now });
    const realm = `${server.origin}/token`;
    const alice: Credential = { username: 'alice', password: 'a' };
    const cases: [label: string, request: Parameters<TokenCache['get']>[0], token: string][] = [
      [
        'first',
        { realm, service: 's', scopes: ['repository:a:push,pull', 'repository:b:pull'] },
        'token-1',
      ],
      [
        'same scopes in another order',
        {
          realm,
          service: 's',
          scopes: ['repository:b:pull', 'repository:a:pull', 'repository:a:push'],
        },
        'token-1',
      ],
      ['other scopes', { realm, service: 's', scopes: ['repository:a:pull'] }, 'token-2'],
      ['other service', { realm, service: 't', scopes: ['repository:a:pull'] }, 'token-3'],
      [
        'a credential',
        { realm, service: 't', scopes: ['repository:a:pull'], credential: alice },
        'token-4',
      ],
      [
        'same credential, new object',
        {
          realm,
          service: 't',
          scopes: ['repository:a:pull'],
          credential: { username: 'alice', password: 'a' },
        },
        'token-4',
      ],
      [
        'same user, other password',
        {
          realm,
          service: 't',
          scopes: ['repository:a:pull'],
          credential: { username: 'alice', password: 'b' },
        },
        'token-5',
      ],
      [
        'other realm',
        { realm: `${realm}?x`, service: 't', scopes: ['repository:a:pull'] },
        'token-6',
      ],
    ];
    for (const [label, request, token] of cases) {
      expect((await cache.get(request)).token, label).toBe(token);
    }
  });

  it('shares one request among concurrent callers (single-flight)', async () => {
    let release: () => void = () => {};
    const hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    const server = await numberingServer({ hold });
    const cache = new TokenCache({ now: clock().now });
    const request = { realm: `${server.origin}/token`, scopes: ['repository:a:pull'] };
    const pending = Array.from({ length: 10 }, () => cache.get(request));
    const other = cache.get({ ...request, scopes: ['repository:b:pull'] });
    await waitFor(() => server.requests.length === 2);
    release();
    const tokens = await Promise.all(pending);
    expect(new Set(tokens.map((token) => token.token)).size).toBe(1);
    expect((await other).token).not.toBe(tokens[0]?.token);
    expect(server.requests).toHaveLength(2);
  });

  it('lets one caller give up without cancelling the others, and cancels when all have', async () => {
    let release: () => void = () => {};
    const hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    const server = await numberingServer({ hold });
    const cache = new TokenCache({ now: clock().now });
    const request = { realm: `${server.origin}/token` };
    const leaving = new AbortController();
    const first = cache.get(request, { signal: leaving.signal });
    const second = cache.get(request);
    await waitFor(() => server.requests.length === 1);
    leaving.abort();
    await expect(first).rejects.toMatchObject({ code: 'ABORTED' });
    release();
    expect((await second).token).toBe('token-1');

    const lonely = new AbortController();
    const hanging = await startTestServer(() => new Promise<TestReply>(() => {}));
    servers.push(hanging);
    const alone = cache.get({ realm: `${hanging.origin}/token` }, { signal: lonely.signal });
    await waitFor(() => hanging.requests.length === 1);
    lonely.abort();
    await expect(alone).rejects.toMatchObject({ code: 'ABORTED' });
    const again = cache.get({ realm: `${hanging.origin}/token` }, { signal: lonely.signal });
    await expect(again).rejects.toMatchObject({ code: 'ABORTED' });
    const fresh = new AbortController();
    const retried = cache.get({ realm: `${hanging.origin}/token` }, { signal: fresh.signal });
    await waitFor(() => hanging.requests.length === 2);
    fresh.abort();
    await expect(retried).rejects.toMatchObject({ code: 'ABORTED' });
    await expect(cache.get(request, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'ABORTED',
    });
  });

  it('does not cache failures, and forgets on invalidate and clear', async () => {
    let fail = true;
    let issued = 0;
    const server = await startTestServer(() => {
      issued += 1;
      return fail ? { status: 503 } : { body: { token: `token-${issued}` } };
    });
    servers.push(server);
    const cache = new TokenCache({ now: clock().now });
    const request = { realm: `${server.origin}/token` };
    await expect(cache.get(request)).rejects.toMatchObject({ code: 'HTTP_UNEXPECTED_STATUS' });
    fail = false;
    expect((await cache.get(request)).token).toBe('token-2');
    expect(cache.invalidate(request)).toBe(true);
    expect(cache.invalidate(request)).toBe(false);
    expect((await cache.get(request)).token).toBe('token-3');
    cache.clear();
    expect(cache.size).toBe(0);
    expect((await cache.get(request)).token).toBe('token-4');
  });

  it('keeps at most maxEntries tokens, dropping expired then oldest', async () => {
    const server = await numberingServer({ expiresIn: 60 });
    const time = clock();
    const cache = new TokenCache({ now: time.now, maxEntries: 2 });
    const request = (name: string) => ({
      realm: `${server.origin}/token`,
      scopes: [`repository:${name}:pull`],
    });
    await cache.get(request('a'));
    await cache.get(request('b'));
    await cache.get(request('c'));
    expect(cache.size).toBe(2);
    expect((await cache.get(request('c'))).token).toBe('token-3');
    expect((await cache.get(request('a'))).token).toBe('token-4');
  });

  it('validates its options', () => {
    const cases: [label: string, options: TokenCacheOptions][] = [
      ['negative margin', { refreshMargin: -1 }],
      ['margin of a whole minimum lifetime', { refreshMargin: 60_000 }],
      ['no entries', { maxEntries: 0 }],
      ['bad limit', { maxResponseBytes: -5 }],
    ];
    for (const [label, options] of cases) {
      expect(() => new TokenCache(options), label).toThrow(
        expect.objectContaining({ code: 'OPTION_INVALID' }),
      );
    }
  });
});

/** Polls a condition on the event loop (no timers), for requests to reach a real server. */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let round = 0; round < 10_000 && !condition(); round += 1) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  expect(condition()).toBe(true);
}
