import { describe, expect, it } from 'vitest';
import { parseChallenges } from './challenge.ts';
import {
  catalogScope,
  challengeScopes,
  formatScope,
  mergeScopes,
  parseScope,
  repositoryScope,
  type Scope,
  scopesCover,
} from './scope.ts';

describe('parseScope and formatScope', () => {
  it('parse the scope grammar and format it back with sorted actions', () => {
    const cases: [label: string, text: string, scope: Scope, formatted: string][] = [
      [
        'pull',
        'repository:library/ubuntu:pull',
        { type: 'repository', name: 'library/ubuntu', actions: ['pull'] },
        'repository:library/ubuntu:pull',
      ],
      [
        'push,pull in random order (distribution 2.8)',
        'repository:a/b:push,pull',
        { type: 'repository', name: 'a/b', actions: ['pull', 'push'] },
        'repository:a/b:pull,push',
      ],
      [
        'resource class',
        'repository(plugin):vieux/sshfs:pull',
        { type: 'repository', resourceClass: 'plugin', name: 'vieux/sshfs', actions: ['pull'] },
        'repository(plugin):vieux/sshfs:pull',
      ],
      [
        'catalog',
        'registry:catalog:*',
        { type: 'registry', name: 'catalog', actions: ['*'] },
        'registry:catalog:*',
      ],
      [
        'host and port in the name',
        'repository:localhost:5000/app:pull',
        { type: 'repository', name: 'localhost:5000/app', actions: ['pull'] },
        'repository:localhost:5000/app:pull',
      ],
      [
        'duplicate and empty actions',
        'repository:x:pull,,pull,delete',
        { type: 'repository', name: 'x', actions: ['delete', 'pull'] },
        'repository:x:delete,pull',
      ],
      [
        'no actions',
        'repository:x:',
        { type: 'repository', name: 'x', actions: [] },
        'repository:x:',
      ],
    ];
    for (const [label, text, scope, formatted] of cases) {
      expect(parseScope(text), label).toEqual(scope);
      expect(formatScope(scope), label).toBe(formatted);
    }
  });

  it('reject what is not a scope with OPTION_INVALID', () => {
    const cases: [label: string, text: string][] = [
      ['empty', ''],
      ['one colon', 'repository:foo'],
      ['no type', ':foo:pull'],
      ['upper-case type', 'Repository:foo:pull'],
      ['space in name', 'repository:a b:pull'],
      ['empty name', 'repository::pull'],
      ['bad action', 'repository:foo:pu ll'],
      ['empty class', 'repository():foo:pull'],
    ];
    for (const [label, text] of cases) {
      expect(() => parseScope(text), label).toThrow(
        expect.objectContaining({
          code: 'OPTION_INVALID',
          message: expect.stringContaining('Invalid scope'),
        }),
      );
    }
    expect(() => formatScope({ type: 'repository', name: 'a"b', actions: ['pull'] })).toThrow(
      expect.objectContaining({ code: 'OPTION_INVALID' }),
    );
  });

  it('build repository and catalog scopes', () => {
    expect(repositoryScope('a/b', ['push', 'pull'])).toEqual({
      type: 'repository',
      name: 'a/b',
      actions: ['pull', 'push'],
    });
    expect(formatScope(repositoryScope('p', ['pull'], { resourceClass: 'plugin' }))).toBe(
      'repository(plugin):p:pull',
    );
    expect(formatScope(catalogScope())).toBe('registry:catalog:*');
    expect(() => repositoryScope('', ['pull'])).toThrow(
      expect.objectContaining({ code: 'OPTION_INVALID' }),
    );
  });
});

describe('mergeScopes', () => {
  it('unites the actions of one resource and keeps resources in first-seen order', () => {
    const merged = mergeScopes([
      'repository:target:push',
      repositoryScope('source', ['pull']),
      'repository:target:pull',
      'repository(plugin):target:pull',
      'repository:target:push',
    ]).map(formatScope);
    expect(merged).toEqual([
      'repository:target:pull,push',
      'repository:source:pull',
      'repository(plugin):target:pull',
    ]);
    expect(mergeScopes([])).toEqual([]);
  });
});

describe('scopesCover', () => {
  it('tells whether granted scopes serve wanted ones', () => {
    const cases: [label: string, granted: string[], wanted: string[], covers: boolean][] = [
      ['same', ['repository:a:pull'], ['repository:a:pull'], true],
      ['superset of actions', ['repository:a:pull,push'], ['repository:a:push'], true],
      ['missing action', ['repository:a:pull'], ['repository:a:pull,push'], false],
      ['other repository', ['repository:a:pull'], ['repository:b:pull'], false],
      ['wildcard', ['registry:catalog:*'], ['registry:catalog:*'], true],
      ['wildcard covers named actions', ['repository:a:*'], ['repository:a:delete'], true],
      ['class matters', ['repository(plugin):a:pull'], ['repository:a:pull'], false],
      [
        'spread over several scopes',
        ['repository:a:pull', 'repository:a:push'],
        ['repository:a:pull,push'],
        true,
      ],
      [
        'cross-repository mount',
        ['repository:target:pull,push', 'repository:source:pull'],
        ['repository:source:pull', 'repository:target:push'],
        true,
      ],
      ['nothing wanted', [], [], true],
      ['nothing granted', [], ['repository:a:pull'], false],
    ];
    for (const [label, granted, wanted, covers] of cases) {
      expect(scopesCover(granted, wanted), label).toBe(covers);
    }
  });
});

describe('challengeScopes', () => {
  it('reads the space-separated scopes of a challenge', () => {
    const [challenge] = parseChallenges(
      'Bearer realm="r",scope="repository:foo/bar:push,pull repository:foo/baz:pull  repository:foo/bar:delete"',
    );
    expect(challenge && challengeScopes(challenge).map(formatScope)).toEqual([
      'repository:foo/bar:delete,pull,push',
      'repository:foo/baz:pull',
    ]);
    const [plain] = parseChallenges('Bearer realm="r"');
    expect(plain && challengeScopes(plain)).toEqual([]);
  });

  it('fails with CHALLENGE_INVALID for a scope that does not parse', () => {
    const [challenge] = parseChallenges('Bearer realm="r",scope="nonsense"');
    expect(() => challenge && challengeScopes(challenge)).toThrow(
      expect.objectContaining({ code: 'CHALLENGE_INVALID' }),
    );
  });
});
