import type { FetchFunction } from '@ocikit/auth';
import { abortError, OciError } from '@ocikit/digest';
import { bodyForAttempt, isReplayable, type RequestBody } from './body.ts';
import { type OutgoingHeaders, withoutHeaders } from './headers.ts';
import type { HostsConfig } from './hosts.ts';
import { hopRefusal } from './origin-policy.ts';
import { redactUrl } from './redact.ts';

/** What one exchange sends. */
export interface Outgoing {
  readonly method: string;
  readonly headers: OutgoingHeaders;
  readonly body?: RequestBody;
}

/** How {@link sendFollowingRedirects} sends. */
export interface SendOptions {
  readonly fetch: FetchFunction;
  readonly signal: AbortSignal | undefined;
  /** How long to wait for response headers, per hop. */
  readonly timeoutMs: number;
  /** The most redirects to follow; 0 returns the first response whatever it is. */
  readonly maxRedirects: number;
  /** The hosts configured `insecure` or `plainHttp`, which an https redirect may go down to. */
  readonly hosts?: HostsConfig | undefined;
  /**
   * Awaited before each hop is sent, before its timeout starts (to pace
   * requests per host); a rejection fails the request with it.
   */
  readonly beforeSend?: (url: URL, method: string) => void | Promise<void>;
  /** Called before each hop is sent. */
  readonly onSend?: (url: URL, headers: OutgoingHeaders) => void;
  /** Called when each hop's response headers arrive. */
  readonly onResponse?: (url: URL, response: Response, durationMs: number) => void;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];

/**
 * Sends a request and follows redirects by hand: `Authorization` and
 * cookies are dropped when the origin changes (pre-signed storage URLs),
 * https never goes down to http (see {@link hopRefusal}), a loop or more than `maxRedirects` hops is
 * refused; 303 (and 301/302 after a POST) turn into a GET without a body.
 *
 * @param url - where to send
 * @param outgoing - method, headers, body
 * @param options - {@link SendOptions}
 * @returns the first response that is not a redirect
 * @throws {OciError} `REDIRECT_INVALID`, `NETWORK_ERROR`, `TIMEOUT`, `ABORTED`
 */
export async function sendFollowingRedirects(
  url: URL,
  outgoing: Outgoing,
  options: SendOptions,
): Promise<Response> {
  let current = url;
  let { method, headers, body } = outgoing;
  const visited = new Set<string>();
  for (let hop = 0; ; hop += 1) {
    await options.beforeSend?.(current, method);
    options.onSend?.(current, headers);
    // Date.now, not performance.now: Node loads its perf_hooks (about 1 ms)
    // at the first touch of `performance`, and a trace shows whole ms.
    const started = Date.now();
    const response = await fetchOnce(current, { method, headers, body }, options);
    options.onResponse?.(current, response, Date.now() - started);
    if (response.type === 'opaqueredirect') {
      // A browser's fetch hides the redirect (status 0, no Location).
      throw redirectInvalid(
        `${redactUrl(current)} redirected, and this runtime's fetch does not let redirects be followed safely`,
      );
    }
    const location = response.headers.get('location');
    if (
      options.maxRedirects === 0 ||
      !REDIRECT_STATUSES.has(response.status) ||
      location === null
    ) {
      return response;
    }
    await response.body?.cancel().catch(() => {});
    if (hop >= options.maxRedirects) {
      throw redirectInvalid(`More than ${options.maxRedirects} redirects from ${redactUrl(url)}`);
    }
    const next = resolveLocation(location, current);
    const refusal = hopRefusal(current, next, options.hosts);
    if (refusal !== undefined) {
      throw redirectInvalid(`Refusing a redirect from ${redactUrl(current)}: ${refusal}`);
    }
    visited.add(current.href);
    if (visited.has(next.href)) throw redirectInvalid(`Redirect loop at ${redactUrl(next)}`);
    if (next.origin !== current.origin) {
      headers = withoutHeaders(headers, CREDENTIAL_HEADERS);
    }
    if (
      response.status === 303 ||
      (method === 'POST' && response.status !== 307 && response.status !== 308)
    ) {
      if (method !== 'HEAD') method = 'GET';
      body = undefined;
      headers = withoutHeaders(headers, ['content-type', 'content-length']);
    } else if (!isReplayable(body)) {
      throw redirectInvalid(
        `Cannot follow a redirect from ${redactUrl(current)}: the streamed body cannot be sent again`,
      );
    }
    current = next;
  }
}

async function fetchOnce(url: URL, outgoing: Outgoing, options: SendOptions): Promise<Response> {
  const { signal, timeoutMs } = options;
  if (signal?.aborted) throw abortError(signal);
  const timeout = new AbortController();
  const timer = setTimeout(() => {
    timeout.abort(
      new OciError('TIMEOUT', `No response from ${redactUrl(url)} within ${timeoutMs} ms`),
    );
  }, timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal;
  const body = bodyForAttempt(outgoing.body);
  // A fetch that may have to follow a redirect keeps a copy of its body
  // (undici tees it), which for a streamed upload means the whole upload in
  // memory. A stream is sent with `redirect: 'error'`, which sends it as is.
  // `body !== undefined` first: the `ReadableStream` global loads Node's web
  // streams (about 2 ms of start-up) at its first touch.
  const streamed = body !== undefined && body instanceof ReadableStream;
  const init: RequestInit & { duplex?: 'half' } = {
    method: outgoing.method,
    headers: outgoing.headers,
    redirect: streamed ? 'error' : 'manual',
    signal: combined,
    ...(body === undefined ? {} : { body }),
    ...(streamed ? { duplex: 'half' as const } : {}),
  };
  try {
    return await options.fetch(url, init);
  } catch (error) {
    if (combined.aborted) throw abortError(combined);
    if (streamed && /redirect/i.test(describeFailure(error))) {
      throw redirectInvalid(
        `${redactUrl(url)} answered a streamed upload with a redirect, which cannot be followed`,
      );
    }
    // A fetch that says what went wrong in ocikit's terms (undici missing,
    // a body it cannot send, a silent connection) is taken at its word.
    if (error instanceof OciError) throw error;
    throw new OciError(
      'NETWORK_ERROR',
      `Cannot reach ${redactUrl(url)}: ${describeFailure(error)}${tlsHint(url, error)}`,
      {
        cause: error,
      },
    );
  } finally {
    clearTimeout(timer);
  }
}

function resolveLocation(location: string, base: URL): URL {
  try {
    return new URL(location, base);
  } catch {
    throw redirectInvalid(`The redirect from ${redactUrl(base)} has an invalid Location`);
  }
}

function redirectInvalid(message: string): OciError {
  return new OciError('REDIRECT_INVALID', message);
}

/** What the common system errors of a connection mean, for messages. */
const SYSTEM_ERRORS: Readonly<Record<string, string>> = {
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name cannot be resolved right now (temporary DNS failure)',
  ECONNREFUSED: 'the connection was refused (nothing listens there)',
  ECONNRESET: 'the connection was reset',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
};

/** Connection failures that an https server's refusal of the client's certificate looks like. */
const CLOSED_EARLY = new Set([
  'UND_ERR_SOCKET',
  'ECONNRESET',
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
]);

/** A hint for an https connection closed before any response: a server may want a client certificate. */
function tlsHint(url: URL, error: unknown): string {
  const code = systemErrorCode(error);
  if (url.protocol !== 'https:' || code === undefined || !CLOSED_EARLY.has(code)) return '';
  return '; if the registry requires a client certificate, set `cert` and `key` for this host';
}

/**
 * The system error code (`ENOTFOUND`, `ECONNREFUSED`, …) behind a failed
 * fetch, looked for along the `cause` chain.
 *
 * @param error - what the fetch threw, or the `NETWORK_ERROR` made of it
 * @returns the code, or undefined
 */
export function systemErrorCode(error: unknown): string | undefined {
  let current: unknown = error instanceof OciError ? error.cause : error;
  for (let depth = 0; current && depth < 5; depth += 1) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === 'string') return code;
    current = cause;
  }
  return undefined;
}

/** The most specific reason a fetch failed: a system error explained, or the cause's message. */
function describeFailure(error: unknown): string {
  const code = systemErrorCode(error);
  if (code !== undefined) return SYSTEM_ERRORS[code] ? `${SYSTEM_ERRORS[code]} (${code})` : code;
  let current: unknown = error;
  let reason = 'the request failed';
  for (let depth = 0; current && depth < 5; depth += 1) {
    const { message, cause } = current as { message?: unknown; cause?: unknown };
    if (typeof message === 'string' && message !== 'fetch failed') reason = message;
    current = cause;
  }
  return reason;
}
