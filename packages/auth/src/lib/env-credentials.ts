import { abortError, OciError } from '@ocikit/digest';
import { decodeBasicAuth } from './basic-auth.ts';
import type {
  BasicCredential,
  Credential,
  CredentialLookupOptions,
  CredentialSource,
} from './credential.ts';
import { findCredentialKey, normalizeRegistryHost } from './host.ts';
import { isRecord } from './json.ts';

/** The environment, as a plain record (`process.env`, `Deno.env.toObject()`). */
export type Environment = Readonly<Record<string, string | undefined>>;

/** Options of {@link envCredentials}. */
export interface EnvCredentialsOptions {
  /**
   * The prefix of the variable names: `<prefix>REGISTRY`, `<prefix>USERNAME`,
   * `<prefix>PASSWORD`, `<prefix>IDENTITY_TOKEN`, `<prefix>REGISTRY_TOKEN`.
   * @default 'OCIKIT_'
   */
  prefix?: string;
  /**
   * Also read Docker's `DOCKER_AUTH_CONFIG` (`{"auths":{"host":{"auth":"…"}}}`).
   * @default true
   */
  dockerAuthConfig?: boolean;
  /**
   * Told why a `DOCKER_AUTH_CONFIG` that cannot be parsed is ignored (Docker
   * ignores it too, with a warning). The message never holds the value.
   * @default a function that does nothing
   */
  onWarning?: (message: string) => void;
}

/** The environment variable Docker reads inline credentials from. */
export const DOCKER_AUTH_CONFIG = 'DOCKER_AUTH_CONFIG';

/**
 * A source that reads credentials from environment variables, given as a
 * record so the core stays runtime-neutral (pass `process.env` in Node and
 * Bun, `Deno.env.toObject()` in Deno). With the default prefix:
 *
 * | variable | meaning |
 * |---|---|
 * | `OCIKIT_REGISTRY` | the registry host the credential is for (required with any of the below) |
 * | `OCIKIT_USERNAME` + `OCIKIT_PASSWORD` | a user name and password or access token |
 * | `OCIKIT_IDENTITY_TOKEN` | an OAuth2 refresh token (`OCIKIT_USERNAME` optional) |
 * | `OCIKIT_REGISTRY_TOKEN` | a bearer token sent as it is |
 * | `DOCKER_AUTH_CONFIG` | Docker's JSON, several hosts, `auth` fields only |
 *
 * The `OCIKIT_*` credential answers first, then `DOCKER_AUTH_CONFIG`. When
 * several secrets are set, a registry token wins over an identity token,
 * which wins over a password (as in Docker's `config.json`).
 *
 * @param env - the environment
 * @param options - {@link EnvCredentialsOptions}
 * @returns the source
 * @throws {OciError} `CONFIG_INVALID` at once when the variables are
 *   inconsistent (a secret without `OCIKIT_REGISTRY`, a user without a
 *   password, …); the message names the variables, never their values
 */
export function envCredentials(
  env: Environment,
  options: EnvCredentialsOptions = {},
): CredentialSource {
  const table = new Map<string, Credential>();
  const own = prefixedCredential(env, options.prefix ?? 'OCIKIT_');
  if (own) table.set(own.host, own.credential);
  if (options.dockerAuthConfig !== false) {
    for (const [key, credential] of dockerAuthConfigCredentials(env, options.onWarning)) {
      if (!table.has(key)) table.set(key, credential);
    }
  }
  return {
    async get(host: string, lookup: CredentialLookupOptions = {}) {
      if (lookup.signal?.aborted) throw abortError(lookup.signal);
      const key = findCredentialKey(table.keys(), host, lookup);
      return key === undefined ? undefined : table.get(key);
    },
  };
}

/**
 * Parses Docker's `DOCKER_AUTH_CONFIG` value the way docker/cli does: one JSON
 * object with only `auths`, each entry with only a non-empty `auth` field
 * (base64 of `username:password`); anything else is rejected.
 *
 * @param value - the variable's value
 * @returns key → credential, keys as written
 * @throws {OciError} `CONFIG_INVALID` naming the problem (a field, a key),
 *   never the value
 * @see https://github.com/docker/cli/blob/master/cli/config/configfile/file.go
 */
export function parseDockerAuthConfig(value: string): Map<string, BasicCredential> {
  const invalid = (reason: string) =>
    new OciError('CONFIG_INVALID', `${DOCKER_AUTH_CONFIG} is invalid: ${reason}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw invalid('it is not one JSON object');
  }
  if (!isRecord(parsed)) throw invalid('it is not a JSON object');
  for (const field of Object.keys(parsed)) {
    if (field !== 'auths') throw invalid(`unknown field ${JSON.stringify(field)}`);
  }
  const auths = parsed.auths ?? {};
  if (!isRecord(auths)) throw invalid('"auths" is not an object');
  const result = new Map<string, BasicCredential>();
  for (const [key, entry] of Object.entries(auths)) {
    const where = `auths[${JSON.stringify(key)}]`;
    if (!isRecord(entry)) throw invalid(`${where} is not an object`);
    for (const field of Object.keys(entry)) {
      if (field !== 'auth') throw invalid(`unknown field ${JSON.stringify(field)} in ${where}`);
    }
    if (typeof entry.auth !== 'string' || entry.auth === '') {
      throw invalid(`${where} is missing "auth"`);
    }
    const credential = decodeBasicAuth(entry.auth);
    if (!credential) throw invalid(`${where}.auth is not base64 of "username:password"`);
    result.set(key, credential);
  }
  return result;
}

/**
 * The credentials of `DOCKER_AUTH_CONFIG` in an environment, as Docker reads
 * them: none when it is unset, empty, or cannot be parsed (then ignored, and
 * `onWarning` is told why).
 *
 * @param env - the environment
 * @param onWarning - told why an unparseable value is ignored
 * @returns key → credential
 */
export function dockerAuthConfigCredentials(
  env: Environment,
  onWarning?: (message: string) => void,
): Map<string, BasicCredential> {
  const value = env[DOCKER_AUTH_CONFIG];
  if (!value) return new Map();
  try {
    return parseDockerAuthConfig(value);
  } catch (error) {
    onWarning?.(`Ignoring ${DOCKER_AUTH_CONFIG}: ${(error as Error).message}`);
    return new Map();
  }
}

function prefixedCredential(
  env: Environment,
  prefix: string,
): { host: string; credential: Credential } | undefined {
  const name = (suffix: string) => `${prefix}${suffix}`;
  const read = (suffix: string) => {
    const value = env[name(suffix)];
    return value === undefined || value === '' ? undefined : value;
  };
  const registry = read('REGISTRY');
  const username = read('USERNAME');
  const password = read('PASSWORD');
  const identityToken = read('IDENTITY_TOKEN');
  const registryToken = read('REGISTRY_TOKEN');
  const secrets = ['PASSWORD', 'IDENTITY_TOKEN', 'REGISTRY_TOKEN'].map(name).join(', ');
  const invalid = (reason: string) => new OciError('CONFIG_INVALID', reason);
  if (registry === undefined) {
    const stray = ['USERNAME', 'PASSWORD', 'IDENTITY_TOKEN', 'REGISTRY_TOKEN'].find(
      (suffix) => read(suffix) !== undefined,
    );
    if (stray === undefined) return undefined;
    throw invalid(
      `${name(stray)} is set but ${name('REGISTRY')} is not: set it to the registry host the credential is for`,
    );
  }
  const host = normalizeRegistryHost(registry);
  if (host === '') throw invalid(`${name('REGISTRY')} does not name a registry host`);
  if (username?.includes(':')) throw invalid(`${name('USERNAME')} must not contain ":"`);
  if (registryToken !== undefined) return { host, credential: { registryToken } };
  if (identityToken !== undefined) {
    return {
      host,
      credential: username === undefined ? { identityToken } : { identityToken, username },
    };
  }
  if (password === undefined) {
    throw invalid(`${name('REGISTRY')} is set but none of ${secrets} is`);
  }
  if (username === undefined) {
    throw invalid(`${name('PASSWORD')} is set but ${name('USERNAME')} is not`);
  }
  return { host, credential: { username, password } };
}
