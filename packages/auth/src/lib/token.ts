import { abortError, isOciError, OciError, readBytes } from '@ocikit/digest';
import { encodeBasicAuth } from './basic-auth.ts';
import { type Credential, describeCredential } from './credential.ts';
import { isRecord } from './json.ts';
import { formatScope, mergeScopes, type Scope } from './scope.ts';

/** The `fetch` signature ocikit calls; the global `fetch` of every runtime fits. */
export type FetchFunction = (
  input: string | URL | Request,
  init?: RequestInit,
) => Promise<Response>;

/** What to ask a token server for: the challenge's realm and service, scopes, and who asks. */
export interface TokenRequest {
  /** The `realm` of the Bearer challenge: the token endpoint, an absolute `http(s)` URL. */
  readonly realm: string;
  /** The `service` of the Bearer challenge, if it has one. */
  readonly service?: string;
  /** The scopes to ask for (merged, actions sorted); none asks for a token without access. */
  readonly scopes?: readonly (Scope | string)[];
  /** Who asks; anonymous when absent. */
  readonly credential?: Credential;
}

/** A bearer token from a token server. */
export interface Token {
  /** The token, for `Authorization: Bearer <token>`. */
  readonly token: string;
  /**
   * When it expires, in milliseconds of the clock `now()`: `issued_at` (or the
   * local time when that is missing or implausible) plus `expires_in`, at
   * least {@link MIN_TOKEN_LIFETIME_SECONDS}. `Infinity` for a registry token.
   */
  readonly expiresAt: number;
  /** A refresh token, when the server sent one (ask with `offlineToken`); store it as an identity token. */
  readonly refreshToken?: string;
}

/** Options of a token client: {@link fetchToken} and the `TokenCache`. */
export interface TokenClientOptions {
  /**
   * The `fetch` to call.
   * @default globalThis.fetch
   */
  fetch?: FetchFunction;
  /**
   * The clock, in milliseconds since the epoch.
   * @default Date.now
   */
  now?: () => number;
  /**
   * The `client_id` sent with OAuth2 POST requests (and with `offlineToken` GETs).
   * @default 'ocikit'
   */
  clientId?: string;
  /**
   * Ask for tokens for a user name and password with the OAuth2 POST flow
   * (`grant_type=password`) instead of GET with Basic auth, as containerd
   * does; a server answering 400, 401, 404 or 405 is asked again with GET.
   * An identity token always uses POST (`grant_type=refresh_token`).
   * @default false
   */
  forceOAuth?: boolean;
  /**
   * Ask for a refresh token too (`access_type=offline` for POST,
   * `offline_token=true` for GET), returned as {@link Token.refreshToken}.
   * @default false
   */
  offlineToken?: boolean;
  /**
   * The largest token response accepted, in bytes; more is `SIZE_EXCEEDED`.
   * @default 1048576 (1 MiB)
   */
  maxResponseBytes?: number;
  /**
   * Extra request headers, such as `User-Agent`.
   * @default {}
   */
  headers?: Readonly<Record<string, string>>;
}

/** Options of {@link fetchToken}. */
export interface FetchTokenOptions extends TokenClientOptions {
  /** Cancels the request. */
  signal?: AbortSignal;
}

/** The default bound of a token response: 1 MiB. */
export const DEFAULT_MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;

/**
 * The shortest lifetime a token is given, in seconds (also the lifetime when
 * the server sends no `expires_in`): old Docker clients assumed 60 s, so
 * servers must not issue shorter ones.
 *
 * @see https://distribution.github.io/distribution/spec/auth/token/#token-response-fields
 */
export const MIN_TOKEN_LIFETIME_SECONDS = 60;

/** Redirects followed on the same origin for a request that carries credentials. */
const MAX_CREDENTIAL_REDIRECTS = 5;
/** Printable ASCII without space: what can go into an `Authorization` header unchanged. */
const HEADER_SAFE = /^[\x21-\x7e]+$/;
/** How much of an error response is read to find an error code in it. */
const ERROR_BODY_BYTES = 16 * 1024;
/**
 * Error codes of a token server's answer that are repeated in messages: the
 * OAuth2 ones and distribution's. Only known codes are shown, so that a
 * server echoing what it was sent cannot put a secret into a message.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
const KNOWN_ERROR_CODES = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'UNAUTHORIZED',
  'DENIED',
  'UNSUPPORTED',
  'TOOMANYREQUESTS',
]);

/** {@link TokenClientOptions} with defaults applied; internal. */
export interface TokenClient {
  readonly fetch: FetchFunction;
  readonly now: () => number;
  readonly clientId: string;
  readonly forceOAuth: boolean;
  readonly offlineToken: boolean;
  readonly maxResponseBytes: number;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Validates token client options and applies their defaults.
 *
 * @param options - {@link TokenClientOptions}
 * @returns the resolved options
 * @throws {OciError} `OPTION_INVALID` for a bad value
 */
export function tokenClient(options: TokenClientOptions): TokenClient {
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_TOKEN_RESPONSE_BYTES;
  if (!Number.isSafeInteger(maxResponseBytes) || maxResponseBytes <= 0) {
    throw new OciError(
      'OPTION_INVALID',
      `maxResponseBytes must be a positive integer, not ${maxResponseBytes}`,
    );
  }
  const clientId = options.clientId ?? 'ocikit';
  if (clientId === '') throw new OciError('OPTION_INVALID', 'clientId must not be empty');
  const fetchFunction = options.fetch ?? globalThis.fetch;
  if (typeof fetchFunction !== 'function') {
    throw new OciError('OPTION_INVALID', 'No fetch function: pass options.fetch');
  }
  return {
    fetch: fetchFunction,
    now: options.now ?? Date.now,
    clientId,
    forceOAuth: options.forceOAuth ?? false,
    offlineToken: options.offlineToken ?? false,
    maxResponseBytes,
    headers: { ...options.headers },
  };
}

/**
 * Gets a bearer token from a token server, by the flow the credential calls for:
 *
 * - anonymous: `GET realm?service=…&scope=…&scope=…`;
 * - user name and password: the same GET with Basic auth and `account` (or
 *   the OAuth2 POST `grant_type=password` with `forceOAuth`);
 * - identity token: OAuth2 POST `grant_type=refresh_token`;
 * - registry token: returned as it is, without a request.
 *
 * A POST answered 404 or 405 (and 400 or 401 for the password grant, as
 * containerd does) is retried as a GET. The response may carry `token` or
 * `access_token`; `expires_in` defaults to and is raised to
 * {@link MIN_TOKEN_LIFETIME_SECONDS}. A request that carries credentials
 * follows redirects only on the same origin, and only for GET.
 *
 * @param request - {@link TokenRequest}
 * @param options - {@link FetchTokenOptions}
 * @returns the token
 * @throws {OciError} `UNAUTHORIZED` (401; the message names the token server
 *   host and the user, never a secret), `DENIED` (403), `TOOMANYREQUESTS`,
 *   `HTTP_UNEXPECTED_STATUS`, `TOKEN_INVALID` (not JSON, no token),
 *   `SIZE_EXCEEDED`, `CHALLENGE_INVALID` (bad realm), `REDIRECT_INVALID`,
 *   `NETWORK_ERROR`, `ABORTED`, `OPTION_INVALID`
 * @see https://distribution.github.io/distribution/spec/auth/token/
 * @see https://distribution.github.io/distribution/spec/auth/oauth/
 */
export async function fetchToken(
  request: TokenRequest,
  options: FetchTokenOptions = {},
): Promise<Token> {
  return requestToken(request, tokenClient(options), options.signal);
}

/** What one token request needs to know, for the request and its messages. */
interface Exchange {
  readonly realm: URL;
  readonly service: string | undefined;
  readonly scopes: readonly string[];
  readonly credential: Credential | undefined;
  readonly client: TokenClient;
  readonly signal: AbortSignal | undefined;
}

/**
 * {@link fetchToken} with resolved options; the token cache calls it.
 *
 * @param request - {@link TokenRequest}
 * @param client - resolved options
 * @param signal - cancels the request
 * @returns the token
 * @throws {OciError} as {@link fetchToken}
 */
export async function requestToken(
  request: TokenRequest,
  client: TokenClient,
  signal: AbortSignal | undefined,
): Promise<Token> {
  if (signal?.aborted) throw abortError(signal);
  const { credential } = request;
  if (credential !== undefined && 'registryToken' in credential) {
    return { token: credential.registryToken, expiresAt: Number.POSITIVE_INFINITY };
  }
  const exchange: Exchange = {
    realm: parseRealm(request.realm),
    service: request.service,
    scopes: mergeScopes(request.scopes ?? []).map(formatScope),
    credential,
    client,
    signal,
  };
  if (credential !== undefined && ('identityToken' in credential || client.forceOAuth)) {
    const response = await postForm(exchange, credential);
    const fallBack =
      response.status === 404 ||
      response.status === 405 ||
      ('password' in credential && (response.status === 400 || response.status === 401));
    if (!fallBack) return readToken(response, exchange);
    await discard(response);
  }
  return readToken(await getWithQuery(exchange), exchange);
}

function parseRealm(realm: string): URL {
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    throw new OciError('CHALLENGE_INVALID', 'The realm of the Bearer challenge is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new OciError(
      'CHALLENGE_INVALID',
      `The realm of the Bearer challenge is not an http(s) URL (${url.protocol})`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new OciError(
      'CHALLENGE_INVALID',
      `The realm of the Bearer challenge on "${url.host}" carries user info`,
    );
  }
  return url;
}

async function postForm(
  exchange: Exchange,
  credential: Exclude<Credential, { registryToken: string }>,
): Promise<Response> {
  const form = new URLSearchParams();
  if (exchange.scopes.length > 0) form.set('scope', exchange.scopes.join(' '));
  if (exchange.service !== undefined) form.set('service', exchange.service);
  form.set('client_id', exchange.client.clientId);
  if ('identityToken' in credential) {
    form.set('grant_type', 'refresh_token');
    form.set('refresh_token', credential.identityToken);
  } else {
    form.set('grant_type', 'password');
    form.set('username', credential.username);
    form.set('password', credential.password);
  }
  if (exchange.client.offlineToken) form.set('access_type', 'offline');
  return send(exchange, exchange.realm, {
    method: 'POST',
    headers: {
      ...exchange.client.headers,
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    },
    body: form.toString(),
  });
}

async function getWithQuery(exchange: Exchange): Promise<Response> {
  const url = new URL(exchange.realm);
  if (exchange.service !== undefined) url.searchParams.append('service', exchange.service);
  for (const scope of exchange.scopes) url.searchParams.append('scope', scope);
  const headers: Record<string, string> = { ...exchange.client.headers };
  const { credential } = exchange;
  if (credential !== undefined && !('registryToken' in credential)) {
    const [username, secret] =
      'identityToken' in credential
        ? [credential.username ?? '<token>', credential.identityToken]
        : [credential.username, credential.password];
    if (credential.username !== undefined) url.searchParams.append('account', credential.username);
    headers.authorization = `Basic ${encodeBasicAuth(username, secret)}`;
  }
  if (exchange.client.offlineToken) {
    url.searchParams.append('offline_token', 'true');
    url.searchParams.append('client_id', exchange.client.clientId);
  }
  return send(exchange, url, { method: 'GET', headers });
}

/** Sends a request; with credentials, redirects are followed by hand and only where safe. */
async function send(exchange: Exchange, url: URL, init: RequestInit): Promise<Response> {
  const guarded = exchange.credential !== undefined;
  let target = url;
  for (let hops = 0; ; hops += 1) {
    let response: Response;
    try {
      response = await exchange.client.fetch(target, {
        ...init,
        redirect: guarded ? 'manual' : 'follow',
        signal: exchange.signal,
      });
    } catch (error) {
      if (exchange.signal?.aborted) throw abortError(exchange.signal);
      if (isOciError(error)) throw error;
      throw new OciError('NETWORK_ERROR', `Cannot reach token server "${target.host}"`, {
        cause: error,
      });
    }
    if (!guarded || !isRedirect(response)) return response;
    await discard(response);
    const next = redirectTarget(response, target);
    if (
      init.method !== 'GET' ||
      next === undefined ||
      next.origin !== target.origin ||
      hops >= MAX_CREDENTIAL_REDIRECTS
    ) {
      throw new OciError(
        'REDIRECT_INVALID',
        `Token server "${target.host}" redirected a ${init.method} request that carries credentials; ` +
          `such redirects are followed only for GET, on the same origin, at most ${MAX_CREDENTIAL_REDIRECTS} times`,
        { status: response.status || undefined },
      );
    }
    target = next;
  }
}

function isRedirect(response: Response): boolean {
  return response.type === 'opaqueredirect' || [301, 302, 303, 307, 308].includes(response.status);
}

function redirectTarget(response: Response, base: URL): URL | undefined {
  const location = response.headers.get('location');
  if (location === null) return undefined;
  try {
    return new URL(location, base);
  } catch {
    return undefined;
  }
}

async function readToken(response: Response, exchange: Exchange): Promise<Token> {
  const host = exchange.realm.host;
  if (!response.ok) throw await statusError(response, exchange);
  const limit = exchange.client.maxResponseBytes;
  const tooBig = () =>
    new OciError('SIZE_EXCEEDED', `Token response from "${host}" is over the ${limit}-byte limit`, {
      status: response.status,
    });
  if (Number(response.headers.get('content-length') ?? 0) > limit) {
    await discard(response);
    throw tooBig();
  }
  if (response.body === null) {
    throw new OciError('TOKEN_INVALID', `Token server "${host}" answered with an empty body`);
  }
  let bytes: Uint8Array;
  try {
    bytes = await readBytes(response.body, { maxBytes: limit, signal: exchange.signal });
  } catch (error) {
    if (isOciError(error, 'SIZE_EXCEEDED')) throw tooBig();
    if (exchange.signal?.aborted) throw abortError(exchange.signal);
    if (isOciError(error)) throw error;
    throw new OciError('NETWORK_ERROR', `Token response from "${host}" broke off`, {
      cause: error,
    });
  }
  const invalid = (reason: string) =>
    new OciError('TOKEN_INVALID', `Token server "${host}" ${reason}`, { status: response.status });
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw invalid('answered with a body that is not JSON');
  }
  if (!isRecord(body)) throw invalid('answered with JSON that is not an object');
  const token = nonEmptyString(body.access_token) ?? nonEmptyString(body.token);
  if (token === undefined) throw invalid('answered without a token ("token" or "access_token")');
  if (!HEADER_SAFE.test(token)) throw invalid('answered with a token that is not printable ASCII');
  const refreshToken = nonEmptyString(body.refresh_token);
  const expiresAt = expiry(body, exchange.client.now());
  return refreshToken === undefined ? { token, expiresAt } : { token, expiresAt, refreshToken };
}

/** `issued_at` + `expires_in`, both as the server sent them when plausible, else from `now`. */
function expiry(body: Record<string, unknown>, now: number): number {
  const expiresIn = body.expires_in;
  const seconds =
    typeof expiresIn === 'number' && Number.isFinite(expiresIn)
      ? Math.max(expiresIn, MIN_TOKEN_LIFETIME_SECONDS)
      : MIN_TOKEN_LIFETIME_SECONDS;
  const lifetime = seconds * 1000;
  const issuedAt = typeof body.issued_at === 'string' ? Date.parse(body.issued_at) : Number.NaN;
  const plausible = Number.isFinite(issuedAt) && issuedAt <= now && issuedAt + lifetime > now;
  return (plausible ? issuedAt : now) + lifetime;
}

async function statusError(response: Response, exchange: Exchange): Promise<OciError> {
  const host = exchange.realm.host;
  const code = await errorCode(response, exchange.signal);
  if (exchange.signal?.aborted) return abortError(exchange.signal);
  const status = `${response.status}${code === undefined ? '' : `, ${code}`}`;
  const who = describeCredential(exchange.credential);
  const options = { status: response.status };
  switch (response.status) {
    case 401:
      return new OciError(
        'UNAUTHORIZED',
        exchange.credential === undefined
          ? `Token server "${host}" refused anonymous access (${status}): log in to the registry first`
          : `Token server "${host}" rejected ${who} (${status}): check the credentials`,
        options,
      );
    case 403:
      return new OciError(
        'DENIED',
        `Token server "${host}" denied ${who} the scopes "${exchange.scopes.join(' ')}" (${status})`,
        options,
      );
    case 429:
      return new OciError(
        'TOOMANYREQUESTS',
        `Token server "${host}" is rate-limiting ${who} (${status})`,
        options,
      );
    default:
      return new OciError(
        'HTTP_UNEXPECTED_STATUS',
        `Token server "${host}" answered ${status} to a token request`,
        options,
      );
  }
}

/** The OAuth2 `error` or the first distribution `errors[].code` of an error body, if it is a known code. */
async function errorCode(
  response: Response,
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  if (response.body === null) return undefined;
  try {
    const bytes = await readBytes(response.body, { maxBytes: ERROR_BODY_BYTES, signal });
    const body: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (!isRecord(body)) return undefined;
    const first = Array.isArray(body.errors) ? body.errors[0] : undefined;
    const code =
      typeof body.error === 'string' ? body.error : isRecord(first) ? first.code : undefined;
    return typeof code === 'string' && KNOWN_ERROR_CODES.has(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => {});
}
