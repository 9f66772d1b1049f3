import { describe, expect, it } from 'vitest';
import { grantAccess, parseScope, splitScopes } from './token-policy.ts';

describe('parseScope', () => {
  it('splits type, name and actions', () => {
    const cases = [
      {
        scope: 'repository:a/b:pull,push',
        type: 'repository',
        name: 'a/b',
        actions: ['pull', 'push'],
      },
      { scope: 'registry:catalog:*', type: 'registry', name: 'catalog', actions: ['*'] },
      {
        scope: 'repository(plugin):x:pull',
        type: 'repository(plugin)',
        name: 'x',
        actions: ['pull'],
      },
      {
        scope: 'repository:host:5000/x:pull',
        type: 'repository',
        name: 'host:5000/x',
        actions: ['pull'],
      },
      { scope: 'repository:a:', type: 'repository', name: 'a', actions: [] },
    ];
    for (const { scope, ...expected } of cases) expect(parseScope(scope), scope).toEqual(expected);
  });

  it('rejects scopes without three parts', () => {
    for (const scope of ['', 'repository', 'repository:a', ':a:pull', 'repository::pull']) {
      expect(() => parseScope(scope), scope).toThrow(/Invalid scope/);
    }
  });
});

describe('splitScopes', () => {
  it('accepts repeated parameters and space-separated lists', () => {
    expect(splitScopes(['repository:a:pull repository:b:push', 'registry:catalog:*', ''])).toEqual([
      'repository:a:pull',
      'repository:b:push',
      'registry:catalog:*',
    ]);
  });
});

describe('grantAccess', () => {
  it('grants the requested actions that a matching grant allows', () => {
    const grants = [
      { type: 'repository', name: 'public/*', actions: ['pull'] },
      { type: 'repository', name: 'team/app', actions: ['pull', 'push'] },
      { type: 'registry', name: 'catalog', actions: ['*'] },
    ];
    const cases = [
      {
        label: 'glob match',
        scopes: ['repository:public/a/b:pull,push'],
        access: [['public/a/b', ['pull']]],
      },
      { label: 'no match', scopes: ['repository:private/a:pull'], access: [] },
      {
        label: 'exact match',
        scopes: ['repository:team/app:push,pull,delete'],
        access: [['team/app', ['push', 'pull']]],
      },
      { label: 'glob does not match a prefix', scopes: ['repository:publicx:pull'], access: [] },
      { label: 'star action', scopes: ['registry:catalog:*'], access: [['catalog', ['*']]] },
      {
        label: 'merged scopes',
        scopes: ['repository:team/app:pull', 'repository:team/app:push'],
        access: [['team/app', ['pull', 'push']]],
      },
      {
        label: 'resource class',
        scopes: ['repository(plugin):team/app:pull'],
        access: [['team/app', ['pull']]],
      },
    ];
    for (const { label, scopes, access } of cases) {
      const granted = grantAccess(grants, scopes.map(parseScope));
      expect(
        granted.map((entry) => [entry.name, entry.actions]),
        label,
      ).toEqual(access);
    }
  });
});
