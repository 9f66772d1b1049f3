import type { Scope } from '@ocikit/auth';
import { OciError } from '@ocikit/digest';

/** Who a grant is for: everyone (no credentials needed), every signed-in user, or these users. */
export type Grantee = 'anyone' | 'authenticated' | readonly string[];

/** An action of the token protocol on a repository. */
export type RepositoryAction = 'pull' | 'push' | 'delete';

/** What some users may do on the repositories whose names match a pattern. */
export interface TokenGrant {
  /**
   * A repository name pattern: `*` matches any run of characters, `/`
   * included (`team/*` matches `team/app` and `team/app/web`; `*` matches
   * every repository).
   */
  readonly repositories: string;
  /** The actions granted. */
  readonly actions: readonly RepositoryAction[];
  /** Who the grant is for. */
  readonly users: Grantee;
}

/** One entry of a token's `access` claim. */
export interface AccessEntry {
  readonly type: string;
  readonly name: string;
  readonly actions: readonly string[];
}

/** The caller a token is issued to: a user name, or undefined for anonymous. */
export type Caller = string | undefined;

const ACTIONS = new Set<string>(['pull', 'push', 'delete']);

/**
 * Compiles grants into a function that says what a caller may have of the
 * scopes it asks for.
 *
 * @param grants - the grants
 * @param catalog - who may list the catalog (`registry:catalog:*`)
 * @returns the access claim for a caller and the requested scopes: one entry
 *   per requested resource, holding the granted actions (possibly none)
 * @throws {OciError} `OPTION_INVALID` for an unknown action
 */
export function compileGrants(
  grants: readonly TokenGrant[],
  catalog: Grantee,
): (caller: Caller, requested: readonly Scope[]) => AccessEntry[] {
  const compiled = grants.map((grant) => {
    for (const action of grant.actions) {
      if (!ACTIONS.has(action)) {
        throw new OciError('OPTION_INVALID', `Unknown action "${action}" in a token grant`);
      }
    }
    return { ...grant, pattern: patternOf(grant.repositories) };
  });
  return (caller, requested) =>
    requested.map((scope) => {
      if (scope.type === 'registry' && scope.name === 'catalog') {
        return {
          type: 'registry',
          name: 'catalog',
          actions: includes(catalog, caller) ? ['*'] : [],
        };
      }
      if (scope.type !== 'repository') return { type: scope.type, name: scope.name, actions: [] };
      const allowed = new Set<string>();
      for (const grant of compiled) {
        if (includes(grant.users, caller) && grant.pattern.test(scope.name)) {
          for (const action of grant.actions) allowed.add(action);
        }
      }
      const actions = scope.actions.includes('*') ? [...allowed] : scope.actions;
      return {
        type: 'repository',
        name: scope.name,
        actions: actions.filter((action) => allowed.has(action)).sort(),
      };
    });
}

/**
 * Whether a token's access claim covers a scope: `allowed`; `denied` when
 * the claim has the resource without every action (the issuer was asked and
 * refused); `unasked` when it does not name the resource at all (the client
 * should ask for a token that does).
 *
 * @param access - the token's `access` claim
 * @param scope - what the request needs
 * @returns the verdict
 */
export function coverage(
  access: readonly AccessEntry[],
  scope: Scope,
): 'allowed' | 'denied' | 'unasked' {
  const entries = access.filter((entry) => entry.type === scope.type && entry.name === scope.name);
  if (entries.length === 0) return 'unasked';
  const held = new Set(entries.flatMap((entry) => entry.actions));
  return held.has('*') || scope.actions.every((action) => held.has(action)) ? 'allowed' : 'denied';
}

function includes(grantee: Grantee, caller: Caller): boolean {
  if (grantee === 'anyone') return true;
  if (caller === undefined) return false;
  return grantee === 'authenticated' || grantee.includes(caller);
}

function patternOf(repositories: string): RegExp {
  const escaped = repositories.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`);
}
