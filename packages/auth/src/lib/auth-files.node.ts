import { readFile } from 'node:fs/promises';
import { abortError, isOciError, OciError } from '@ocikit/digest';
import type { Credential, CredentialLookupOptions, CredentialSource } from './credential.ts';
import { type CredentialHelper, credentialHelper } from './credential-helper.node.ts';
import { type DockerConfig, entryCredential, parseDockerConfig } from './docker-config.ts';
import { dockerAuthConfigCredentials, type Environment } from './env-credentials.ts';
import { credentialKeyFor, findCredentialKey } from './host.ts';

/** Options of the sources that read config files. */
export interface AuthFileOptions {
  /**
   * The environment: config locations, `DOCKER_AUTH_CONFIG` (for the Docker
   * source), and the `PATH` credential helpers are found on.
   * @default process.env
   */
  env?: Environment;
  /**
   * The longest a credential helper may run, in milliseconds.
   * @default 30000
   */
  helperTimeout?: number;
  /**
   * The most bytes a credential helper may print.
   * @default 1048576 (1 MiB)
   */
  helperMaxOutputBytes?: number;
  /**
   * Told about what is skipped: an unparseable `DOCKER_AUTH_CONFIG` (ignored
   * as Docker ignores it), a failing `credHelpers` entry while listing. Never
   * given a secret.
   * @default a function that does nothing
   */
  onWarning?: (message: string) => void;
}

/** Options of one listing. */
export interface ListCredentialsOptions {
  /** Cancels the listing; a running helper is killed. */
  signal?: AbortSignal;
}

/** A credential source backed by config files (and the helpers they name). */
export interface AuthFileCredentialSource extends CredentialSource {
  /** The files read, most important first; missing ones are skipped. */
  readonly files: readonly string[];
  /**
   * Every credential the files (and their helpers) hold, as Docker's
   * `GetAllCredentials` collects them: per file, the `credsStore` helper's
   * list (or the `auths` entries when there is no store), then each
   * `credHelpers` entry (one that fails is skipped with a warning). More
   * important files override less important ones.
   *
   * @param options - {@link ListCredentialsOptions}
   * @returns stored key → credential
   * @throws {OciError} `CONFIG_INVALID`, `CREDENTIAL_HELPER_FAILED`, `ABORTED`
   */
  list(options?: ListCredentialsOptions): Promise<Map<string, Credential>>;
}

/**
 * A source over config files in Docker's format, first hit wins. Per file,
 * a host's credential comes from its `credHelpers` helper, else the
 * `credsStore` helper, else the `auths` entry matched by
 * `findCredentialKey` (namespaced keys first). Files are read on every
 * lookup, so a login made meanwhile is seen.
 *
 * @param files - the config files, most important first
 * @param options - {@link AuthFileOptions}, and `dockerAuthConfig`: read
 *   `DOCKER_AUTH_CONFIG` from `env` before the files, as Docker does
 * @returns the source
 */
export function authFileCredentials(
  files: readonly string[],
  options: AuthFileOptions & { dockerAuthConfig?: boolean } = {},
): AuthFileCredentialSource {
  const env = options.env ?? process.env;
  const inline: ReadonlyMap<string, Credential> = options.dockerAuthConfig
    ? dockerAuthConfigCredentials(env, options.onWarning)
    : new Map();
  const helper = (name: string, configuredIn: string): CredentialHelper =>
    credentialHelper(name, {
      env,
      timeout: options.helperTimeout,
      maxOutputBytes: options.helperMaxOutputBytes,
      configuredIn,
    });
  const ordered = [...files];

  async function lookup(
    config: DockerConfig,
    host: string,
    lookupOptions: CredentialLookupOptions,
  ): Promise<Credential | undefined> {
    const helperKey = findCredentialKey(config.credHelpers.keys(), host);
    const helperName =
      helperKey === undefined ? config.credsStore : config.credHelpers.get(helperKey);
    if (helperName !== undefined) {
      const configuredIn =
        helperKey === undefined
          ? `"credsStore" from ${config.path}`
          : `the "credHelpers" entry for "${helperKey}" from ${config.path}`;
      return helper(helperName, configuredIn).get(credentialKeyFor(host), {
        signal: lookupOptions.signal,
      });
    }
    const key = findCredentialKey(config.auths.keys(), host, lookupOptions);
    const entry = key === undefined ? undefined : config.auths.get(key);
    return entry && entryCredential(entry, `"${key}" in ${config.path}`);
  }

  return {
    files: ordered,
    async get(host: string, lookupOptions: CredentialLookupOptions = {}) {
      const key = findCredentialKey(inline.keys(), host, lookupOptions);
      if (key !== undefined) return inline.get(key);
      for (const file of ordered) {
        if (lookupOptions.signal?.aborted) throw abortError(lookupOptions.signal);
        const config = await readDockerConfig(file);
        const credential = config && (await lookup(config, host, lookupOptions));
        if (credential !== undefined) return credential;
      }
      return undefined;
    },
    async list(listOptions: ListCredentialsOptions = {}) {
      const { signal } = listOptions;
      const all = new Map<string, Credential>();
      for (const file of [...ordered].reverse()) {
        const config = await readDockerConfig(file);
        if (config === undefined) continue;
        if (config.credsStore === undefined) {
          for (const [key, entry] of config.auths) {
            const credential = entryCredential(entry, `"${key}" in ${config.path}`);
            if (credential !== undefined) all.set(key, credential);
          }
        } else {
          const store = helper(config.credsStore, `"credsStore" from ${config.path}`);
          for (const server of (await store.list({ signal })).keys()) {
            const credential = await store.get(server, { signal });
            if (credential !== undefined) all.set(server, credential);
          }
        }
        for (const [host, name] of config.credHelpers) {
          const configuredIn = `the "credHelpers" entry for "${host}" from ${config.path}`;
          try {
            const credential = await helper(name, configuredIn).get(credentialKeyFor(host), {
              signal,
            });
            if (credential !== undefined) all.set(host, credential);
          } catch (error) {
            if (signal?.aborted || !isOciError(error, 'CREDENTIAL_HELPER_FAILED')) throw error;
            options.onWarning?.(`Skipping credentials for "${host}": ${error.message}`);
          }
        }
      }
      for (const [key, credential] of inline) all.set(key, credential);
      return all;
    },
  };
}

/**
 * Reads and parses a config file.
 *
 * @param path - the file
 * @returns its credential parts, or `undefined` when it does not exist
 * @throws {OciError} `CONFIG_INVALID` when it cannot be read or parsed (the
 *   message names the file, never its content)
 */
export async function readDockerConfig(path: string): Promise<DockerConfig | undefined> {
  const text = await readConfigText(path);
  return text === undefined ? undefined : parseDockerConfig(text, path);
}

/**
 * Reads a config file's text.
 *
 * @param path - the file
 * @returns the text, or `undefined` when it does not exist
 * @throws {OciError} `CONFIG_INVALID` when it exists but cannot be read
 */
export async function readConfigText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new OciError('CONFIG_INVALID', `Cannot read config file "${path}" (${code ?? 'error'})`);
  }
}
