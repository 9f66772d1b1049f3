import { OciError } from '@ocikit/digest';
import { serialized, writeFileAtomic } from './atomic-write.node.ts';
import { type AuthFileOptions, readConfigText } from './auth-files.node.ts';
import { type AuthPathOptions, dockerConfigFile } from './auth-paths.node.ts';
import { encodeBasicAuth } from './basic-auth.ts';
import { type Credential, checkCredential } from './credential.ts';
import { type CredentialHelper, credentialHelper } from './credential-helper.node.ts';
import { type DockerConfig, dockerConfigOf, parseConfigDocument } from './docker-config.ts';
import {
  credentialKeyFor,
  findCredentialKey,
  isDockerHubHost,
  normalizeRegistryHost,
} from './host.ts';
import { isRecord } from './json.ts';

/** Options of {@link login} and {@link logout}. */
export interface LoginOptions
  extends AuthPathOptions,
    Pick<AuthFileOptions, 'helperTimeout' | 'helperMaxOutputBytes'> {
  /**
   * The config file to change (a containers `auth.json` has the same format).
   * @default $DOCKER_CONFIG/config.json, else ~/.docker/config.json
   */
  file?: string;
  /** Cancels a credential helper call. */
  signal?: AbortSignal;
}

/** Where {@link login} put a credential. */
export interface LoginResult {
  /** The config file that was written. */
  readonly file: string;
  /** The key the credential is stored under (`https://index.docker.io/v1/` for Docker Hub). */
  readonly key: string;
  /** The credential helper holding the secret, when the file names one for the host. */
  readonly helper?: string;
}

/** The members of an `auths` entry that hold a credential; anything else in an entry is kept. */
const CREDENTIAL_FIELDS = ['auth', 'username', 'password', 'identitytoken', 'registrytoken'];
const HOST_PATTERN =
  /^(?:[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;

/**
 * Stores a credential for a registry the way `docker login` does. When the
 * file names a credential helper for the host (`credHelpers`, else
 * `credsStore`), the secret goes to the helper and the file gets an empty
 * `auths` entry; otherwise the entry holds `auth` (base64 of
 * `username:password`), `identitytoken` or `registrytoken`. Docker Hub is
 * stored under `https://index.docker.io/v1/`. Every other member of the file
 * and of the entry is kept; the file is replaced atomically with mode 0600.
 * The credential is not checked against the registry: do that first.
 *
 * @param host - the registry, `host[:port]` (a URL is reduced to its host)
 * @param credential - what to store
 * @param options - {@link LoginOptions}
 * @returns where it was stored
 * @throws {OciError} `OPTION_INVALID` for a bad host or credential (or a
 *   registry token with a helper, which cannot hold one); `CONFIG_INVALID`
 *   when the file is malformed (it is then left alone) or cannot be written;
 *   `CREDENTIAL_HELPER_FAILED`; `ABORTED`
 * @see https://docs.docker.com/reference/cli/docker/login/
 */
export async function login(
  host: string,
  credential: Credential,
  options: LoginOptions = {},
): Promise<LoginResult> {
  const key = credentialKeyFor(checkHost(host));
  const checked = checkCredential(credential, `the credential for "${key}"`);
  const file = options.file ?? dockerConfigFile(options);
  return serialized(file, async () => {
    const { document, config } = await readForUpdate(file);
    const auths = authsOf(document);
    const previous = auths[key];
    const entry = Object.fromEntries(
      Object.entries(isRecord(previous) ? previous : {}).filter(
        ([field]) => !CREDENTIAL_FIELDS.includes(field),
      ),
    );
    const helper = helperFor(config, host, options);
    if (helper === undefined) {
      Object.assign(entry, entryFields(checked));
    } else {
      if ('registryToken' in checked) {
        throw new OciError(
          'OPTION_INVALID',
          `A registry token cannot be stored in credential helper docker-credential-${helper.name}`,
        );
      }
      await helper.store(key, checked, { signal: options.signal });
    }
    defineMember(auths, key, entry);
    defineMember(document, 'auths', auths);
    await write(file, document);
    return helper === undefined ? { file, key } : { file, key, helper: helper.name };
  });
}

/**
 * Removes the credential for a registry the way `docker logout` does: from
 * the credential helper the file names for the host, and every `auths`
 * entry for that host (its plain key, URL forms such as
 * `https://host/v1/`, and all Docker Hub names for Docker Hub; namespaced
 * `host/namespace` keys stay). The file is rewritten atomically, only when it
 * changes.
 *
 * @param host - the registry, `host[:port]`
 * @param options - {@link LoginOptions}
 * @returns whether a credential was removed
 * @throws {OciError} `OPTION_INVALID` for a bad host; `CONFIG_INVALID` when
 *   the file is malformed or cannot be written; `CREDENTIAL_HELPER_FAILED`;
 *   `ABORTED`
 * @see https://docs.docker.com/reference/cli/docker/logout/
 */
export async function logout(host: string, options: LoginOptions = {}): Promise<boolean> {
  const wanted = checkHost(host);
  const file = options.file ?? dockerConfigFile(options);
  return serialized(file, async () => {
    const { document, config, exists } = await readForUpdate(file);
    if (!exists) return false;
    const helper = helperFor(config, wanted, options);
    let removed =
      helper !== undefined &&
      (await helper.erase(credentialKeyFor(wanted), { signal: options.signal }));
    const auths = authsOf(document);
    const stale = Object.keys(auths).filter((key) => sameHost(key, wanted));
    for (const key of stale) delete auths[key];
    if (stale.length > 0) {
      await write(file, document);
      removed = true;
    }
    return removed;
  });
}

function checkHost(host: string): string {
  const normalized = normalizeRegistryHost(host);
  if (!HOST_PATTERN.test(normalized)) {
    throw new OciError('OPTION_INVALID', `Not a registry host: ${JSON.stringify(host)}`);
  }
  return normalized;
}

async function readForUpdate(
  file: string,
): Promise<{ document: Record<string, unknown>; config: DockerConfig; exists: boolean }> {
  const text = await readConfigText(file);
  const document = text === undefined ? {} : parseConfigDocument(text, file);
  return { document, config: dockerConfigOf(document, file), exists: text !== undefined };
}

function authsOf(document: Record<string, unknown>): Record<string, unknown> {
  const auths = document.auths;
  return isRecord(auths) ? auths : {};
}

function helperFor(
  config: DockerConfig,
  host: string,
  options: LoginOptions,
): CredentialHelper | undefined {
  const helperKey = findCredentialKey(config.credHelpers.keys(), host);
  const name = helperKey === undefined ? config.credsStore : config.credHelpers.get(helperKey);
  if (name === undefined) return undefined;
  return credentialHelper(name, {
    env: options.env,
    timeout: options.helperTimeout,
    maxOutputBytes: options.helperMaxOutputBytes,
    configuredIn:
      helperKey === undefined
        ? `"credsStore" from ${config.path}`
        : `the "credHelpers" entry for "${helperKey}" from ${config.path}`,
  });
}

/** The `auths` members Docker writes for a credential kept in the file. */
function entryFields(credential: Credential): Record<string, string> {
  if ('registryToken' in credential) return { registrytoken: credential.registryToken };
  if ('identityToken' in credential) {
    return credential.username === undefined
      ? { identitytoken: credential.identityToken }
      : {
          auth: encodeBasicAuth(credential.username, ''),
          identitytoken: credential.identityToken,
        };
  }
  return { auth: encodeBasicAuth(credential.username, credential.password) };
}

/** Whether an `auths` key stands for the whole host (not a namespace inside it). */
function sameHost(key: string, host: string): boolean {
  if (!key.includes('://') && key.includes('/')) return false;
  const keyHost = normalizeRegistryHost(key);
  return keyHost === host || (isDockerHubHost(keyHost) && isDockerHubHost(host));
}

/** Sets a member even when its name is `__proto__`, keeping its place when it exists. */
function defineMember(target: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(target, name, {
    value,
    enumerable: true,
    configurable: true,
    writable: true,
  });
}

async function write(file: string, document: Record<string, unknown>): Promise<void> {
  try {
    await writeFileAtomic(file, JSON.stringify(document, null, '\t'), 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new OciError('CONFIG_INVALID', `Cannot write config file "${file}" (${code})`);
  }
}
