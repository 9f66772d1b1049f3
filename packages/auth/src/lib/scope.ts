import { OciError, type OciErrorCode } from '@ocikit/digest';
import type { Challenge } from './challenge.ts';

/**
 * A resource scope of the Docker token protocol:
 * `type[(class)]:name:action[,action…]`, such as `repository:library/ubuntu:pull`,
 * `repository(plugin):vieux/sshfs:pull` or `registry:catalog:*`.
 *
 * @see https://distribution.github.io/distribution/spec/auth/scope/
 */
export interface Scope {
  /** The resource type: `repository`, `registry`, … */
  readonly type: string;
  /** The resource class in parentheses after the type (`plugin`), if any. */
  readonly resourceClass?: string;
  /** The resource name: a repository path (may start with `host:port/`), or `catalog`. */
  readonly name: string;
  /** The actions, deduplicated and sorted: `pull`, `push`, `delete`, `*`. */
  readonly actions: readonly string[];
}

const TYPE_PATTERN = /^[a-z0-9]+(?:[_-][a-z0-9]+)*$/;
const NAME_PATTERN = /^[^\s",]+$/;
const ACTION_PATTERN = /^(?:\*|[a-z0-9]+(?:[_-][a-z0-9]+)*)$/;

/**
 * Parses one scope string. The name may hold colons (`repository:host:5000/app:pull`):
 * the type ends at the first colon and the actions start after the last.
 *
 * @param value - such as `repository:library/ubuntu:pull,push`
 * @returns the scope, actions deduplicated and sorted
 * @throws {OciError} `OPTION_INVALID` when it does not follow the scope grammar
 * @see https://distribution.github.io/distribution/spec/auth/scope/#resource-scope-grammar
 */
export function parseScope(value: string): Scope {
  return parseScopeAs(value, 'OPTION_INVALID');
}

/**
 * Formats a scope as the token protocol writes it.
 *
 * @param scope - the scope
 * @returns such as `repository:library/ubuntu:pull,push`
 * @throws {OciError} `OPTION_INVALID` when a part does not follow the grammar
 */
export function formatScope(scope: Scope): string {
  const checked = checkScope(scope, 'OPTION_INVALID', formatUnchecked(scope));
  return formatUnchecked(checked);
}

/**
 * A scope on a repository.
 *
 * @param name - the repository path, such as `library/ubuntu`
 * @param actions - such as `['pull']` or `['pull', 'push']`
 * @param options - `resourceClass`, for `repository(plugin):…`
 * @returns the scope
 * @throws {OciError} `OPTION_INVALID` for an invalid name or action
 */
export function repositoryScope(
  name: string,
  actions: readonly string[],
  options: { resourceClass?: string } = {},
): Scope {
  const scope: Scope =
    options.resourceClass === undefined
      ? { type: 'repository', name, actions }
      : { type: 'repository', resourceClass: options.resourceClass, name, actions };
  return checkScope(scope, 'OPTION_INVALID', `repository:${name}`);
}

/**
 * The scope that lists a registry's repositories: `registry:catalog:*`.
 *
 * @returns the catalog scope
 * @see https://distribution.github.io/distribution/spec/auth/scope/
 */
export function catalogScope(): Scope {
  return { type: 'registry', name: 'catalog', actions: ['*'] };
}

/**
 * Merges scopes on the same resource (type, class and name) into one with the
 * union of their actions, deduplicated and sorted, so that `pull,push` and
 * `push,pull` are the same scope. Resources keep the order they first appear
 * in. Use it to ask one token for several resources, such as a cross-repository
 * mount (`pull` on the source, `pull,push` on the target).
 *
 * @param scopes - scopes or scope strings
 * @returns one scope per resource
 * @throws {OciError} `OPTION_INVALID` for a scope string that does not parse
 */
export function mergeScopes(scopes: Iterable<Scope | string>): Scope[] {
  const merged = new Map<string, { scope: Scope; actions: Set<string> }>();
  for (const item of scopes) {
    const scope = typeof item === 'string' ? parseScope(item) : item;
    const key = resourceKey(scope);
    const entry = merged.get(key);
    if (entry) {
      for (const action of scope.actions) entry.actions.add(action);
    } else {
      merged.set(key, { scope, actions: new Set(scope.actions) });
    }
  }
  return [...merged.values()].map(({ scope, actions }) => withActions(scope, [...actions]));
}

/**
 * Tells whether granted scopes allow everything wanted: every wanted action on
 * every wanted resource is granted, or the resource is granted `*`.
 *
 * @param granted - the scopes a token was issued for
 * @param wanted - the scopes an operation needs
 * @returns whether a token for `granted` serves `wanted`
 * @throws {OciError} `OPTION_INVALID` for a scope string that does not parse
 */
export function scopesCover(
  granted: Iterable<Scope | string>,
  wanted: Iterable<Scope | string>,
): boolean {
  const grants = new Map(mergeScopes(granted).map((scope) => [resourceKey(scope), scope.actions]));
  return mergeScopes(wanted).every((scope) => {
    const actions = grants.get(resourceKey(scope));
    if (!actions) return false;
    return actions.includes('*') || scope.actions.every((action) => actions.includes(action));
  });
}

/**
 * The scopes a challenge asks for: its `scope` parameter, which holds one or
 * more space-separated scopes (distribution sends the actions of one scope in
 * any order, and several scopes for a cross-repository mount).
 *
 * @param challenge - a parsed challenge, usually `bearer`
 * @returns the scopes, merged; none when the challenge has no `scope`
 * @throws {OciError} `CHALLENGE_INVALID` when a scope does not parse
 * @see https://distribution.github.io/distribution/spec/auth/token/#how-to-authenticate
 */
export function challengeScopes(challenge: Challenge): Scope[] {
  const value = challenge.params.scope;
  if (value === undefined) return [];
  const parts = value.split(/\s+/).filter((part) => part !== '');
  return mergeScopes(parts.map((part) => parseScopeAs(part, 'CHALLENGE_INVALID')));
}

function parseScopeAs(value: string, code: OciErrorCode): Scope {
  const first = value.indexOf(':');
  const last = value.lastIndexOf(':');
  if (first <= 0 || last === first) throw invalid(value, code, 'expected "type:name:actions"');
  const resource = value.slice(0, first);
  const classMatch = /^([^()]+)\(([^()]+)\)$/.exec(resource);
  const actionText = value.slice(last + 1);
  const actions = actionText === '' ? [] : actionText.split(',').filter((action) => action !== '');
  const name = value.slice(first + 1, last);
  const scope: Scope = classMatch
    ? { type: classMatch[1] ?? '', resourceClass: classMatch[2] ?? '', name, actions }
    : { type: resource, name, actions };
  return checkScope(scope, code, value);
}

/** Validates every part of a scope and returns it with sorted, unique actions. */
function checkScope(scope: Scope, code: OciErrorCode, shown: string): Scope {
  if (!TYPE_PATTERN.test(scope.type)) throw invalid(shown, code, 'invalid resource type');
  if (scope.resourceClass !== undefined && !TYPE_PATTERN.test(scope.resourceClass)) {
    throw invalid(shown, code, 'invalid resource class');
  }
  if (!NAME_PATTERN.test(scope.name)) throw invalid(shown, code, 'invalid resource name');
  for (const action of scope.actions) {
    if (!ACTION_PATTERN.test(action)) {
      throw invalid(shown, code, `invalid action ${JSON.stringify(action)}`);
    }
  }
  return withActions(scope, scope.actions);
}

function withActions(scope: Scope, actions: readonly string[]): Scope {
  const sorted = [...new Set(actions)].sort();
  return scope.resourceClass === undefined
    ? { type: scope.type, name: scope.name, actions: sorted }
    : { type: scope.type, resourceClass: scope.resourceClass, name: scope.name, actions: sorted };
}

function resourceKey(scope: Scope): string {
  return `${scope.type}(${scope.resourceClass ?? ''}):${scope.name}`;
}

function formatUnchecked(scope: Scope): string {
  const type =
    scope.resourceClass === undefined ? scope.type : `${scope.type}(${scope.resourceClass})`;
  return `${type}:${scope.name}:${scope.actions.join(',')}`;
}

function invalid(value: string, code: OciErrorCode, reason: string): OciError {
  const shown = value.length > 200 ? `${value.slice(0, 200)}…` : value;
  return new OciError(code, `Invalid scope ${JSON.stringify(shown)}: ${reason}`);
}
