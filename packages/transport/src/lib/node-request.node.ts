import { outgoingHeaders } from './headers.ts';
import { webResponse } from './node-response.node.ts';
import type { Dispatcher, Undici } from './undici.node.ts';

/**
 * Whether a request can take {@link requestResponse}: a `GET` or `HEAD`
 * without a body whose redirects are handled by the caller (`manual`), as
 * the {@link Transport} sends them. Anything else goes through `fetch`.
 *
 * @param init - the fetch options
 * @returns whether the fast path applies
 */
export function takesFastPath(init: RequestInit | undefined): init is RequestInit {
  const method = init?.method ?? 'GET';
  return (
    init?.redirect === 'manual' && (method === 'GET' || method === 'HEAD') && init.body == null
  );
}

/**
 * Sends a `GET` or `HEAD` with undici's `request()` and answers a web
 * `Response`, as `fetch` would with `redirect: 'manual'`. It skips fetch's
 * per-chunk machinery: a 1 GiB blob costs about 20% less CPU (measured in
 * packages/transfer's bench).
 *
 * @param undici - undici's exports
 * @param url - where to send it
 * @param init - method, headers, signal
 * @param dispatcher - the connection pool
 * @returns the response, its `url` set to the request's
 */
export async function requestResponse(
  undici: Undici,
  url: URL,
  init: RequestInit,
  dispatcher: Dispatcher,
): Promise<Response> {
  const method = init.method === 'HEAD' ? 'HEAD' : 'GET';
  const answer = await undici.request(url, {
    method,
    headers: outgoingHeaders(init.headers),
    dispatcher,
    ...(init.signal ? { signal: init.signal } : {}),
  });
  return webResponse(url, method, {
    status: answer.statusCode,
    headers: answer.headers,
    body: answer.body,
  });
}
