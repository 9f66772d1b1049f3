import { decodeBasicAuth, formatScope, type Scope } from '@ocikit/auth';
import { digestBytes, OciError } from '@ocikit/digest';
import bcrypt from 'bcryptjs';
import {
  type Caller,
  compileGrants,
  coverage,
  type Grantee,
  type TokenGrant,
} from './token-grants.ts';

/** Decides who may use the registry: checked on every request, `/v2/` included. */
export interface RegistryAuth {
  /**
   * @param request - the request
   * @returns whether the request carries acceptable credentials
   */
  authenticate(request: Request): Promise<boolean>;
  /** The `WWW-Authenticate` value of a `401` answer. */
  readonly challenge: string;
  /**
   * Decides whether a request may have the access it needs (optional: without
   * it, {@link RegistryAuth.authenticate} decides alone).
   *
   * @param request - the request
   * @param scopes - what the request needs, as token scopes (none for `/v2/`)
   * @returns undefined to let it through, or why it is refused
   */
  authorize?(request: Request, scopes: readonly Scope[]): Promise<AuthRefusal | undefined>;
  /**
   * Answers the requests of the auth's own endpoints, such as a token endpoint
   * (optional).
   *
   * @param request - any request the registry receives, before routing
   * @returns the answer, or undefined for a request that is not its own
   */
  serve?(request: Request): Promise<Response | undefined>;
  /**
   * Who a request comes from (optional): upload sessions belong to the user
   * who opened them, and another user cannot use them.
   *
   * @param request - an authorized request
   * @returns the user's name, or undefined for anonymous
   */
  identify?(request: Request): Promise<string | undefined>;
}

/** Why a request is refused: `401` (no or bad credentials) or `403` (not allowed). */
export interface AuthRefusal {
  /** `UNAUTHORIZED` (401) or `DENIED` (403). */
  readonly code: 'UNAUTHORIZED' | 'DENIED';
  /** What the client is told; never a credential. */
  readonly message: string;
  /** The `WWW-Authenticate` value sent with it. */
  readonly challenge: string;
}

/** Options of {@link htpasswdAuth}. */
export interface HtpasswdAuthOptions {
  /**
   * The realm named in the challenge.
   * @default 'ocikit'
   */
  realm?: string;
  /**
   * How many accepted user/password pairs are remembered (by a hash of the
   * password, never the password), so that not every request pays for a
   * bcrypt comparison.
   * @default 100
   */
  cacheSize?: number;
  /**
   * Per-repository rights, the same grants as `tokenAuth`'s: with them, a
   * signed-in user may only do what a grant gives them (`403 DENIED`
   * otherwise), and a request without credentials may do what grants for
   * `anyone` give (`401 UNAUTHORIZED` otherwise).
   * @default none: every signed-in user may do everything
   */
  grants?: readonly TokenGrant[];
  /**
   * Who may list the catalog when `grants` are given.
   * @default 'authenticated'
   */
  catalog?: Grantee;
}

const BCRYPT = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;
/** Compared against when the user is unknown, so that unknown users take as long as known ones. */
const DECOY = '$2b$10$abcdefghijklmnopqrstuu5C8wUDO4fmlWAOp0wsXNCW0rskJ8wGK';

/**
 * Reads an htpasswd file of bcrypt entries (`htpasswd -B`), the only kind
 * distribution accepts.
 *
 * @param text - the file's content: `user:$2y$…` lines; blank lines and `#` comments are skipped
 * @returns the bcrypt hash of each user
 * @throws {OciError} `CONFIG_INVALID` for a line without a bcrypt hash (the
 *   message names the line number, never the hash)
 */
export function parseHtpasswd(text: string): Map<string, string> {
  const users = new Map<string, string>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    const hash = line.slice(colon + 1);
    if (colon <= 0 || !BCRYPT.test(hash)) {
      throw new OciError(
        'CONFIG_INVALID',
        `htpasswd line ${index + 1} is not "user:<bcrypt hash>" (make entries with htpasswd -B)`,
      );
    }
    users.set(line.slice(0, colon), hash);
  });
  return users;
}

/**
 * Basic authentication against an htpasswd file of bcrypt entries.
 *
 * @param htpasswd - the file's content
 * @param options - {@link HtpasswdAuthOptions}
 * @returns the auth to give `createRegistryHandler`
 * @throws {OciError} `CONFIG_INVALID` as {@link parseHtpasswd}
 * @see https://distribution.github.io/distribution/about/configuration/#htpasswd
 */
export function htpasswdAuth(htpasswd: string, options: HtpasswdAuthOptions = {}): RegistryAuth {
  const checkPassword = passwordChecker(htpasswd, options);
  const realm = (options.realm ?? 'ocikit').replace(/["\\]/g, '');
  const challenge = `Basic realm="${realm}"`;
  /** The signed-in user, undefined for no credentials, null for wrong ones. */
  async function callerOf(request: Request): Promise<Caller | null> {
    const credential = basicCredential(request.headers.get('authorization'));
    if (credential === undefined) return request.headers.has('authorization') ? null : undefined;
    return (await checkPassword(credential.username, credential.password))
      ? credential.username
      : null;
  }
  const auth: RegistryAuth = {
    challenge,
    async authenticate(request) {
      return typeof (await callerOf(request)) === 'string';
    },
    async identify(request) {
      return (await callerOf(request)) ?? undefined;
    },
  };
  if (options.grants === undefined) return auth;
  const grant = compileGrants(options.grants, options.catalog ?? 'authenticated');
  return {
    ...auth,
    async authorize(request, scopes): Promise<AuthRefusal | undefined> {
      const caller = await callerOf(request);
      if (caller === null || (caller === undefined && scopes.length === 0)) {
        return { code: 'UNAUTHORIZED', message: 'Authentication is required', challenge };
      }
      const access = grant(caller, scopes);
      if (scopes.every((scope) => coverage(access, scope) === 'allowed')) return undefined;
      const wanted = scopes.map(formatScope).join(' ');
      return caller === undefined
        ? { code: 'UNAUTHORIZED', message: `Authentication is required for ${wanted}`, challenge }
        : { code: 'DENIED', message: `User "${caller}" may not ${wanted}`, challenge };
    },
  };
}

/**
 * Checks passwords against an htpasswd file of bcrypt entries, remembering
 * accepted pairs by a hash of the password.
 *
 * @param htpasswd - the file's content
 * @param options - `cacheSize`: how many accepted pairs are remembered
 * @returns whether a user and password match an entry
 * @throws {OciError} `CONFIG_INVALID` as {@link parseHtpasswd}
 */
export function passwordChecker(
  htpasswd: string,
  options: { cacheSize?: number } = {},
): (username: string, password: string) => Promise<boolean> {
  const users = parseHtpasswd(htpasswd);
  const cacheSize = options.cacheSize ?? 100;
  const accepted = new Set<string>();
  return async (username, password) => {
    const key = `${username}\n${digestBytes(password)}`;
    if (accepted.has(key)) return true;
    const hash = users.get(username);
    const matches = await bcrypt.compare(password, hash ?? DECOY);
    if (!matches || hash === undefined) return false;
    if (accepted.size >= cacheSize) accepted.clear();
    accepted.add(key);
    return true;
  };
}

/**
 * The user and password of a `Basic` `Authorization` header.
 *
 * @param header - the header value
 * @returns the credential, or undefined when there is none
 */
export function basicCredential(header: string | null) {
  const match = /^basic\s+([A-Za-z0-9+/=]{1,4096})\s*$/i.exec(header ?? '');
  return match?.[1] === undefined ? undefined : decodeBasicAuth(match[1]);
}
