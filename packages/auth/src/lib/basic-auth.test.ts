import { describe, expect, it } from 'vitest';
import { decodeBasicAuth, encodeBasicAuth } from './basic-auth.ts';

describe('encodeBasicAuth and decodeBasicAuth', () => {
  it('round-trip user names and passwords', () => {
    const cases: [label: string, username: string, password: string, encoded: string][] = [
      ['plain', 'ken', 'test', 'a2VuOnRlc3Q='],
      ['another', 'joejoe', 'hello', 'am9lam9lOmhlbGxv'],
      ['colon in the password', 'user', 'pa:ss', 'dXNlcjpwYTpzcw=='],
      ['empty password', 'user', '', 'dXNlcjo='],
      ['UTF-8', 'jürgen', 'pässwörd✓', 'asO8cmdlbjpww6Rzc3fDtnJk4pyT'],
    ];
    for (const [label, username, password, encoded] of cases) {
      expect(encodeBasicAuth(username, password), label).toBe(encoded);
      expect(decodeBasicAuth(encoded), label).toEqual({ username, password });
    }
  });

  it('trims trailing NULs from the password, as Docker does', () => {
    expect(decodeBasicAuth(btoa('user:pass\0\0'))).toEqual({ username: 'user', password: 'pass' });
  });

  it('gives undefined for text that is not base64 of "user:password"', () => {
    const cases: [label: string, value: string][] = [
      ['not base64', 'not base64!'],
      ['no colon', btoa('userpass')],
      ['empty user name', btoa(':pass')],
      ['empty', ''],
    ];
    for (const [label, value] of cases) {
      expect(decodeBasicAuth(value), label).toBeUndefined();
    }
  });
});
