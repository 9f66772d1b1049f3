import { describe, expect, it } from 'vitest';
import { entryCredential, parseDockerConfig } from './docker-config.ts';

const PATH = '/home/me/.docker/config.json';
const SECRET = 'c0nfig-s3cret';

describe('parseDockerConfig', () => {
  it('reads auths, credHelpers and credsStore, and tolerates everything else', () => {
    const config = parseDockerConfig(
      JSON.stringify({
        auths: { 'ghcr.io': { auth: btoa('me:pat'), email: 'me@example.com' }, 'quay.io': null },
        credHelpers: { 'gcr.io': 'gcloud', '123.dkr.ecr.us-east-1.amazonaws.com': 'ecr-login' },
        credsStore: 'desktop',
        psFormat: 'table {{.ID}}',
        proxies: { default: { httpProxy: 'http://proxy' } },
      }),
      PATH,
    );
    expect(config.path).toBe(PATH);
    expect([...config.auths.keys()]).toEqual(['ghcr.io']);
    expect(Object.fromEntries(config.credHelpers)).toEqual({
      'gcr.io': 'gcloud',
      '123.dkr.ecr.us-east-1.amazonaws.com': 'ecr-login',
    });
    expect(config.credsStore).toBe('desktop');
    expect(parseDockerConfig('  \n', PATH)).toEqual({
      path: PATH,
      auths: new Map(),
      credHelpers: new Map(),
    });
    expect(parseDockerConfig('{"credsStore":""}', PATH).credsStore).toBeUndefined();
  });

  it('fails with CONFIG_INVALID naming the file and the place, never the content', () => {
    const cases: [label: string, text: string, contains: string][] = [
      ['truncated JSON', `{"auths":{"a.io":{"auth":"${SECRET}"`, 'line 1 column'],
      [
        'JSON on a later line',
        `{\n  "auths": {\n    "a.io": { "auth": "${SECRET}" },,\n  }\n}`,
        'line 3 column',
      ],
      ['not an object', `["${SECRET}"]`, 'not a JSON object'],
      ['auths not an object', `{"auths":"${SECRET}"}`, '"auths" is not an object'],
      ['entry not an object', `{"auths":{"a.io":"${SECRET}"}}`, 'auths["a.io"] is not an object'],
      [
        'field not a string',
        `{"auths":{"a.io":{"auth":["${SECRET}"]}}}`,
        'auths["a.io"].auth is not a string',
      ],
      [
        'helper path',
        '{"credsStore":"../../bin/sh"}',
        'credsStore is not a credential helper name',
      ],
      ['helper not a string', '{"credHelpers":{"a.io":7}}', 'credHelpers["a.io"]'],
    ];
    for (const [label, text, contains] of cases) {
      let thrown: unknown;
      try {
        parseDockerConfig(text, PATH);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, label).toMatchObject({ name: 'OciError', code: 'CONFIG_INVALID' });
      const { message } = thrown as Error;
      expect(message, label).toContain(PATH);
      expect(message, label).toContain(contains);
      expect(message, label).not.toContain(SECRET);
    }
  });
});

describe('entryCredential', () => {
  it('ranks registry token, identity token, then user and password, as Docker does', () => {
    const cases: [
      label: string,
      entry: Parameters<typeof entryCredential>[0],
      expected: unknown,
    ][] = [
      ['auth', { auth: btoa('joejoe:hello') }, { username: 'joejoe', password: 'hello' }],
      [
        'clear fields',
        { username: 'user', password: 'pass' },
        { username: 'user', password: 'pass' },
      ],
      [
        'auth wins over clear fields',
        { auth: btoa('a:b'), username: 'c', password: 'd' },
        { username: 'a', password: 'b' },
      ],
      [
        'identity token with user from auth',
        { auth: btoa('me:'), identitytoken: 'rt' },
        { identityToken: 'rt', username: 'me' },
      ],
      ['identity token alone', { identitytoken: 'rt' }, { identityToken: 'rt' }],
      [
        'registry token wins',
        { auth: btoa('a:b'), identitytoken: 'rt', registrytoken: 'bt' },
        { registryToken: 'bt' },
      ],
      ['empty entry beside a helper', {}, undefined],
      ['email only', { username: '' }, undefined],
    ];
    for (const [label, entry, expected] of cases) {
      expect(entryCredential(entry, '"a.io" in config.json'), label).toEqual(expected);
    }
  });

  it('rejects an auth that is not base64 of user:password, without quoting it', () => {
    for (const auth of [SECRET, btoa(SECRET), btoa(`:${SECRET}`)]) {
      expect(() => entryCredential({ auth }, '"a.io" in config.json'), auth).toThrow(
        expect.objectContaining({
          code: 'CONFIG_INVALID',
          message: expect.stringMatching(/^(?!.*c0nfig).*"a\.io" in config\.json/),
        }),
      );
    }
  });
});
