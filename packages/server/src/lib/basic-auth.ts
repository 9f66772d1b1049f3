import { decodeBasicAuth } from '@ocikit/auth';
import { digestBytes, OciError } from '@ocikit/digest';
import bcrypt from 'bcryptjs';

/** Decides who may use the registry: checked on every request, `/v2/` included. */
export interface RegistryAuth {
  /**
   * @param request - the request
   * @returns whether the request carries acceptable credentials
   */
  authenticate(request: Request): Promise<boolean>;
  /** The `WWW-Authenticate` value of a `401` answer. */
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
  const users = parseHtpasswd(htpasswd);
  const realm = (options.realm ?? 'ocikit').replace(/["\\]/g, '');
  const cacheSize = options.cacheSize ?? 100;
  const accepted = new Set<string>();
  return {
    challenge: `Basic realm="${realm}"`,
    async authenticate(request) {
      const credential = basicCredential(request.headers.get('authorization'));
      if (!credential) return false;
      const key = `${credential.username}\n${digestBytes(credential.password)}`;
      if (accepted.has(key)) return true;
      const hash = users.get(credential.username);
      const matches = await bcrypt.compare(credential.password, hash ?? DECOY);
      if (!matches || hash === undefined) return false;
      if (accepted.size >= cacheSize) accepted.clear();
      accepted.add(key);
      return true;
    },
  };
}

/** The user and password of a `Basic` `Authorization` header, or undefined. */
function basicCredential(header: string | null) {
  const match = /^basic\s+([A-Za-z0-9+/=]{1,4096})\s*$/i.exec(header ?? '');
  return match?.[1] === undefined ? undefined : decodeBasicAuth(match[1]);
}
