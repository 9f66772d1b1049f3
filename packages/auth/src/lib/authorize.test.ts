import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testdata/http-server.node.ts';
import { authorizationFor } from './authorize.ts';
import { encodeBasicAuth } from './basic-auth.ts';
import { parseChallenges } from './challenge.ts';
import type { Credential } from './credential.ts';
import { repositoryScope } from './scope.ts';
import { TokenCache } from './token-cache.ts';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('authorizationFor', () => {
  it('answers Bearer with a token for the challenge scopes plus the extra ones', async () => {
    server = await startTestServer((request) => ({
      body: { token: `t-${request.query.getAll('scope').join('+')}` },
    }));
    const tokens = new TokenCache();
    const challenges = parseChallenges([
      'Basic realm="fallback"',
      `Bearer realm="${server.origin}/token",service="svc",scope="repository:target:push,pull"`,
    ]);
    const header = await authorizationFor(challenges, {
      tokens,
      scopes: [repositoryScope('source', ['pull'])],
    });
    expect(header).toBe('Bearer t-repository:target:pull,push+repository:source:pull');
    expect(server.requests[0]?.query.get('service')).toBe('svc');
    const again = await authorizationFor(challenges, {
      tokens,
      scopes: [repositoryScope('source', ['pull'])],
    });
    expect(again).toBe(header);
    expect(server.requests).toHaveLength(1);
    await authorizationFor(challenges, {
      tokens,
      scopes: ['repository:source:pull'],
      refresh: true,
    });
    expect(server.requests).toHaveLength(2);
  });

  it('answers each scheme with what the credential allows', async () => {
    server = await startTestServer(() => ({ body: { token: 'from-server' } }));
    const bearer = parseChallenges(`Bearer realm="${server.origin}/token"`);
    const basic = parseChallenges('Basic realm="r"');
    const other = parseChallenges('Negotiate abc==');
    const user: Credential = { username: 'u', password: 'p' };
    const cases: [
      label: string,
      challenges: typeof basic,
      credential: Credential | undefined,
      header: string | undefined,
    ][] = [
      ['bearer, anonymous', bearer, undefined, 'Bearer from-server'],
      ['bearer, registry token used as is', bearer, { registryToken: 'rt' }, 'Bearer rt'],
      ['basic with a password', basic, user, `Basic ${encodeBasicAuth('u', 'p')}`],
      ['basic without credentials', basic, undefined, undefined],
      ['basic with an identity token', basic, { identityToken: 'x' }, undefined],
      ['unknown scheme', other, user, undefined],
      ['no challenge', [], user, undefined],
    ];
    for (const [label, challenges, credential, header] of cases) {
      expect(
        await authorizationFor(challenges, { tokens: new TokenCache(), credential }),
        label,
      ).toBe(header);
    }
  });

  it('rejects a Bearer challenge without a realm', async () => {
    await expect(
      authorizationFor(parseChallenges('Bearer service="s"'), { tokens: new TokenCache() }),
    ).rejects.toMatchObject({ code: 'CHALLENGE_INVALID' });
  });
});
