import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHelperBed, type HelperBed } from '../testdata/helper-bed.node.ts';
import { startTestServer, type TestReply, type TestServer } from '../testdata/http-server.node.ts';
import { encodeBasicAuth } from './basic-auth.ts';
import { parseDockerConfig } from './docker-config.ts';
import { dockerConfigCredentials } from './docker-sources.node.ts';
import { envCredentials, parseDockerAuthConfig } from './env-credentials.ts';
import { login } from './login.node.ts';
import { staticCredentials } from './sources.ts';
import { fetchToken } from './token.ts';
import { TokenCache } from './token-cache.ts';

/** The secret every failure path below is given; it must never come back out. */
const SECRET = 'Sup3r-S3cret-Valu3';
/** The forms a secret takes on the wire and on disk. */
const FORMS = [
  SECRET,
  encodeBasicAuth('alice', SECRET),
  btoa(SECRET),
  encodeURIComponent(SECRET),
  btoa(`alice:${SECRET}`).slice(4, 20),
];

/** Everything an error shows: message, stack, string, JSON, and the inspected cause chain. */
function surfaces(error: unknown): string[] {
  const shown: string[] = [String(error), JSON.stringify(error), inspect(error, { depth: 20 })];
  for (
    let current: unknown = error, depth = 0;
    current instanceof Error && depth < 10;
    depth += 1
  ) {
    shown.push(current.message, current.stack ?? '');
    current = current.cause;
  }
  return shown;
}

let bed: HelperBed;
let server: TestServer;
let reply: TestReply = {};
beforeAll(async () => {
  bed = await createHelperBed();
  server = await startTestServer(() => reply);
});
afterAll(async () => {
  await server.close();
  await bed.cleanup();
});

async function failure(action: () => unknown): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('secrets', () => {
  it('never appear in an error, whatever fails', async () => {
    const realm = `${server.origin}/token`;
    const basic = { username: 'alice', password: SECRET };
    const closed = await startTestServer(() => ({}));
    await closed.close();
    const dockerDir = join(bed.dir, 'docker');
    await mkdir(dockerDir, { recursive: true });
    await bed.install('echo', { echo: true });
    await bed.install('leaky', { fail: JSON.stringify({ Username: 'alice', Secret: SECRET }) });

    const paths: [label: string, code: string, run: () => unknown][] = [
      [
        'token 401, password',
        'UNAUTHORIZED',
        async () => {
          reply = { status: 401, body: { error: 'invalid_grant', error_description: SECRET } };
          await fetchToken({ realm, credential: basic });
        },
      ],
      [
        'token 401, identity token',
        'UNAUTHORIZED',
        async () => {
          reply = { status: 401, body: SECRET };
          await fetchToken({ realm, credential: { identityToken: SECRET } });
        },
      ],
      [
        'token 401, OAuth password grant',
        'UNAUTHORIZED',
        async () => {
          reply = { status: 401, body: { errors: [{ code: SECRET }] } };
          await fetchToken({ realm, credential: basic }, { forceOAuth: true });
        },
      ],
      [
        'token 403',
        'DENIED',
        async () => {
          reply = { status: 403, body: SECRET };
          await fetchToken({ realm, credential: basic, scopes: ['repository:a:push'] });
        },
      ],
      [
        'token 500',
        'HTTP_UNEXPECTED_STATUS',
        async () => {
          reply = { status: 500, body: SECRET };
          await fetchToken({ realm, credential: basic });
        },
      ],
      [
        'token not JSON',
        'TOKEN_INVALID',
        async () => {
          reply = { body: `oops ${SECRET}` };
          await fetchToken({ realm, credential: basic });
        },
      ],
      [
        'token unusable',
        'TOKEN_INVALID',
        async () => {
          reply = { body: { token: `${SECRET}\n` } };
          await fetchToken({ realm, credential: basic });
        },
      ],
      [
        'token too big',
        'SIZE_EXCEEDED',
        async () => {
          reply = { body: { token: SECRET.repeat(100) } };
          await fetchToken({ realm, credential: basic }, { maxResponseBytes: 100 });
        },
      ],
      [
        'token redirect across hosts',
        'REDIRECT_INVALID',
        async () => {
          reply = { status: 302, headers: { location: `http://localhost:1/token?p=${SECRET}` } };
          await fetchToken({ realm, credential: basic });
        },
      ],
      [
        'network error',
        'NETWORK_ERROR',
        () => fetchToken({ realm: `${closed.origin}/token`, credential: basic }),
      ],
      [
        'token cache, aborted',
        'ABORTED',
        () => new TokenCache().get({ realm, credential: basic }, { signal: AbortSignal.abort() }),
      ],
      [
        'realm with user info',
        'CHALLENGE_INVALID',
        () =>
          fetchToken({ realm: `https://alice:${SECRET}@auth.example/token`, credential: basic }),
      ],
      [
        'helper echoing its input on store',
        'CREDENTIAL_HELPER_FAILED',
        async () => {
          await writeFile(join(dockerDir, 'config.json'), JSON.stringify({ credsStore: 'echo' }));
          await login('a.io', basic, { env: { ...bed.env, DOCKER_CONFIG: dockerDir } });
        },
      ],
      [
        'helper failing with credentials in its output',
        'CREDENTIAL_HELPER_FAILED',
        async () => {
          await writeFile(join(dockerDir, 'config.json'), JSON.stringify({ credsStore: 'leaky' }));
          await dockerConfigCredentials({ env: { ...bed.env, DOCKER_CONFIG: dockerDir } }).get(
            'a.io',
          );
        },
      ],
      [
        'helper missing',
        'CREDENTIAL_HELPER_FAILED',
        async () => {
          await writeFile(
            join(dockerDir, 'config.json'),
            JSON.stringify({ credsStore: 'missing' }),
          );
          await login('a.io', basic, { env: { ...bed.env, DOCKER_CONFIG: dockerDir } });
        },
      ],
      [
        'malformed config file',
        'CONFIG_INVALID',
        async () => {
          await writeFile(
            join(dockerDir, 'config.json'),
            `{"auths":{"a.io":{"auth":"${btoa(`alice:${SECRET}`)}"`,
          );
          await dockerConfigCredentials({ env: { DOCKER_CONFIG: dockerDir } }).get('a.io');
        },
      ],
      [
        'config value of the wrong type',
        'CONFIG_INVALID',
        () => parseDockerConfig(`{"auths":{"a.io":{"password":["${SECRET}"]}}}`, 'config.json'),
      ],
      [
        'config auth not base64 of user:password',
        'CONFIG_INVALID',
        async () => {
          await writeFile(
            join(dockerDir, 'config.json'),
            `{"auths":{"a.io":{"auth":"${btoa(SECRET)}"}}}`,
          );
          await dockerConfigCredentials({ env: { DOCKER_CONFIG: dockerDir } }).get('a.io');
        },
      ],
      [
        'malformed config on login',
        'CONFIG_INVALID',
        async () => {
          await writeFile(join(dockerDir, 'config.json'), `{"auths":{"b.io":{"auth":"${SECRET}`);
          await login('a.io', basic, { env: { DOCKER_CONFIG: dockerDir } });
        },
      ],
      [
        'malformed DOCKER_AUTH_CONFIG',
        'CONFIG_INVALID',
        () => parseDockerAuthConfig(`{"auths":{"a.io":{"password":"${SECRET}"}}}`),
      ],
      [
        'inconsistent OCIKIT_* variables',
        'CONFIG_INVALID',
        () => envCredentials({ OCIKIT_PASSWORD: SECRET }),
      ],
      [
        'malformed static credential',
        'OPTION_INVALID',
        () =>
          staticCredentials({
            'a.io': { username: 'alice', password: SECRET, registryToken: SECRET } as never,
          }),
      ],
    ];
    for (const [label, code, run] of paths) {
      const error = await failure(run);
      expect(error, label).toMatchObject({ name: 'OciError', code });
      for (const shown of surfaces(error)) {
        for (const form of FORMS) expect(shown, label).not.toContain(form);
      }
    }
  });

  it('never appear in warnings', () => {
    const warnings: string[] = [];
    envCredentials(
      { DOCKER_AUTH_CONFIG: `{"auths":{"a.io":{"auth":"${btoa(SECRET)}"}}}` },
      { onWarning: (message) => warnings.push(message) },
    );
    expect(warnings).toHaveLength(1);
    for (const form of FORMS) expect(warnings[0]).not.toContain(form);
  });
});
