import { OciError } from '@ocikit/digest';
import type { UploadSpool } from './storage.ts';

/** One blob upload in progress. */
export interface UploadSession {
  /** The id in the session's URL. */
  readonly id: string;
  /** The repository it uploads to. */
  readonly name: string;
  /** The user who opened it (undefined: anonymous); only they may use it. */
  readonly user: string | undefined;
  /** Where its bytes wait. */
  readonly spool: UploadSpool;
  /** When it expires unless used again, in ms since the epoch. */
  expires: number;
  /** Whether a request is writing to it now. */
  busy: boolean;
}

/** Options of {@link UploadSessions}. */
export interface UploadSessionsOptions {
  /** How long an unused session lives, in ms. */
  timeout: number;
  /** The clock, in ms since the epoch. */
  now: () => number;
  /** The most sessions open at once; one more is `TOOMANYREQUESTS`. */
  maxSessions: number;
}

/**
 * The open upload sessions of a registry, by id. A session that is not used
 * for `timeout` ms expires: its bytes are dropped and its id is unknown from
 * then on. Expired sessions are swept whenever a session is opened.
 */
export class UploadSessions {
  readonly #sessions = new Map<string, UploadSession>();
  readonly #options: UploadSessionsOptions;

  /** @param options - {@link UploadSessionsOptions} */
  constructor(options: UploadSessionsOptions) {
    this.#options = options;
  }

  /**
   * Opens a session.
   * @param name - the repository
   * @param spool - where its bytes will wait
   * @param user - who opens it
   * @returns the session
   * @throws {OciError} `TOOMANYREQUESTS` when `maxSessions` are open (the spool is discarded)
   */
  async open(name: string, spool: UploadSpool, user: string | undefined): Promise<UploadSession> {
    await this.#sweep();
    if (this.#sessions.size >= this.#options.maxSessions) {
      await spool.discard();
      throw new OciError(
        'TOOMANYREQUESTS',
        `${this.#sessions.size} uploads are open, the most this registry keeps; finish or cancel one`,
      );
    }
    const session: UploadSession = {
      id: crypto.randomUUID(),
      name,
      user,
      spool,
      expires: this.#options.now() + this.#options.timeout,
      busy: false,
    };
    this.#sessions.set(session.id, session);
    return session;
  }

  /**
   * Finds a live session of a repository and extends its life.
   * @param name - the repository in the request path
   * @param id - the session id in the request path
   * @param user - who asks for it
   * @returns the session
   * @throws {OciError} `BLOB_UPLOAD_UNKNOWN` for an unknown, expired, other
   *   repository's or other user's session
   */
  async get(name: string, id: string, user: string | undefined): Promise<UploadSession> {
    const session = this.#sessions.get(id);
    const now = this.#options.now();
    if (session && session.expires <= now && !session.busy) await this.close(session);
    if (!session || session.name !== name || session.user !== user || !this.#sessions.has(id)) {
      throw new OciError(
        'BLOB_UPLOAD_UNKNOWN',
        `There is no upload "${id.slice(0, 80)}" in repository "${name}"`,
      );
    }
    session.expires = now + this.#options.timeout;
    return session;
  }

  /**
   * Ends a session (committed, cancelled or expired) and drops its bytes.
   * @param session - the session
   */
  async close(session: UploadSession): Promise<void> {
    this.#sessions.delete(session.id);
    await session.spool.discard();
  }

  async #sweep(): Promise<void> {
    const now = this.#options.now();
    for (const session of [...this.#sessions.values()]) {
      if (session.expires <= now && !session.busy) await this.close(session);
    }
  }
}
