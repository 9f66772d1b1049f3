import { OciError } from '@ocikit/digest';
import { decodeBasicAuth } from './basic-auth.ts';
import type { Credential } from './credential.ts';
import { isRecord } from './json.ts';

/**
 * One `auths` entry of a Docker `config.json` or containers `auth.json`, as
 * written (Docker's JSON field names).
 */
export interface DockerAuthEntry {
  /** base64 of `username:password`; wins over `username` and `password`. */
  readonly auth?: string;
  /** The user name, when stored in clear. */
  readonly username?: string;
  /** The password, when stored in clear. */
  readonly password?: string;
  /** An OAuth2 refresh token. */
  readonly identitytoken?: string;
  /** A bearer token for the registry itself. */
  readonly registrytoken?: string;
}

/**
 * The credential parts of a Docker `config.json` (also the shape of
 * containers `auth.json`). Other members of the file are not read here and
 * are kept when the file is written.
 *
 * @see https://github.com/docker/cli/blob/master/docs/reference/commandline/cli.md#credential-store-options
 */
export interface DockerConfig {
  /** The file it was read from, for messages. */
  readonly path: string;
  /** `auths`: key (host, URL or `host/namespace`) → entry. */
  readonly auths: ReadonlyMap<string, DockerAuthEntry>;
  /** `credHelpers`: registry host → helper name (`docker-credential-<name>`). */
  readonly credHelpers: ReadonlyMap<string, string>;
  /** `credsStore`: the helper for every other registry, if set. */
  readonly credsStore?: string;
}

const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const ENTRY_FIELDS = ['auth', 'username', 'password', 'identitytoken', 'registrytoken'] as const;

/**
 * Parses the text of a Docker `config.json` or containers `auth.json`. An
 * empty file is an empty config (as Docker reads it). The error says which
 * file and where; it never quotes the content, which holds secrets.
 *
 * @param text - the file's content
 * @param path - where it was read from, for messages
 * @returns the credential parts
 * @throws {OciError} `CONFIG_INVALID` for malformed JSON, a member of the
 *   wrong type, or a helper name that is not a plain name
 * @see https://github.com/docker/cli/blob/master/cli/config/configfile/file.go
 */
export function parseDockerConfig(text: string, path: string): DockerConfig {
  return dockerConfigOf(parseConfigDocument(text, path), path);
}

/**
 * Parses a config file into its JSON object (every member, for rewriting).
 *
 * @param text - the file's content; empty means `{}`
 * @param path - for messages
 * @returns the top-level object
 * @throws {OciError} `CONFIG_INVALID` for malformed JSON or a non-object
 */
export function parseConfigDocument(text: string, path: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw configError(path, `it is not valid JSON${jsonErrorPlace(text, error)}`);
  }
  if (!isRecord(document)) throw configError(path, 'it is not a JSON object');
  return document;
}

/**
 * Reads the credential parts of a parsed config document.
 *
 * @param document - the top-level object
 * @param path - for messages
 * @returns the credential parts
 * @throws {OciError} `CONFIG_INVALID` for a member of the wrong type
 */
export function dockerConfigOf(document: Record<string, unknown>, path: string): DockerConfig {
  const auths = new Map<string, DockerAuthEntry>();
  for (const [key, entry] of Object.entries(objectMember(document, 'auths', path))) {
    if (entry === null) continue;
    if (!isRecord(entry)) throw configError(path, `auths[${JSON.stringify(key)}] is not an object`);
    const fields: Record<string, string> = {};
    for (const field of ENTRY_FIELDS) {
      const value = entry[field];
      if (value === undefined || value === null) continue;
      if (typeof value !== 'string') {
        throw configError(path, `auths[${JSON.stringify(key)}].${field} is not a string`);
      }
      fields[field] = value;
    }
    auths.set(key, fields);
  }
  const credHelpers = new Map<string, string>();
  for (const [host, helper] of Object.entries(objectMember(document, 'credHelpers', path))) {
    credHelpers.set(host, helperName(helper, `credHelpers[${JSON.stringify(host)}]`, path));
  }
  const store = document.credsStore;
  const credsStore =
    store === undefined || store === null || store === ''
      ? undefined
      : helperName(store, 'credsStore', path);
  return credsStore === undefined
    ? { path, auths, credHelpers }
    : { path, auths, credHelpers, credsStore };
}

/**
 * The credential an `auths` entry holds: a registry token, else an identity
 * token, else a user name and password (from `auth`, or from `username` and
 * `password`), as Docker ranks them. An empty entry (`{}`, which Docker
 * writes beside a credential helper) holds none.
 *
 * @param entry - the entry
 * @param where - `"<key>" in <path>`, for messages
 * @returns the credential, or `undefined`
 * @throws {OciError} `CONFIG_INVALID` when `auth` is not base64 of
 *   `username:password` (the message does not quote it)
 */
export function entryCredential(entry: DockerAuthEntry, where: string): Credential | undefined {
  if (entry.registrytoken) return { registryToken: entry.registrytoken };
  let username = entry.username || undefined;
  let password = entry.password ?? '';
  if (entry.auth) {
    const decoded = decodeBasicAuth(entry.auth);
    if (!decoded) {
      throw new OciError(
        'CONFIG_INVALID',
        `The "auth" field for ${where} is not base64 of "username:password"`,
      );
    }
    username = decoded.username;
    password = decoded.password;
  }
  if (entry.identitytoken) {
    return username === undefined
      ? { identityToken: entry.identitytoken }
      : { identityToken: entry.identitytoken, username };
  }
  return username === undefined ? undefined : { username, password };
}

/**
 * Tells whether a credential helper name is a plain name, so that
 * `docker-credential-<name>` cannot point anywhere but at a program on `PATH`.
 *
 * @param name - such as `desktop` or `ecr-login`
 * @returns whether it is safe to run
 */
export function isHelperName(name: string): boolean {
  return HELPER_NAME.test(name);
}

function objectMember(
  document: Record<string, unknown>,
  member: string,
  path: string,
): Record<string, unknown> {
  const value = document[member];
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw configError(path, `"${member}" is not an object`);
  return value;
}

function helperName(value: unknown, where: string, path: string): string {
  if (typeof value !== 'string' || !isHelperName(value)) {
    throw configError(path, `${where} is not a credential helper name`);
  }
  return value;
}

function configError(path: string, reason: string): OciError {
  return new OciError('CONFIG_INVALID', `Cannot use config file "${path}": ${reason}`);
}

/** ` at line L column C` from a JSON.parse error (whose own message may quote the content). */
function jsonErrorPlace(text: string, error: unknown): string {
  const match = /position (\d+)/.exec(error instanceof Error ? error.message : '');
  if (!match) return '';
  const offset = Number(match[1]);
  const before = text.slice(0, offset).split('\n');
  return ` at line ${before.length} column ${(before.at(-1)?.length ?? 0) + 1}`;
}
