import { describe, expect, it } from 'vitest';
import type { CredentialSource } from './credential.ts';
import { chainCredentials, staticCredentials } from './sources.ts';

describe('staticCredentials', () => {
  const source = staticCredentials({
    'https://index.docker.io/v1/': { username: 'hub', password: 'hub-pass' },
    'ghcr.io': { registryToken: 'ghcr-token' },
    'https://localhost:5000/v2/': { identityToken: 'refresh', username: 'me' },
    'quay.io/team': { username: 'team', password: 'team-pass' },
  });

  it('answers by host, with Docker and containers key rules', async () => {
    const cases: [
      label: string,
      host: string,
      repository: string | undefined,
      username: unknown,
    ][] = [
      ['Hub API endpoint', 'registry-1.docker.io', undefined, 'hub'],
      ['Hub name', 'docker.io', 'library/ubuntu', 'hub'],
      ['URL key', 'localhost:5000', undefined, 'me'],
      ['namespace', 'quay.io', 'team/app', 'team'],
      ['namespace does not cover the host', 'quay.io', 'other/app', undefined],
      ['unknown host', 'example.com', undefined, undefined],
      ['port differs', 'localhost:5001', undefined, undefined],
    ];
    for (const [label, host, repository, username] of cases) {
      const credential = await source.get(host, { repository });
      expect(credential && 'username' in credential ? credential.username : undefined, label).toBe(
        username,
      );
    }
    expect(await source.get('GHCR.IO')).toEqual({ registryToken: 'ghcr-token' });
  });

  it('accepts a Map and rejects malformed credentials at once, without the secret', () => {
    expect(() =>
      staticCredentials(new Map([['a.io', { username: 'u', password: 'p' }]])),
    ).not.toThrow();
    const cases: [label: string, credential: unknown][] = [
      ['no secret', { username: 'u' }],
      ['two secrets', { username: 'u', password: 'hunter2', registryToken: 'hunter2' }],
      ['empty token', { identityToken: '' }],
      ['colon in user name', { username: 'a:b', password: 'hunter2' }],
      ['password without user', { password: 'hunter2' }],
      ['not an object', 'hunter2'],
    ];
    for (const [label, credential] of cases) {
      let thrown: unknown;
      try {
        staticCredentials({ 'a.io': credential as never });
      } catch (error) {
        thrown = error;
      }
      expect(thrown, label).toMatchObject({
        code: 'OPTION_INVALID',
        message: expect.stringContaining('"a.io"'),
      });
      expect(String((thrown as Error).message), label).not.toContain('hunter2');
    }
  });

  it('honours an aborted signal', async () => {
    await expect(source.get('ghcr.io', { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'ABORTED',
    });
  });
});

describe('chainCredentials', () => {
  it('returns the first credential found and lets errors through', async () => {
    const calls: string[] = [];
    const recording = (name: string, answer: CredentialSource['get']): CredentialSource => ({
      get: (host, options) => {
        calls.push(name);
        return answer(host, options);
      },
    });
    const chain = chainCredentials([
      recording('empty', async () => undefined),
      recording('static', async (host) =>
        host === 'a.io' ? { username: 'a', password: 'p' } : undefined,
      ),
      recording('broken', async () => {
        throw Object.assign(new Error('boom'), { code: 'CONFIG_INVALID' });
      }),
    ]);
    expect(await chain.get('a.io')).toEqual({ username: 'a', password: 'p' });
    expect(calls).toEqual(['empty', 'static']);
    await expect(chain.get('b.io')).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(chain.get('a.io', { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'ABORTED',
    });
    expect(await chainCredentials([]).get('a.io')).toBeUndefined();
  });
});
