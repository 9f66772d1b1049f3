/**
 * Who may do what, for the token issuer: scopes as clients request them,
 * grants as the test bed configures them, and the access a token carries.
 *
 * @see https://distribution.github.io/distribution/spec/auth/scope/
 */

/** A permission: actions on resources whose name matches a glob (`*` matches anything, `/` too). */
export interface Grant {
  /** The resource type, such as `repository` or `registry`. */
  type: string;
  /** A name or glob, such as `public/*`, `*` or `catalog`. */
  name: string;
  /** The actions allowed; `*` allows every action requested. */
  actions: readonly string[];
}

/** A requested or granted scope: `type:name:action,action`. */
export interface Access {
  type: string;
  name: string;
  actions: string[];
}

/**
 * Parses one scope string, such as `repository:team/app:pull,push` or
 * `registry:catalog:*`. The name is everything between the first and the last
 * `:`; a resource class (`repository(plugin)`) stays part of the type.
 *
 * @param scope - the scope string
 * @returns its parts
 * @throws {Error} when the string has fewer than three parts
 */
export function parseScope(scope: string): Access {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last <= first + 1) throw new Error(`Invalid scope "${scope}"`);
  const actions = scope
    .slice(last + 1)
    .split(',')
    .filter((action) => action.length > 0);
  return { type: scope.slice(0, first), name: scope.slice(first + 1, last), actions };
}

/**
 * Splits the `scope` parameters of a token request into scope strings: the
 * GET form repeats the parameter, the OAuth2 form separates scopes by spaces.
 *
 * @param values - every `scope` parameter value
 * @returns the scope strings
 */
export function splitScopes(values: readonly string[]): string[] {
  return values.flatMap((value) => value.split(' ')).filter((scope) => scope.length > 0);
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

function baseType(type: string): string {
  const paren = type.indexOf('(');
  return paren === -1 ? type : type.slice(0, paren);
}

/**
 * Decides what a token carries: for each requested scope, the requested
 * actions that some grant allows. Scopes on the same resource are merged, and
 * resources with no allowed action are left out (the token is still issued;
 * the registry then answers `insufficient_scope`).
 *
 * @param grants - what the caller may do
 * @param requested - the parsed requested scopes
 * @returns the `access` claim
 */
export function grantAccess(grants: readonly Grant[], requested: readonly Access[]): Access[] {
  const granted = new Map<string, Access>();
  for (const scope of requested) {
    const allowed = new Set<string>();
    for (const grant of grants) {
      if (baseType(grant.type) !== baseType(scope.type)) continue;
      if (!globToRegExp(grant.name).test(scope.name)) continue;
      for (const action of scope.actions) {
        if (grant.actions.includes('*') || grant.actions.includes(action)) allowed.add(action);
      }
    }
    if (allowed.size === 0) continue;
    const key = `${scope.type}:${scope.name}`;
    const entry = granted.get(key) ?? { type: scope.type, name: scope.name, actions: [] };
    for (const action of allowed) if (!entry.actions.includes(action)) entry.actions.push(action);
    granted.set(key, entry);
  }
  return [...granted.values()];
}
