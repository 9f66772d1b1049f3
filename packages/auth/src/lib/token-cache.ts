import { abortError, digestBytes, OciError } from '@ocikit/digest';
import { type Credential, credentialKind } from './credential.ts';
import { formatScope, mergeScopes } from './scope.ts';
import {
  MIN_TOKEN_LIFETIME_SECONDS,
  requestToken,
  type Token,
  type TokenClient,
  type TokenClientOptions,
  type TokenRequest,
  tokenClient,
} from './token.ts';

/** Options of a {@link TokenCache}: a token client's, plus how long tokens are kept. */
export interface TokenCacheOptions extends TokenClientOptions {
  /**
   * Get a new token this many milliseconds before the cached one expires, so
   * a token never runs out in flight. Below the 60 s minimum token lifetime.
   * @default 10000
   */
  refreshMargin?: number;
  /**
   * The most tokens kept; beyond it expired ones go first, then the oldest.
   * @default 1000
   */
  maxEntries?: number;
}

/** Options of {@link TokenCache.get}. */
export interface TokenCacheGetOptions {
  /**
   * Skip the cached token and get a new one (joining a request already in
   * flight for the key), for when the registry rejected the cached token.
   * @default false
   */
  refresh?: boolean;
  /**
   * Cancels this caller's wait. A request shared with other callers goes on
   * until every caller waiting for it has given up.
   */
  signal?: AbortSignal;
}

/** One token request in flight, shared by every caller asking for the same key. */
interface Flight {
  readonly promise: Promise<Token>;
  readonly controller: AbortController;
  waiters: number;
}

/**
 * Bearer tokens by realm, service, scopes and credential. A token is reused
 * until `refreshMargin` before it expires; concurrent requests for the same
 * key share one request to the token server (single-flight). Failures are not
 * cached. Keys hold a SHA-256 fingerprint of the credential, never the
 * secret.
 *
 * @see https://distribution.github.io/distribution/spec/auth/token/
 */
export class TokenCache {
  readonly #client: TokenClient;
  readonly #refreshMargin: number;
  readonly #maxEntries: number;
  readonly #tokens = new Map<string, Token>();
  readonly #flights = new Map<string, Flight>();

  /**
   * @param options - {@link TokenCacheOptions}
   * @throws {OciError} `OPTION_INVALID` for a bad option
   */
  constructor(options: TokenCacheOptions = {}) {
    this.#client = tokenClient(options);
    this.#refreshMargin = options.refreshMargin ?? 10_000;
    this.#maxEntries = options.maxEntries ?? 1000;
    const maxMargin = MIN_TOKEN_LIFETIME_SECONDS * 1000;
    if (
      !Number.isFinite(this.#refreshMargin) ||
      this.#refreshMargin < 0 ||
      this.#refreshMargin >= maxMargin
    ) {
      throw new OciError(
        'OPTION_INVALID',
        `refreshMargin must be at least 0 and below ${maxMargin} ms, not ${this.#refreshMargin}`,
      );
    }
    if (!Number.isSafeInteger(this.#maxEntries) || this.#maxEntries < 1) {
      throw new OciError(
        'OPTION_INVALID',
        `maxEntries must be a positive integer, not ${this.#maxEntries}`,
      );
    }
  }

  /** How many tokens are cached. */
  get size(): number {
    return this.#tokens.size;
  }

  /**
   * Returns a fresh token for the request: the cached one while it has more
   * than `refreshMargin` left (unless `refresh` is set), else a new one
   * (joining a request already in flight for the same key).
   *
   * @param request - realm, service, scopes and credential
   * @param options - {@link TokenCacheGetOptions}
   * @returns the token
   * @throws {OciError} as `fetchToken`; `ABORTED` when this caller's signal fires
   */
  async get(request: TokenRequest, options: TokenCacheGetOptions = {}): Promise<Token> {
    const { signal, refresh = false } = options;
    if (signal?.aborted) throw abortError(signal);
    const key = tokenCacheKey(request);
    const cached = this.#tokens.get(key);
    if (cached && !refresh && this.#client.now() < cached.expiresAt - this.#refreshMargin) {
      return cached;
    }
    const flight = this.#flights.get(key) ?? this.#start(key, request);
    flight.waiters += 1;
    try {
      return await untilAborted(flight.promise, signal);
    } finally {
      flight.waiters -= 1;
      if (flight.waiters === 0 && this.#flights.get(key) === flight) {
        this.#flights.delete(key);
        flight.controller.abort();
      }
    }
  }

  /**
   * Forgets the token for a request, for example after the registry answered
   * `invalid_token`.
   *
   * @param request - the request the token was got for
   * @returns whether a token was cached for it
   */
  invalidate(request: TokenRequest): boolean {
    return this.#tokens.delete(tokenCacheKey(request));
  }

  /** Forgets every token. */
  clear(): void {
    this.#tokens.clear();
  }

  #start(key: string, request: TokenRequest): Flight {
    const controller = new AbortController();
    const promise = requestToken(request, this.#client, controller.signal).then((token) => {
      this.#store(key, token);
      return token;
    });
    const flight: Flight = { promise, controller, waiters: 0 };
    this.#flights.set(key, flight);
    const settle = () => {
      if (this.#flights.get(key) === flight) this.#flights.delete(key);
    };
    promise.then(settle, settle);
    return flight;
  }

  #store(key: string, token: Token): void {
    this.#tokens.delete(key);
    this.#tokens.set(key, token);
    if (this.#tokens.size <= this.#maxEntries) return;
    const now = this.#client.now();
    for (const [candidate, cached] of this.#tokens) {
      if (cached.expiresAt <= now) this.#tokens.delete(candidate);
    }
    for (const candidate of this.#tokens.keys()) {
      if (this.#tokens.size <= this.#maxEntries) break;
      this.#tokens.delete(candidate);
    }
  }
}

/** The cache key of a request: realm, service, sorted scopes and a fingerprint of the credential. */
function tokenCacheKey(request: TokenRequest): string {
  const scopes = mergeScopes(request.scopes ?? [])
    .map(formatScope)
    .sort();
  return JSON.stringify([
    request.realm,
    request.service ?? null,
    scopes,
    fingerprint(request.credential),
  ]);
}

function fingerprint(credential: Credential | undefined): string | null {
  if (credential === undefined) return null;
  const kind = credentialKind(credential);
  const parts =
    'registryToken' in credential
      ? [credential.registryToken]
      : 'identityToken' in credential
        ? [credential.username ?? '', credential.identityToken]
        : [credential.username, credential.password];
  return `${kind}:${digestBytes(JSON.stringify(parts))}`;
}

/** Waits for a promise, or rejects with `ABORTED` as soon as the signal fires. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
