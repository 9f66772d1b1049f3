import {
  authorizationFor,
  type Challenge,
  ChallengeCache,
  type Credential,
  type CredentialSource,
  type FetchFunction,
  parseChallenges,
  type Scope,
  TokenCache,
} from '@ocikit/auth';
import { abortError, delay, OciError } from '@ocikit/digest';
import { isReplayable, type RequestBody } from './body.ts';
import { type OutgoingHeaders, outgoingHeaders } from './headers.ts';
import { type Endpoint, endpointsFor, type HostsConfig } from './hosts.ts';
import { hopRefusal } from './origin-policy.ts';
import { redactHeaders, redactUrl } from './redact.ts';
import { errorFromResponse } from './response-error.ts';
import {
  backoffDelay,
  isRetryableStatus,
  networkRetries,
  parseRetryAfter,
  type RetryOptions,
  type RetryPolicy,
  retryPolicy,
} from './retry.ts';
import { rememberSecrets, SentSecrets } from './secrets.ts';
import { sendFollowingRedirects, systemErrorCode } from './send.ts';
import type { TraceEvent } from './trace.ts';

/** Options of a {@link Transport}. */
export interface TransportOptions {
  /**
   * The `fetch` to call. In Node, `createNodeTransport` from
   * `@ocikit/transport/node` passes an undici-based one with connection
   * pooling and per-host TLS options.
   * @default globalThis.fetch
   */
  fetch?: FetchFunction;
  /**
   * Where credentials come from (see `@ocikit/auth` and `@ocikit/auth/docker`).
   * @default anonymous
   */
  credentials?: CredentialSource;
  /** Per-host options: `plainHttp`, `insecure`, `mirrors`, `endpoint`, TLS. */
  hosts?: HostsConfig;
  /** How network errors, 502, 503, 504 and 429 are retried. */
  retry?: RetryOptions;
  /**
   * How long one attempt may wait for response headers (the body may take
   * as long as it takes).
   * @default 60000
   */
  timeoutMs?: number;
  /**
   * The most redirects followed for one request.
   * @default 10
   */
  maxRedirects?: number;
  /**
   * The `User-Agent` header.
   * @default 'ocikit'
   */
  userAgent?: string;
  /** Called for every request, response, retry and failure, with secrets redacted. */
  onTrace?: (event: TraceEvent) => void;
  /**
   * The token cache, to share tokens between transports.
   * @default a new cache using this transport's `fetch` and `now`
   */
  tokens?: TokenCache;
  /**
   * The clock, in ms since the epoch (for `Retry-After` dates and tokens).
   * @default Date.now
   */
  now?: () => number;
  /**
   * Awaited before every HTTP request the transport sends: each attempt
   * (retries too), each redirect hop, each token request and the https
   * probe of a host, to pace requests per host as
   * `RegistryPacer.beforeRequest` does. `registry` is the registry as named
   * in references for a request to its own host (or one of its mirrors),
   * else the host the request goes to (`auth.docker.io` for a token
   * realm, a storage host a blob download was redirected to). Token
   * requests of a `tokens` cache passed in are not seen. A rejection
   * fails the request with it.
   */
  beforeRequest?: (request: {
    readonly registry: string;
    readonly method: string;
    readonly signal?: AbortSignal | undefined;
  }) => void | Promise<void>;
  /**
   * Sees every response of every request, as
   * {@link TransportRequest.onResponse} does, with the registry it is from:
   * to watch rate-limit headers, as `RegistryPacer.onResponse` does. It
   * must not read the body.
   */
  onResponse?: (registry: string, response: Response) => void;
}

/** One request to a registry. */
export interface TransportRequest {
  /** The registry as named in references: `docker.io`, `ghcr.io`, `localhost:5000`. */
  registry: string;
  /**
   * The method.
   * @default 'GET'
   */
  method?: string;
  /** The path and query on the registry, such as `/v2/library/alpine/tags/list?n=100`. */
  path?: string;
  /**
   * An absolute URL the registry handed out (an upload `Location`, a `Link`);
   * credentials go along only when it is on the registry's own origin, and
   * an http URL from an https registry is refused (see `hopRefusal`).
   */
  url?: string | URL;
  /** Request headers. */
  headers?: HeadersInit;
  /** The body; a bare stream can be sent once only, so such a request is never repeated. */
  body?: RequestBody;
  /** What the request needs access to, for the token request (`repository:name:pull`). */
  scopes?: readonly (Scope | string)[];
  /** The repository, for credentials stored per namespace (`auth.json`). */
  repository?: string;
  /** Cancels the request, and the response body. */
  signal?: AbortSignal;
  /**
   * Whether the request may be repeated after a network error or a 502, 503,
   * 504 or 429.
   * @default true for GET, HEAD, PUT and DELETE with a replayable body
   */
  retry?: boolean;
  /**
   * Whether the registry's mirrors may serve the request.
   * @default true for GET and HEAD by path
   */
  mirrors?: boolean;
  /**
   * Sees every response the server answers, before the transport acts on it
   * (a retried 503, a final 429): for headers such as warnings and rate
   * limits. It must not read the body.
   */
  onResponse?: (response: Response) => void;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/**
 * One HTTP client for OCI registries, on `fetch`:
 *
 * - auth: on a 401 it parses the challenge, gets credentials for the host,
 *   fetches a token for the declared scopes and tries once more; the
 *   challenge is remembered per host, so later requests carry a (cached)
 *   token up front. A 401 after that is `UNAUTHORIZED`, a 403 `DENIED`.
 * - retries with exponential backoff and jitter after network errors, 502,
 *   503, 504 and 429 (`Retry-After` honoured), for requests safe to repeat;
 *   a host name that does not resolve is not retried, a refused connection
 *   once (see `networkRetries`).
 * - redirects followed by hand: credentials never cross to another origin,
 *   https never goes down to http, loops and long chains are refused; the
 *   same origin policy holds for URLs the registry hands out and for token
 *   realms that would receive credentials.
 * - what a response says (error bodies, trace headers) is cleared of every
 *   secret sent to its host (see `redactEchoedSecrets`).
 * - per host: https, plain http, or https-then-http for insecure and
 *   loopback hosts; mirrors for GET/HEAD with fallback to the registry.
 *
 * Every other response is returned as it is; {@link errorFromResponse}
 * turns an error response into a typed `OciError`.
 */
export class Transport {
  readonly #fetch: FetchFunction;
  readonly #credentials: CredentialSource | undefined;
  readonly #hosts: HostsConfig | undefined;
  readonly #retry: RetryPolicy;
  readonly #timeoutMs: number;
  readonly #maxRedirects: number;
  readonly #userAgent: string;
  /** The trace listener; without one no event is built (redaction parses URLs). */
  readonly #trace: ((event: TraceEvent) => void) | undefined;
  readonly #tokens: TokenCache;
  readonly #now: () => number;
  readonly #beforeRequest: TransportOptions['beforeRequest'];
  readonly #onResponse: TransportOptions['onResponse'];
  readonly #challenges = new ChallengeCache();
  readonly #credentialLookups = new Map<string, Promise<Credential | undefined>>();
  readonly #schemes = new Map<string, Promise<'https' | 'http'>>();
  /** The registry (as named in references) each endpoint host serves, for pacing. */
  readonly #registryOfHost = new Map<string, string>();
  readonly #secrets = new Map<string, SentSecrets>();
  #ids = 0;

  /**
   * @param options - {@link TransportOptions}
   * @throws {OciError} `OPTION_INVALID` for a bad option
   */
  constructor(options: TransportOptions = {}) {
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#credentials = options.credentials;
    this.#hosts = options.hosts;
    this.#retry = retryPolicy(options.retry);
    this.#timeoutMs = positive('timeoutMs', options.timeoutMs ?? 60_000);
    this.#maxRedirects = positive('maxRedirects', options.maxRedirects ?? 10, true);
    this.#userAgent = options.userAgent ?? 'ocikit';
    this.#trace = options.onTrace;
    this.#now = options.now ?? Date.now;
    this.#beforeRequest = options.beforeRequest;
    this.#tokens = options.tokens ?? new TokenCache({ fetch: this.#pacedFetch(), now: this.#now });
    this.#onResponse = options.onResponse;
  }

  /**
   * Sends a request to a registry, through auth, retries, redirects and
   * mirrors, and returns the response (of any status but those below).
   *
   * @param request - {@link TransportRequest}
   * @returns the final response; its body is the caller's to read or cancel
   * @throws {OciError} `UNAUTHORIZED` (401 after authenticating), `DENIED`
   *   (403), `TOOMANYREQUESTS` (429 after the retries), `NETWORK_ERROR`,
   *   `TIMEOUT`, `REDIRECT_INVALID` (also an http `url` from an https
   *   registry), `CHALLENGE_INVALID` (also a plain-http realm that would get
   *   credentials from an https registry), `ABORTED`, and the
   *   credential and token errors of `@ocikit/auth`
   */
  async request(request: TransportRequest): Promise<Response> {
    const method = (request.method ?? 'GET').toUpperCase();
    if ((request.path === undefined) === (request.url === undefined)) {
      throw new OciError('OPTION_INVALID', 'A request needs either a path or a url, not both');
    }
    const id = ++this.#ids;
    const withMirrors =
      request.mirrors ?? ((method === 'GET' || method === 'HEAD') && request.url === undefined);
    const endpoints = endpointsFor(this.#hosts, request.registry, withMirrors);
    for (const [index, endpoint] of endpoints.entries()) {
      const last = index === endpoints.length - 1;
      try {
        const response = await this.#send(endpoint, method, request, id);
        if (last || (response.status !== 404 && response.status < 500)) return response;
        await response.body?.cancel().catch(() => {});
      } catch (error) {
        if (last || (error instanceof OciError && error.code === 'ABORTED')) {
          this.#traceError(id, method, request, error);
          throw error;
        }
      }
    }
    throw new OciError('OPTION_INVALID', `No endpoint for registry "${request.registry}"`);
  }

  /**
   * The authentication challenges the registry has answered with so far
   * (remembered from its 401 responses): which scheme, realm and service it
   * uses. Empty before the first challenge, and for an open registry.
   *
   * @param registry - the registry as named in references
   * @param options - `signal` for the scheme detection this may need
   * @returns the remembered challenges
   */
  async challenges(
    registry: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<readonly Challenge[]> {
    const [endpoint] = endpointsFor(this.#hosts, registry, false);
    if (!endpoint) return [];
    return this.#challenges.get(await this.#base(endpoint, options.signal));
  }

  async #send(endpoint: Endpoint, method: string, request: TransportRequest, id: number) {
    const { signal } = request;
    this.#registryOfHost.set(endpoint.host, request.registry);
    const base = await this.#base(endpoint, signal);
    // The URL's own host (`reg:443` is `reg` there): hops to it are the request's registry's.
    const baseHost = new URL(base).host;
    this.#registryOfHost.set(baseHost, request.registry);
    const url =
      request.url === undefined ? new URL(`${base}${request.path}`) : new URL(request.url);
    const refused =
      request.url === undefined ? undefined : hopRefusal(new URL(base), url, this.#hosts);
    if (refused !== undefined) {
      throw new OciError(
        'REDIRECT_INVALID',
        `Refusing a URL that "${endpoint.host}" handed out: ${refused}`,
      );
    }
    const ownOrigin = url.origin === new URL(base).origin;
    const replayable = isReplayable(request.body);
    const retryable = replayable && (request.retry ?? IDEMPOTENT.has(method));
    const secrets = this.#secretsOf(endpoint.host);
    let authorization = ownOrigin
      ? await this.#authorize(
          endpoint,
          url,
          withoutScope(this.#challenges.get(url)),
          request,
          false,
        )
      : undefined;
    let challenged = false;
    for (let retries = 0, attempt = 0; ; attempt += 1) {
      if (signal?.aborted) throw abortError(signal);
      const headers = outgoingHeaders(request.headers);
      headers['user-agent'] ??= this.#userAgent;
      if (authorization) headers.authorization = authorization;
      let response: Response;
      try {
        response = await sendFollowingRedirects(
          url,
          { method, headers, body: request.body },
          {
            fetch: this.#fetch,
            signal,
            timeoutMs: this.#timeoutMs,
            maxRedirects: this.#maxRedirects,
            hosts: this.#hosts,
            beforeSend: (hop, hopMethod) =>
              this.#pace(
                hop,
                hopMethod,
                signal,
                hop.host === baseHost ? request.registry : undefined,
              ),
            onSend: (sent, sentHeaders) =>
              this.#traceRequest(id, method, sent, attempt, sentHeaders),
            onResponse: (sent, got, durationMs) =>
              this.#traceResponse(id, method, sent, got, durationMs, secrets),
          },
        );
      } catch (error) {
        if (!retryable || !isTransient(error)) throw error;
        if (retries >= networkRetries(systemErrorCode(error), this.#retry)) throw error;
        await this.#wait(id, (error as OciError).code, backoffDelay(retries, this.#retry), signal);
        retries += 1;
        continue;
      }
      rememberSecrets(response, secrets);
      request.onResponse?.(response);
      this.#onResponse?.(request.registry, response);
      if (response.status === 401 && ownOrigin) {
        const challenges = parseChallenges(response.headers);
        if (challenges.length > 0) this.#challenges.set(url, challenges);
        const next =
          challenged || !replayable
            ? undefined
            : await this.#authorize(
                endpoint,
                url,
                challenges,
                request,
                authorization !== undefined,
              );
        if (next === undefined)
          throw await refusal(response, method, url, authorization, challenges, secrets);
        await response.body?.cancel().catch(() => {});
        challenged = true;
        authorization = next;
        continue;
      }
      if (response.status === 403) {
        throw await errorFromResponse(response, `${method} ${redactUrl(url)} was denied`);
      }
      if (isRetryableStatus(response.status) && retryable && retries < this.#retry.retries) {
        const asked = parseRetryAfter(response.headers.get('retry-after'), this.#now());
        if (asked === undefined || asked <= this.#retry.maxRetryAfterMs) {
          await response.body?.cancel().catch(() => {});
          await this.#wait(
            id,
            String(response.status),
            asked ?? backoffDelay(retries, this.#retry),
            signal,
          );
          retries += 1;
          continue;
        }
      }
      if (response.status === 429) {
        throw await errorFromResponse(response, `${method} ${redactUrl(url)} was rate-limited`);
      }
      return response;
    }
  }

  /**
   * The authorization for a request, from challenges; undefined when there
   * is nothing to send. What it sends is recorded among the host's secrets.
   */
  async #authorize(
    endpoint: Endpoint,
    url: URL,
    challenges: readonly Challenge[],
    request: TransportRequest,
    refresh: boolean,
  ): Promise<string | undefined> {
    if (challenges.length === 0) return undefined;
    const credential = await this.#credential(endpoint.host, request);
    const secrets = this.#secretsOf(endpoint.host);
    if (credential !== undefined) {
      secrets.addCredential(credential);
      this.#checkRealm(endpoint, url, challenges, credential);
    }
    const authorization = await authorizationFor(challenges, {
      tokens: this.#tokens,
      credential,
      scopes: request.scopes,
      signal: request.signal,
      refresh,
    });
    if (authorization !== undefined) secrets.addAuthorization(authorization);
    return authorization;
  }

  /**
   * Refuses a Bearer realm that {@link hopRefusal} forbids from the
   * registry's URL (https → plain http) before a credential is sent there.
   */
  #checkRealm(
    endpoint: Endpoint,
    url: URL,
    challenges: readonly Challenge[],
    credential: Credential,
  ) {
    if ('registryToken' in credential) return;
    const realm = challenges.find((challenge) => challenge.scheme === 'bearer')?.params.realm;
    let target: URL;
    try {
      target = new URL(realm ?? '');
    } catch {
      return; // authorizationFor refuses it with CHALLENGE_INVALID
    }
    const refused = hopRefusal(url, target, this.#hosts);
    if (refused === undefined) return;
    throw new OciError(
      'CHALLENGE_INVALID',
      `Refusing to send the credentials for "${endpoint.host}" to its token realm ${redactUrl(target)}: ${refused}`,
    );
  }

  /** The secrets sent to a host so far, to redact from what its responses say. */
  #secretsOf(host: string): SentSecrets {
    let secrets = this.#secrets.get(host);
    if (!secrets) {
      secrets = new SentSecrets();
      this.#secrets.set(host, secrets);
    }
    return secrets;
  }

  /** The credential for a host (and repository), looked up once per transport. */
  #credential(host: string, request: TransportRequest): Promise<Credential | undefined> {
    if (!this.#credentials) return Promise.resolve(undefined);
    const key = `${host}\n${request.repository ?? ''}`;
    let lookup = this.#credentialLookups.get(key);
    if (!lookup) {
      lookup = this.#credentials.get(host, {
        ...(request.repository === undefined ? {} : { repository: request.repository }),
      });
      lookup.catch(() => this.#credentialLookups.delete(key));
      this.#credentialLookups.set(key, lookup);
    }
    return lookup;
  }

  /** `scheme://host[/prefix]` of an endpoint, detecting https vs http where allowed. */
  async #base(endpoint: Endpoint, signal: AbortSignal | undefined): Promise<string> {
    const scheme =
      endpoint.scheme === 'detect' ? await this.#detect(endpoint.host, signal) : endpoint.scheme;
    return `${scheme}://${endpoint.host}${endpoint.prefix}`;
  }

  /** https if the host answers https at all, else http; asked once per host. */
  #detect(host: string, signal: AbortSignal | undefined): Promise<'https' | 'http'> {
    let detection = this.#schemes.get(host);
    if (!detection) {
      detection = sendFollowingRedirects(
        new URL(`https://${host}/v2/`),
        { method: 'GET', headers: { 'user-agent': this.#userAgent } },
        {
          fetch: this.#fetch,
          signal,
          timeoutMs: this.#timeoutMs,
          maxRedirects: 0,
          beforeSend: (url, method) => this.#pace(url, method, signal),
        },
      ).then(
        async (response) => {
          await response.body?.cancel().catch(() => {});
          return 'https' as const;
        },
        (error: unknown) => {
          if (error instanceof OciError && error.code === 'ABORTED') throw error;
          return 'http' as const;
        },
      );
      detection.catch(() => this.#schemes.delete(host));
      this.#schemes.set(host, detection);
    }
    return detection;
  }

  /**
   * Waits for `beforeRequest` on a request to a URL, named by `registry`
   * when given (a hop on the request's own endpoint), else by the registry
   * its host last served, else by its host.
   */
  async #pace(
    url: URL,
    method: string,
    signal: AbortSignal | undefined,
    registry?: string,
  ): Promise<void> {
    if (this.#beforeRequest === undefined) return;
    const named = registry ?? this.#registryOfHost.get(url.host) ?? url.host;
    await this.#beforeRequest({ registry: named, method, signal });
  }

  /** This transport's `fetch`, paced by {@link #pace}: what its token cache sends with. */
  #pacedFetch(): FetchFunction {
    if (this.#beforeRequest === undefined) return this.#fetch;
    return async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      await this.#pace(url, init?.method ?? 'GET', init?.signal ?? undefined);
      return this.#fetch(input, init);
    };
  }

  async #wait(id: number, reason: string, delayMs: number, signal: AbortSignal | undefined) {
    this.#trace?.({ type: 'retry', id, reason, delayMs });
    await delay(delayMs, signal);
  }

  #traceRequest(id: number, method: string, url: URL, attempt: number, headers: OutgoingHeaders) {
    if (this.#trace === undefined) return;
    this.#trace({
      type: 'request',
      id,
      method,
      url: redactUrl(url),
      attempt,
      headers: redactHeaders(headers),
    });
  }

  #traceResponse(
    id: number,
    method: string,
    url: URL,
    response: Response,
    durationMs: number,
    secrets: SentSecrets,
  ) {
    if (this.#trace === undefined) return;
    const headers = redactHeaders(response.headers);
    for (const [name, value] of Object.entries(headers)) headers[name] = secrets.redact(value);
    this.#trace({
      type: 'response',
      id,
      method,
      url: redactUrl(url),
      status: response.status,
      durationMs,
      headers,
    });
  }

  #traceError(id: number, method: string, request: TransportRequest, error: unknown) {
    if (this.#trace === undefined) return;
    const where = request.url === undefined ? `${request.registry}${request.path}` : request.url;
    this.#trace({
      type: 'error',
      id,
      method,
      url: redactUrl(where instanceof URL || where.includes('://') ? where : `https://${where}`),
      code: error instanceof OciError ? error.code : 'UNKNOWN',
      message: error instanceof Error ? error.message : String(error),
    });
  }
}

/**
 * The error of a final 401: `DENIED` when credentials were accepted but do
 * not grant what the request needs (`error="insufficient_scope"`),
 * `UNAUTHORIZED` otherwise.
 */
async function refusal(
  response: Response,
  method: string,
  url: URL,
  sent: string | undefined,
  challenges: readonly Challenge[],
  secrets: SentSecrets,
): Promise<OciError> {
  const insufficient =
    sent !== undefined &&
    challenges.some((challenge) => challenge.params.error === 'insufficient_scope');
  const error = await errorFromResponse(
    response,
    insufficient
      ? `${method} ${redactUrl(url)} was denied: the credentials do not grant ${secrets.redact(challenges.find((c) => c.params.scope)?.params.scope ?? 'the needed access')}`
      : `${method} ${redactUrl(url)} was refused`,
  );
  const code = insufficient ? 'DENIED' : 'UNAUTHORIZED';
  return new OciError(code, error.message, { status: 401, detail: error.detail });
}

/**
 * Remembered challenges without their `scope`: that scope was asked for by
 * an earlier request (perhaps for another repository); a request sent with
 * credentials up front asks only for the scopes it declares.
 */
function withoutScope(challenges: readonly Challenge[]): Challenge[] {
  return challenges.map(({ params, ...challenge }) => {
    const { scope: _scope, ...rest } = params;
    return { ...challenge, params: rest };
  });
}

function isTransient(error: unknown): boolean {
  return error instanceof OciError && (error.code === 'NETWORK_ERROR' || error.code === 'TIMEOUT');
}

function positive(name: string, value: number, allowZero = false): number {
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new OciError(
      'OPTION_INVALID',
      `${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, not ${value}`,
    );
  }
  return value;
}
