import { describe, expect, it } from 'vitest';
import { checkCredential, credentialKind, describeCredential } from './credential.ts';

describe('credentials', () => {
  it('tell their kind and who they are, without the secret', () => {
    const cases: [
      label: string,
      credential: Parameters<typeof credentialKind>[0],
      kind: string,
      who: string,
    ][] = [
      ['basic', { username: 'alice', password: 'pw' }, 'basic', 'user "alice"'],
      ['identity token', { identityToken: 'rt' }, 'identityToken', 'an identity token'],
      [
        'identity token of a user',
        { identityToken: 'rt', username: 'bob' },
        'identityToken',
        'the identity token of user "bob"',
      ],
      ['registry token', { registryToken: 'bt' }, 'registryToken', 'a registry token'],
    ];
    for (const [label, credential, kind, who] of cases) {
      expect(credentialKind(credential), label).toBe(kind);
      expect(describeCredential(credential), label).toBe(who);
      expect(checkCredential(credential, 'x'), label).toEqual(credential);
    }
    expect(describeCredential(undefined)).toBe('anonymous access');
  });

  it('are copied with only the fields of their kind, frozen', () => {
    const checked = checkCredential({ username: 'u', password: 'p', email: 'e@x' }, 'x');
    expect(checked).toEqual({ username: 'u', password: 'p' });
    expect(Object.isFrozen(checked)).toBe(true);
    expect(checkCredential({ username: 'u', password: '' }, 'x')).toEqual({
      username: 'u',
      password: '',
    });
  });
});
