import { OciError } from '@ocikit/digest';

/** A user name and password (or personal access token) for Basic auth and token requests. */
export interface BasicCredential {
  /** The user name; never empty, never contains `:`. */
  readonly username: string;
  /** The password or access token. */
  readonly password: string;
}

/**
 * An identity token: an OAuth2 refresh token (Docker's `identitytoken`),
 * exchanged at the token server with `grant_type=refresh_token`.
 */
export interface IdentityTokenCredential {
  /** The refresh token. */
  readonly identityToken: string;
  /** The user it belongs to, when known; used in messages and as the Basic user of a GET fallback. */
  readonly username?: string;
}

/** A bearer token sent to the registry as it is (Docker's `registrytoken`); no token request is made. */
export interface RegistryTokenCredential {
  /** The bearer token. */
  readonly registryToken: string;
}

/**
 * What a registry is authenticated with: exactly one of a user name and
 * password, an identity (refresh) token, or a registry (bearer) token. Tell
 * them apart with {@link credentialKind} or the `in` operator.
 */
export type Credential = BasicCredential | IdentityTokenCredential | RegistryTokenCredential;

/** Which kind of {@link Credential} a value is. */
export type CredentialKind = 'basic' | 'identityToken' | 'registryToken';

/** Options of {@link CredentialSource.get}. */
export interface CredentialLookupOptions {
  /**
   * The repository the credential is wanted for, without the host
   * (`library/ubuntu`), so that namespaced keys (`host/namespace` in
   * `auth.json`) can match, most specific first.
   */
  readonly repository?: string;
  /** Cancels the lookup (a credential helper is killed). */
  readonly signal?: AbortSignal;
}

/**
 * Where credentials come from. `get` answers for one registry host and
 * resolves to `undefined` when it has nothing for it; it rejects only when
 * the source itself is broken (a malformed file, a failing helper), so that a
 * caller never silently goes anonymous. Implementations must not hand out a
 * credential for another host than the one asked for.
 */
export interface CredentialSource {
  /**
   * Finds the credential for a registry host.
   *
   * @param host - the registry host as contacted, `host[:port]`, such as
   *   `registry-1.docker.io` or `localhost:5000` (a URL or Docker key such as
   *   `https://index.docker.io/v1/` is reduced to its host)
   * @param options - {@link CredentialLookupOptions}
   * @returns the credential, or `undefined` when the source has none for the host
   * @throws {OciError} `CONFIG_INVALID`, `CREDENTIAL_HELPER_FAILED`, `ABORTED`
   */
  get(host: string, options?: CredentialLookupOptions): Promise<Credential | undefined>;
}

/**
 * Tells which kind of credential a value is.
 *
 * @param credential - a credential
 * @returns `basic`, `identityToken` or `registryToken`
 */
export function credentialKind(credential: Credential): CredentialKind {
  if ('registryToken' in credential) return 'registryToken';
  if ('identityToken' in credential) return 'identityToken';
  return 'basic';
}

/**
 * Checks that a value is a well-formed {@link Credential} and returns a frozen
 * copy holding only the fields of its kind. The message of the error names
 * what is wrong, never a secret.
 *
 * @param value - the candidate
 * @param what - what it is, for the message: `the credential for "ghcr.io"`
 * @returns the credential
 * @throws {OciError} `OPTION_INVALID` when it is not exactly one valid kind
 */
export function checkCredential(value: unknown, what: string): Credential {
  if (typeof value !== 'object' || value === null) {
    throw new OciError('OPTION_INVALID', `${capitalize(what)} is not an object`);
  }
  const record = value as Record<string, unknown>;
  const kinds = ['password', 'identityToken', 'registryToken'].filter(
    (field) => record[field] !== undefined,
  );
  if (kinds.length !== 1) {
    throw new OciError(
      'OPTION_INVALID',
      `${capitalize(what)} must have exactly one of password, identityToken or registryToken`,
    );
  }
  const secret = record[kinds[0] ?? ''];
  if (typeof secret !== 'string' || (kinds[0] !== 'password' && secret === '')) {
    throw new OciError('OPTION_INVALID', `${capitalize(what)} has an empty or non-string secret`);
  }
  const username = record.username;
  if (username !== undefined && !isUsername(username)) {
    throw new OciError(
      'OPTION_INVALID',
      `${capitalize(what)} has an invalid username: it must be a non-empty string without ":"`,
    );
  }
  if (kinds[0] === 'registryToken') return Object.freeze({ registryToken: secret });
  if (kinds[0] === 'identityToken') {
    return Object.freeze(
      username === undefined ? { identityToken: secret } : { identityToken: secret, username },
    );
  }
  if (username === undefined) {
    throw new OciError('OPTION_INVALID', `${capitalize(what)} has a password but no username`);
  }
  return Object.freeze({ username, password: secret });
}

/**
 * Says who a credential is, for messages, without its secret.
 *
 * @param credential - a credential, or `undefined` for anonymous access
 * @returns such as `user "alice"`, `the identity token of user "alice"`, `anonymous access`
 */
export function describeCredential(credential: Credential | undefined): string {
  if (credential === undefined) return 'anonymous access';
  if ('registryToken' in credential) return 'a registry token';
  if ('identityToken' in credential) {
    return credential.username === undefined
      ? 'an identity token'
      : `the identity token of user ${JSON.stringify(credential.username)}`;
  }
  return `user ${JSON.stringify(credential.username)}`;
}

function isUsername(value: unknown): value is string {
  return typeof value === 'string' && value !== '' && !value.includes(':');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
