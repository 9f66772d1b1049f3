import { OciError } from '@ocikit/digest';
import { encodeBasicAuth } from './basic-auth.ts';
import type { Challenge } from './challenge.ts';
import type { Credential } from './credential.ts';
import { challengeScopes, mergeScopes, type Scope } from './scope.ts';
import type { TokenCache } from './token-cache.ts';

/** Options of {@link authorizationFor}. */
export interface AuthorizationOptions {
  /** Where Bearer tokens come from (and are kept). */
  readonly tokens: TokenCache;
  /** The credential for the registry host; anonymous when absent. */
  readonly credential?: Credential;
  /**
   * Scopes the request needs besides those the challenge names, such as
   * `pull` on the source repository of a cross-repository mount.
   */
  readonly scopes?: readonly (Scope | string)[];
  /**
   * Get a new Bearer token instead of the cached one, for a retry after the
   * registry refused the authorization sent.
   * @default false
   */
  readonly refresh?: boolean;
  /** Cancels a token request. */
  readonly signal?: AbortSignal;
}

/**
 * The `Authorization` value that answers a registry's challenges: Bearer
 * first (a registry token as it is, else a token for the challenge's scopes
 * plus `options.scopes` from the token cache), then Basic with a user name
 * and password. Other schemes are not answered.
 *
 * @param challenges - the parsed `WWW-Authenticate` of a 401 response
 * @param options - {@link AuthorizationOptions}
 * @returns such as `Bearer eyJ…` or `Basic dXNlcjpwYXNz`, or `undefined`
 *   when no challenge can be answered with what is at hand (for example
 *   Basic without a password)
 * @throws {OciError} `CHALLENGE_INVALID` for a Bearer challenge without a
 *   realm; whatever the token request throws
 * @see https://distribution.github.io/distribution/spec/auth/token/#how-to-authenticate
 */
export async function authorizationFor(
  challenges: readonly Challenge[],
  options: AuthorizationOptions,
): Promise<string | undefined> {
  const { credential } = options;
  const bearer = challenges.find((challenge) => challenge.scheme === 'bearer');
  if (bearer) {
    if (credential !== undefined && 'registryToken' in credential) {
      return `Bearer ${credential.registryToken}`;
    }
    const realm = bearer.params.realm;
    if (realm === undefined || realm === '') {
      throw new OciError('CHALLENGE_INVALID', 'The Bearer challenge has no realm');
    }
    const token = await options.tokens.get(
      {
        realm,
        service: bearer.params.service,
        scopes: mergeScopes([...challengeScopes(bearer), ...(options.scopes ?? [])]),
        credential,
      },
      { signal: options.signal, refresh: options.refresh ?? false },
    );
    return `Bearer ${token.token}`;
  }
  const basic = challenges.some((challenge) => challenge.scheme === 'basic');
  if (basic && credential !== undefined && 'password' in credential) {
    return `Basic ${encodeBasicAuth(credential.username, credential.password)}`;
  }
  return undefined;
}
