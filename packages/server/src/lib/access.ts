import { catalogScope, repositoryScope, type Scope } from '@ocikit/auth';
import { isRepositoryPath } from '@ocikit/reference';
import type { Route } from './routes.ts';

/**
 * What a request needs, as scopes of the token protocol, the way
 * distribution asks for them: `pull` to read, `pull,push` to write,
 * `delete` to delete (an upload, cancelled too, is a write), `registry:catalog:*` for the catalog, nothing for
 * `/v2/` (any valid credential). A route whose name breaks the grammar needs
 * nothing here: the route refuses it with `NAME_INVALID`.
 *
 * @param route - the matched route, or undefined for a path the API does not have
 * @param method - the request method
 * @returns the scopes
 * @see https://distribution.github.io/distribution/spec/auth/scope/
 */
export function requiredScopes(route: Route | undefined, method: string): Scope[] {
  if (!route || route.kind === 'base') return [];
  if (route.kind === 'catalog') return [catalogScope()];
  if (!isRepositoryPath(route.name)) return [];
  const upload = route.kind === 'uploads' || route.kind === 'upload';
  return [repositoryScope(route.name, upload ? ['pull', 'push'] : actionsFor(method))];
}

function actionsFor(method: string): string[] {
  if (method === 'GET' || method === 'HEAD') return ['pull'];
  if (method === 'DELETE') return ['delete'];
  return ['pull', 'push'];
}
