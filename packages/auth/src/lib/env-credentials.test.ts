import { describe, expect, it } from 'vitest';
import { envCredentials, parseDockerAuthConfig } from './env-credentials.ts';

const SECRET = 'env-s3cret';

describe('envCredentials', () => {
  it('reads OCIKIT_* variables for the one registry they name', async () => {
    const cases: [label: string, env: Record<string, string>, expected: unknown][] = [
      [
        'user and password',
        { OCIKIT_REGISTRY: 'ghcr.io', OCIKIT_USERNAME: 'me', OCIKIT_PASSWORD: SECRET },
        { username: 'me', password: SECRET },
      ],
      [
        'identity token',
        { OCIKIT_REGISTRY: 'ghcr.io', OCIKIT_IDENTITY_TOKEN: SECRET },
        { identityToken: SECRET },
      ],
      [
        'identity token with user',
        { OCIKIT_REGISTRY: 'ghcr.io', OCIKIT_USERNAME: 'me', OCIKIT_IDENTITY_TOKEN: SECRET },
        { identityToken: SECRET, username: 'me' },
      ],
      [
        'registry token wins',
        {
          OCIKIT_REGISTRY: 'https://GHCR.io/v2/',
          OCIKIT_USERNAME: 'me',
          OCIKIT_PASSWORD: 'p',
          OCIKIT_REGISTRY_TOKEN: SECRET,
        },
        { registryToken: SECRET },
      ],
    ];
    for (const [label, env, expected] of cases) {
      const source = envCredentials(env);
      expect(await source.get('ghcr.io'), label).toEqual(expected);
      expect(await source.get('quay.io'), label).toBeUndefined();
    }
  });

  it('maps a Docker Hub registry variable to every Hub name', async () => {
    const source = envCredentials({
      OCIKIT_REGISTRY: 'docker.io',
      OCIKIT_USERNAME: 'u',
      OCIKIT_PASSWORD: 'p',
    });
    expect(await source.get('registry-1.docker.io')).toEqual({ username: 'u', password: 'p' });
  });

  it('honours another prefix and nothing set', async () => {
    const source = envCredentials(
      { MYAPP_REGISTRY: 'a.io', MYAPP_USERNAME: 'u', MYAPP_PASSWORD: 'p', OCIKIT_REGISTRY: 'b.io' },
      { prefix: 'MYAPP_' },
    );
    expect(await source.get('a.io')).toEqual({ username: 'u', password: 'p' });
    expect(await envCredentials({}).get('a.io')).toBeUndefined();
  });

  it('rejects inconsistent variables at once, naming them and not their values', () => {
    const cases: [label: string, env: Record<string, string>, names: string[]][] = [
      [
        'secret without registry',
        { OCIKIT_PASSWORD: SECRET },
        ['OCIKIT_PASSWORD', 'OCIKIT_REGISTRY'],
      ],
      ['user without registry', { OCIKIT_USERNAME: 'me' }, ['OCIKIT_USERNAME', 'OCIKIT_REGISTRY']],
      [
        'registry without secret',
        { OCIKIT_REGISTRY: 'a.io', OCIKIT_USERNAME: 'me' },
        ['OCIKIT_PASSWORD'],
      ],
      [
        'password without user',
        { OCIKIT_REGISTRY: 'a.io', OCIKIT_PASSWORD: SECRET },
        ['OCIKIT_USERNAME'],
      ],
      [
        'colon in user',
        { OCIKIT_REGISTRY: 'a.io', OCIKIT_USERNAME: 'a:b', OCIKIT_PASSWORD: SECRET },
        ['OCIKIT_USERNAME'],
      ],
      [
        'empty registry',
        { OCIKIT_REGISTRY: '/x', OCIKIT_USERNAME: 'a', OCIKIT_PASSWORD: SECRET },
        ['OCIKIT_REGISTRY'],
      ],
    ];
    for (const [label, env, names] of cases) {
      let thrown: unknown;
      try {
        envCredentials(env);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, label).toMatchObject({ code: 'CONFIG_INVALID' });
      const { message } = thrown as Error;
      for (const name of names) expect(message, label).toContain(name);
      expect(message, label).not.toContain(SECRET);
    }
  });
});

describe('DOCKER_AUTH_CONFIG', () => {
  // docker/cli's TestParseEnvConfig and TestGetAllCredentialsFromEnvironment cases run in
  // docker-cli-vectors.node.test.ts; these are ocikit's own.
  it('names the offending field', () => {
    expect(() => parseDockerAuthConfig('{"auths":{"a.io":{"username":"u"}}}')).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        message: expect.stringContaining('"username"'),
      }),
    );
    expect(() => parseDockerAuthConfig('{"auths":{}}{}')).toThrow(
      expect.objectContaining({ message: expect.stringContaining('one JSON object') }),
    );
  });

  it('rejects other malformed values without quoting them', () => {
    const cases: [label: string, value: string][] = [
      ['not an object', '[]'],
      ['unknown top-level field', '{"auths":{},"credsStore":"x"}'],
      ['entry not an object', '{"auths":{"a.io":"x"}}'],
      ['missing auth', '{"auths":{"a.io":{}}}'],
      ['auth not base64 of user:pass', `{"auths":{"a.io":{"auth":"${btoa(SECRET)}"}}}`],
    ];
    for (const [label, value] of cases) {
      expect(() => parseDockerAuthConfig(value), label).toThrow(
        expect.objectContaining({
          code: 'CONFIG_INVALID',
          message: expect.not.stringContaining(SECRET),
        }),
      );
    }
    expect(parseDockerAuthConfig('{"auths":null}').size).toBe(0);
  });

  it('is read by envCredentials after OCIKIT_*, and ignored with a warning when malformed', async () => {
    const good = envCredentials({
      DOCKER_AUTH_CONFIG: '{"auths":{"env.example.test":{"auth":"ZW52X3VzZXI6ZW52X3Bhc3M="}}}',
    });
    expect(await good.get('env.example.test')).toEqual({
      username: 'env_user',
      password: 'env_pass',
    });
    const warnings: string[] = [];
    const malformed = envCredentials(
      { DOCKER_AUTH_CONFIG: `{"auths":{"a.io":{"username":"u","password":"${SECRET}"}}}` },
      { onWarning: (message) => warnings.push(message) },
    );
    expect(await malformed.get('a.io')).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('DOCKER_AUTH_CONFIG');
    expect(warnings[0]).not.toContain(SECRET);
    expect(await envCredentials({ DOCKER_AUTH_CONFIG: '' }).get('a.io')).toBeUndefined();
    const both = envCredentials({
      OCIKIT_REGISTRY: 'a.io',
      OCIKIT_REGISTRY_TOKEN: 't',
      DOCKER_AUTH_CONFIG: `{"auths":{"a.io":{"auth":"${btoa('u:p')}"},"b.io":{"auth":"${btoa('u:p')}"}}}`,
    });
    expect(await both.get('a.io')).toEqual({ registryToken: 't' });
    expect(await both.get('b.io')).toEqual({ username: 'u', password: 'p' });
    const disabled = envCredentials(
      { DOCKER_AUTH_CONFIG: `{"auths":{"b.io":{"auth":"${btoa('u:p')}"}}}` },
      {
        dockerAuthConfig: false,
      },
    );
    expect(await disabled.get('b.io')).toBeUndefined();
  });
});
