import { once } from 'node:events';
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { OciError } from '@ocikit/digest';
import { accessLine, loggedPath } from './access-log.ts';
import { errorResponse, wireError } from './errors.ts';
import type { RegistryHandler } from './handler.ts';

/**
 * Adapts a web-standard handler to `node:http`: request and response bodies
 * stream in both directions with back-pressure (a body is read only as fast
 * as the handler consumes it, and written only as fast as the socket
 * drains); a client that goes away aborts `request.signal` and cancels the
 * response body.
 *
 * @param handler - the registry handler
 * @param options - {@link NodeListenerOptions}
 * @returns a listener for `http.createServer`
 */
export function toNodeListener(
  handler: RegistryHandler,
  options: NodeListenerOptions = {},
): RequestListener {
  return (incoming, outgoing) => {
    const started = performance.now();
    const counts = { received: 0, sent: 0 };
    serve(handler, incoming, outgoing, counts)
      .catch(() => {
        outgoing.destroy();
      })
      .finally(() => {
        if (!options.log) return;
        options.log(
          accessLine({
            method: incoming.method ?? '-',
            path: loggedPath(pathOf(incoming.url)),
            status: outgoing.statusCode,
            received: counts.received,
            bytes: counts.sent,
            ms: performance.now() - started,
            ...(outgoing.writableFinished ? {} : { aborted: true }),
          }),
        );
      });
  };
}

/** Options of {@link toNodeListener}. */
export interface NodeListenerOptions {
  /**
   * Where access log lines go: one JSON line per request with `method`,
   * `path` (no query, no upload session id), `status`, `received`, `bytes`
   * (sent) and `ms`; never a header, so never `Authorization`.
   * @default no access log
   */
  log?: (line: string) => void;
}

/** Bytes moved for one request. */
interface Counts {
  received: number;
  sent: number;
}

function pathOf(url: string | undefined): string {
  const path = (url ?? '/').split('?')[0] ?? '/';
  return path.startsWith('/') ? path : '/';
}

async function serve(
  handler: RegistryHandler,
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  counts: Counts,
): Promise<void> {
  const aborter = new AbortController();
  outgoing.once('close', () => {
    if (!outgoing.writableFinished) aborter.abort();
  });
  let request: Request;
  try {
    request = toRequest(incoming, aborter.signal, counts);
  } catch (error) {
    const bad = new OciError('NAME_INVALID', 'The request URL cannot be parsed', { cause: error });
    await write(errorResponse(wireError(bad), 'GET'), outgoing, counts);
    return;
  }
  await write(await handler(request), outgoing, counts);
}

function toRequest(incoming: IncomingMessage, signal: AbortSignal, counts: Counts): Request {
  const url = new URL(incoming.url ?? '/', originOf(incoming));
  const headers = new Headers();
  const raw = incoming.rawHeaders;
  for (let index = 0; index + 1 < raw.length; index += 2) {
    headers.append(raw[index] as string, raw[index + 1] as string);
  }
  const method = incoming.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  return new Request(url, {
    method,
    headers,
    signal,
    ...(hasBody ? { body: bodyOf(incoming, counts), duplex: 'half' } : {}),
  } as RequestInit);
}

/** How many bytes of a request body may wait, read from the socket, for the handler to take them. */
const BODY_BUFFER = 1024 * 1024;

/**
 * The request body as a web stream. Nothing is read before the handler
 * asks (an answer that ignores the body leaves it to Node, which drains it);
 * from then on the socket is read while the handler works (writes a batch,
 * hashes), up to {@link BODY_BUFFER} bytes ahead of it.
 */
function bodyOf(incoming: IncomingMessage, counts: Counts): ReadableStream<Uint8Array> {
  let reading = false;
  const start = (controller: ReadableStreamDefaultController<Uint8Array>) => {
    reading = true;
    incoming.on('data', (buffer: Buffer) => {
      counts.received += buffer.byteLength;
      controller.enqueue(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength));
      if (-(controller.desiredSize ?? 0) >= BODY_BUFFER) incoming.pause();
    });
    incoming.once('end', () => controller.close());
    incoming.once('error', (error) => controller.error(error));
    incoming.once('close', () => {
      if (!incoming.complete) {
        controller.error(new OciError('ABORTED', 'The client went away during the body'));
      }
    });
  };
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (!reading) start(controller);
        incoming.resume();
      },
      cancel() {
        incoming.destroy();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: 0 }),
  );
}

async function write(response: Response, outgoing: ServerResponse, counts: Counts): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, key) => {
    headers[key] = value;
  });
  outgoing.writeHead(response.status, headers);
  if (!response.body) {
    outgoing.end();
    return;
  }
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (outgoing.destroyed) throw new OciError('ABORTED', 'The client went away');
      counts.sent += value.byteLength;
      if (!outgoing.write(value)) await drained(outgoing);
    }
    outgoing.end();
  } catch (error) {
    await reader.cancel(error).catch(() => {});
    outgoing.destroy();
  } finally {
    reader.releaseLock();
  }
}

/** Waits for the socket to drain (or close), leaving no listener behind either way. */
function drained(outgoing: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      outgoing.off('drain', done);
      outgoing.off('close', done);
      resolve();
    };
    outgoing.on('drain', done);
    outgoing.on('close', done);
  });
}

/**
 * The origin a request reached: the scheme and the local address and port
 * of its connection, never the client's `Host` header (which would let a
 * client choose the token realm the registry names).
 */
function originOf(incoming: IncomingMessage): string {
  const socket = incoming.socket as Socket & { encrypted?: boolean };
  const scheme = socket.encrypted ? 'https' : 'http';
  const address = (socket.localAddress ?? '127.0.0.1').replace(/^::ffff:(?=\d+\.)/, '');
  const host = address.includes(':') ? `[${address}]` : address;
  return `${scheme}://${host}:${socket.localPort ?? 80}`;
}

/** Options of {@link listen}. */
export interface ListenOptions extends NodeListenerOptions {
  /**
   * The TCP port; 0 picks a free one.
   * @default 0
   */
  port?: number;
  /**
   * The address to listen on.
   * @default '127.0.0.1'
   */
  host?: string;
  /**
   * How long `close()` waits for requests in flight before it cuts their
   * connections, in ms.
   * @default 5000
   */
  gracePeriod?: number;
  /**
   * Serve HTTPS with this certificate and key (PEM, as read from the files,
   * chain first); the URL is then `https://…`.
   * @default plain HTTP
   */
  tls?: ListenTlsOptions;
}

/** The certificate of an HTTPS {@link listen}. */
export interface ListenTlsOptions {
  /** The certificate chain, PEM. */
  readonly cert: string | Uint8Array;
  /** The private key, PEM. */
  readonly key: string | Uint8Array;
}

/** A registry listening on a port. */
export interface RunningRegistry {
  /** Its base URL, such as `http://127.0.0.1:40123` (`https://` with `tls`). */
  readonly url: URL;
  /** `host:port`, as image references name it, such as `127.0.0.1:40123`. */
  readonly host: string;
  /** The Node server (an `https.Server` with `tls`). */
  readonly server: Server | HttpsServer;
  /**
   * Stops accepting connections, lets requests in flight finish (cut after
   * the grace period) and resolves once the server is closed.
   */
  close(): Promise<void>;
}

/**
 * Serves a handler over `node:http` (`node:https` with `tls`). With `log`, it writes a startup line
 * with its address (`{"listening":"http://127.0.0.1:40123/"}`) and then
 * the access log.
 *
 * @param handler - the registry handler
 * @param options - {@link ListenOptions}
 * @returns the running registry, once it listens
 * @throws {OciError} `NETWORK_ERROR` when it cannot listen (the port is taken, the address is not this host's)
 */
export async function listen(
  handler: RegistryHandler,
  options: ListenOptions = {},
): Promise<RunningRegistry> {
  const listener = toNodeListener(handler, options.log ? { log: options.log } : {});
  const { tls } = options;
  const server = tls
    ? createHttpsServer({ cert: Buffer.from(tls.cert), key: Buffer.from(tls.key) }, listener)
    : createServer(listener);
  const quiet = quietConnections(server, tls ? 'secureConnection' : 'connection');
  const [port, host] = [options.port ?? 0, options.host ?? '127.0.0.1'];
  server.listen(port, host);
  try {
    await once(server, 'listening');
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? 'failed';
    throw new OciError('NETWORK_ERROR', `Cannot listen on "${host}:${port}": ${reason}`, { cause });
  }
  const address = server.address() as AddressInfo;
  const hostname = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const bound = `${hostname}:${address.port}`;
  const gracePeriod = options.gracePeriod ?? 5000;
  const scheme = tls ? 'https' : 'http';
  options.log?.(JSON.stringify({ listening: `${scheme}://${bound}/` }));
  return {
    url: new URL(`${scheme}://${bound}`),
    host: bound,
    server,
    async close() {
      const closed = once(server, 'close');
      server.close();
      server.closeIdleConnections();
      for (const socket of quiet) socket.destroy();
      const timer = setTimeout(() => server.closeAllConnections(), gracePeriod);
      timer.unref();
      await closed;
      clearTimeout(timer);
    },
  };
}

/**
 * Tracks the connections of a server that have no request in flight,
 * including those that never sent a whole request head, which
 * `closeIdleConnections()` leaves open. Over TLS, a connection counts once
 * its handshake is done (`secureConnection`): requests arrive on that socket.
 */
function quietConnections(
  server: Server | HttpsServer,
  connection: 'connection' | 'secureConnection',
): ReadonlySet<Socket> {
  const quiet = new Set<Socket>();
  server.on(connection, (socket: Socket) => {
    quiet.add(socket);
    socket.once('close', () => quiet.delete(socket));
  });
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const { socket } = request;
    quiet.delete(socket);
    response.once('close', () => {
      if (!socket.destroyed) quiet.add(socket);
    });
  });
  return quiet;
}
