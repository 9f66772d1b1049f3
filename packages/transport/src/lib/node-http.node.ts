import { type Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { abortError, OciError } from '@ocikit/digest';
import { outgoingHeaders } from './headers.ts';
import { webResponse } from './node-response.node.ts';

/** Methods that send a body, and so `Content-Length: 0` without one (as `fetch` does). */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Sends a request with Node's own `http`/`https` client and answers a web
 * `Response`, as `fetch` does. It loads in a few milliseconds where undici
 * takes about 40, and `Headers`/`Response` are touched only once the
 * response is in, so the request leaves first. Redirects are the caller's
 * (`manual`); with `redirect: 'error'` a redirect fails the request.
 *
 * @param url - where to send it (http: or https:)
 * @param init - method, headers, body (bytes, a string or a web stream), signal
 * @param agent - the connection pool for the URL's scheme and host
 * @param idleTimeoutMs - how long the connection may stay silent, waiting
 *   for the response or between two chunks of its body
 * @returns the response, its `url` set to the request's
 */
export function nodeHttpResponse(
  url: URL,
  init: RequestInit,
  agent: Agent,
  idleTimeoutMs: number,
): Promise<Response> {
  const method = (init.method ?? 'GET').toUpperCase();
  const headers = outgoingHeaders(init.headers);
  const body = requestBody(init.body);
  if (body === undefined && BODY_METHODS.has(method)) headers['content-length'] ??= '0';
  if (typeof body === 'string' || body instanceof Uint8Array) {
    headers['content-length'] ??= String(Buffer.byteLength(body));
  }
  const { signal } = init;
  if (signal?.aborted) {
    if (body !== undefined && body instanceof ReadableStream) body.cancel().catch(() => {});
    return Promise.reject(abortError(signal));
  }
  return new Promise<Response>((resolve, reject) => {
    // An https agent makes http's request() speak TLS.
    const request = httpRequest(url, { method, headers, agent });
    let response: IncomingMessage | undefined;
    let upload: Readable | undefined;
    /** Ends the exchange: the response's body (its reader gets `error`), the request, the upload's source. */
    const end = (error?: Error): void => {
      response?.destroy(error);
      request.destroy(error);
      upload?.destroy();
    };
    request.on('error', (error) => {
      upload?.destroy();
      reject(error);
    });
    const abort = (): void => end(abortError(signal as AbortSignal));
    signal?.addEventListener('abort', abort, { once: true });
    request.once('close', () => signal?.removeEventListener('abort', abort));
    request.setTimeout(idleTimeoutMs, () => {
      end(
        new OciError('TIMEOUT', `The connection to ${url.host} was silent for ${idleTimeoutMs} ms`),
      );
    });
    request.once('response', (incoming: IncomingMessage) => {
      response = incoming;
      // The body's reader listens for its errors; a body nobody reads (HEAD,
      // a refused redirect) must not turn one into an uncaught exception.
      incoming.on('error', () => {});
      const status = incoming.statusCode ?? 0;
      if (init.redirect === 'error' && status >= 300 && status < 400 && incoming.headers.location) {
        reject(
          new OciError('REDIRECT_INVALID', `${url.host} answered with a redirect (${status})`),
        );
        end();
        return;
      }
      resolve(
        webResponse(url, method, {
          status,
          statusText: incoming.statusMessage ?? '',
          headers: incoming.headers,
          body: incoming,
        }),
      );
    });
    if (body !== undefined && body instanceof ReadableStream) {
      upload = Readable.fromWeb(body as import('node:stream/web').ReadableStream);
      upload.once('error', (error) => request.destroy(error));
      upload.pipe(request);
    } else {
      request.end(body);
    }
  });
}

/** The body of a request as `node:http` takes it. */
function requestBody(
  body: BodyInit | null | undefined,
): string | Uint8Array | ReadableStream<Uint8Array> | undefined {
  if (body === null || body === undefined) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (body instanceof ReadableStream) return body as ReadableStream<Uint8Array>;
  throw new OciError(
    'OPTION_INVALID',
    'A request on node:http takes bytes, a string or a ReadableStream as its body',
  );
}
