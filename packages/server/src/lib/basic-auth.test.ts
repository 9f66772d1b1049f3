import { encodeBasicAuth } from '@ocikit/auth';
import { isOciError } from '@ocikit/digest';
import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { htpasswdAuth, parseHtpasswd } from './basic-auth.ts';
import { createRegistryHandler } from './handler.ts';

const htpasswd = `# users\nalice:${bcrypt.hashSync('wonderland', 4)}\n\nbob:${bcrypt.hashSync('builder', 4)}\n`;

describe('htpasswdAuth behind createRegistryHandler', () => {
  it('answers 401 with a Basic challenge unless the credentials match an htpasswd entry', async () => {
    const handler = createRegistryHandler({ auth: htpasswdAuth(htpasswd, { realm: 'test' }) });
    const ask = (authorization?: string) =>
      handler(
        new Request('http://registry.test/v2/', {
          headers: authorization === undefined ? {} : { authorization },
        }),
      );
    const cases: [label: string, authorization: string | undefined, status: number][] = [
      ['no credentials', undefined, 401],
      ['right password', `Basic ${encodeBasicAuth('alice', 'wonderland')}`, 200],
      ['right password again', `Basic ${encodeBasicAuth('alice', 'wonderland')}`, 200],
      ['second user', `Basic ${encodeBasicAuth('bob', 'builder')}`, 200],
      ['wrong password', `Basic ${encodeBasicAuth('alice', 'wonderland!')}`, 401],
      ['another user’s password', `Basic ${encodeBasicAuth('bob', 'wonderland')}`, 401],
      ['unknown user', `Basic ${encodeBasicAuth('carol', 'wonderland')}`, 401],
      ['not base64', 'Basic %%%', 401],
      ['no colon', `Basic ${btoa('alice')}`, 401],
      ['bearer scheme', 'Bearer abc', 401],
    ];
    for (const [label, authorization, status] of cases) {
      const answer = await ask(authorization);
      expect(answer.status, label).toBe(status);
      if (status === 401) {
        expect(answer.headers.get('www-authenticate'), label).toBe('Basic realm="test"');
        expect((await answer.json()).errors[0].code, label).toBe('UNAUTHORIZED');
      }
    }
  });

  it('refuses an htpasswd line without a bcrypt hash, without quoting it', () => {
    const cases: [label: string, text: string][] = [
      ['MD5 (apr1)', 'alice:$apr1$abc$secretsecretsecret\n'],
      ['SHA1', 'alice:{SHA}secretsecret=\n'],
      ['no user', `:${bcrypt.hashSync('x', 4)}\n`],
      ['plain text', 'alice:secret\n'],
    ];
    for (const [label, text] of cases) {
      let error: unknown;
      try {
        parseHtpasswd(text);
      } catch (caught) {
        error = caught;
      }
      expect(isOciError(error, 'CONFIG_INVALID'), label).toBe(true);
      expect((error as Error).message, label).not.toContain('secret');
    }
    expect([...parseHtpasswd(htpasswd).keys()]).toEqual(['alice', 'bob']);
  });
});
