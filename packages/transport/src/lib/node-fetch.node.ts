import { Agent as HttpAgent } from 'node:http';
import type { FetchFunction } from '@ocikit/auth';
import { abortError } from '@ocikit/digest';
import { type HostsConfig, hostOptions } from './hosts.ts';
import { nodeHttpResponse } from './node-http.node.ts';
import { requestResponse, takesFastPath } from './node-request.node.ts';
import { checkProxy, createDispatcher, type ProxyOptions } from './proxy.node.ts';
import { Transport, type TransportOptions } from './transport.ts';
import { type Dispatcher, loadUndici, type Undici } from './undici.node.ts';

/**
 * The HTTP clients a Node fetch can send through: `undici`, Node's own
 * `node:http`, or `auto`: `node:http` for every request without a body or
 * with bytes or a string as its body, undici for the others (a streamed
 * upload, a Blob, form data; see {@link NodeFetchOptions.engine}).
 */
export type NodeHttpEngine = 'undici' | 'node:http' | 'auto';

/** Options of {@link createNodeFetch}. */
export interface NodeFetchOptions {
  /**
   * Per-host TLS: `ca`, `cert`/`key` (mutual TLS), and `insecure` (accept
   * any certificate). Keyed by the host contacted (`registry-1.docker.io`).
   */
  hosts?: HostsConfig;
  /**
   * The most connections kept per origin.
   * @default 16
   */
  connections?: number;
  /**
   * How long a response body may stall between two chunks.
   * @default 300000
   */
  bodyTimeoutMs?: number;
  /**
   * Send requests through an HTTP proxy (`proxyFromEnv(process.env)` reads
   * `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY`).
   * @default undefined (no proxy)
   */
  proxy?: ProxyOptions;
  /**
   * The HTTP client underneath. `undici` sends streamed uploads with the
   * least CPU; `node:http` (Node's own client) loads in a few milliseconds
   * instead of about 40, needs no undici installed, and receives blob
   * bodies as cheaply as undici: for short-lived processes. `auto` sends
   * through `node:http` and loads undici for the first request whose body
   * is not bytes or a string (a blob push streams), which then goes through
   * it, as the later ones do; it keeps up to `connections` of each per
   * origin. With a `proxy`, requests go through undici whatever the engine.
   * @default 'undici'
   */
  engine?: NodeHttpEngine;
}

/**
 * A `fetch` for Node with pooled keep-alive connections and TLS options per
 * host (custom CA, client certificate, skip-verify for insecure hosts). On
 * the `undici` engine, a `GET` or `HEAD` with `redirect: 'manual'` (every
 * one a {@link Transport} sends) goes through undici's `request()`, which
 * moves blob bytes with less CPU than `fetch`; undici is loaded at the first
 * request (without it installed, that request fails with
 * `DEPENDENCY_MISSING`).
 *
 * @param options - {@link NodeFetchOptions}
 * @returns a `fetch` to hand to a {@link Transport}
 * @throws {OciError} `CONFIG_INVALID` for a proxy that is no http(s) URL
 */
export function createNodeFetch(options: NodeFetchOptions = {}): FetchFunction {
  checkProxy(options.proxy);
  const send = sender(options);
  return (input, init) => {
    if (typeof input === 'string' || input instanceof URL) return send(new URL(input), init ?? {});
    const { method, headers, body, signal, redirect } = input;
    const from: RequestInit & { duplex?: 'half' } = { method, headers, signal, redirect };
    if (body !== null) Object.assign(from, { body, duplex: 'half' });
    return send(new URL(input.url), { ...from, ...init });
  };
}

type Send = (url: URL, init: RequestInit) => Promise<Response>;

/** How a fetch of these options sends: through one engine, or `auto`'s two. */
function sender(options: NodeFetchOptions): Send {
  const engine = options.proxy === undefined ? (options.engine ?? 'undici') : 'undici';
  if (engine === 'undici') return undiciSender(options);
  const viaHttp = nodeHttpSender(options);
  if (engine === 'node:http') return viaHttp;
  let viaUndici: Send | undefined;
  return (url, init) => {
    if (takesBytesBody(init.body)) return viaHttp(url, init);
    viaUndici ??= undiciSender(options);
    return viaUndici(url, init);
  };
}

/** Whether `auto` sends a body through `node:http`: none, bytes or a string (a stream, a Blob, form data… go through undici). */
function takesBytesBody(body: RequestInit['body']): boolean {
  return (
    body === undefined ||
    body === null ||
    typeof body === 'string' ||
    body instanceof Uint8Array ||
    body instanceof ArrayBuffer
  );
}

/** TLS settings of one host, as both engines take them. */
function tlsFor(options: NodeFetchOptions, host: string) {
  const { ca, cert, key, insecure } = hostOptions(options.hosts, host);
  if (ca === undefined && cert === undefined && !insecure) return undefined;
  return {
    ...(ca === undefined ? {} : { ca: typeof ca === 'string' ? ca : [...ca] }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
    rejectUnauthorized: !insecure,
  };
}

function undiciSender(options: NodeFetchOptions): Send {
  const common = {
    connections: options.connections ?? 16,
    bodyTimeout: options.bodyTimeoutMs ?? 300_000,
    headersTimeout: 0,
  };
  let shared: Dispatcher | undefined;
  const perHost = new Map<string, Dispatcher>();
  const agentFor = (undici: Undici, host: string): Dispatcher => {
    const connect = tlsFor(options, host);
    if (connect === undefined) {
      shared ??= createDispatcher(undici, common, options.proxy);
      return shared;
    }
    let agent = perHost.get(host);
    if (!agent) {
      agent = createDispatcher(undici, { ...common, connect }, options.proxy);
      perHost.set(host, agent);
    }
    return agent;
  };
  return async (url, init) => {
    const undici = await loadUndici();
    const upload = init.body != null && init.body instanceof ReadableStream ? init.body : undefined;
    if (init.signal?.aborted) {
      upload?.cancel().catch(() => {});
      throw abortError(init.signal);
    }
    const dispatcher = agentFor(undici, url.host);
    if (takesFastPath(init)) return requestResponse(undici, url, init, dispatcher);
    if (upload === undefined) {
      return undici.fetch(url, { ...(init as UndiciInit), dispatcher }) as unknown as Response;
    }
    // undici's fetch leaves the source of a failed upload locked and unread
    // but not cancelled: it reads a stream of ours, which cancels the source.
    const reader = upload.getReader();
    const relay = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    });
    try {
      return (await undici.fetch(url, {
        ...(init as UndiciInit),
        body: relay,
        dispatcher,
      })) as unknown as Response;
    } catch (error) {
      reader.cancel(error).catch(() => {});
      throw error;
    }
  };
}

type UndiciInit = Parameters<Undici['fetch']>[1];

function nodeHttpSender(options: NodeFetchOptions): Send {
  const common = { keepAlive: true, maxSockets: options.connections ?? 16 };
  const idleTimeoutMs = options.bodyTimeoutMs ?? 300_000;
  // One pool per origin, kept as a promise: node:https (and TLS) is loaded
  // by the first https request only, and requests that wait for it share it.
  const agents = new Map<string, Promise<HttpAgent>>();
  const agentFor = (url: URL): Promise<HttpAgent> => {
    const key = `${url.protocol}//${url.host}`;
    let agent = agents.get(key);
    if (!agent) {
      agent =
        url.protocol === 'https:'
          ? import('node:https').then(
              ({ Agent }) => new Agent({ ...common, ...tlsFor(options, url.host) }),
            )
          : Promise.resolve(new HttpAgent(common));
      agents.set(key, agent);
    }
    return agent;
  };
  return async (url, init) => {
    const agent = await agentFor(url);
    return nodeHttpResponse(url, init, agent, idleTimeoutMs);
  };
}

/** Options of {@link createNodeTransport}: a transport's and the Node fetch's. */
export interface NodeTransportOptions extends Omit<TransportOptions, 'fetch'>, NodeFetchOptions {}

/**
 * A {@link Transport} on {@link createNodeFetch}, configured once: the same
 * `hosts` give the scheme, mirrors and TLS options of each host.
 *
 * @param options - {@link NodeTransportOptions}
 * @returns the transport
 */
export function createNodeTransport(options: NodeTransportOptions = {}): Transport {
  const { connections, bodyTimeoutMs, proxy, engine, ...transport } = options;
  return new Transport({
    ...transport,
    fetch: createNodeFetch({
      ...(options.hosts === undefined ? {} : { hosts: options.hosts }),
      ...(connections === undefined ? {} : { connections }),
      ...(bodyTimeoutMs === undefined ? {} : { bodyTimeoutMs }),
      ...(proxy === undefined ? {} : { proxy }),
      ...(engine === undefined ? {} : { engine }),
    }),
  });
}
