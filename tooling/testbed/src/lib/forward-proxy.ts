import { createServer, request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { closeServer } from './http-util.ts';
import { listen } from './ports.ts';

/** One request a {@link startForwardProxy} proxy passed on. */
export interface ProxyRecord {
  /** `CONNECT` (a tunnel) or the method of a forwarded request. */
  readonly method: string;
  /** `host:port` the tunnel or request went to. */
  readonly target: string;
  /** The `Proxy-Authorization` the client sent, if any. */
  readonly proxyAuthorization: string | undefined;
}

/** A running forward proxy. */
export interface RunningForwardProxy {
  /** `http://127.0.0.1:PORT`: the value of `HTTP_PROXY`/`HTTPS_PROXY`. */
  readonly url: string;
  /** What it passed on so far, in order. */
  readonly records: readonly ProxyRecord[];
  /** Stops the server and every tunnel. */
  stop(): Promise<void>;
}

/**
 * Starts a small HTTP forward proxy on 127.0.0.1, as squid or tinyproxy would
 * be used: `CONNECT host:port` tunnels (what undici's proxy agent sends for
 * http and https targets) and absolute-form requests (`GET http://…`), each
 * recorded so a test can tell the proxy was used.
 *
 * @returns the running proxy
 */
export async function startForwardProxy(): Promise<RunningForwardProxy> {
  const records: ProxyRecord[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((incoming, outgoing) => {
    const url = new URL(incoming.url ?? '/');
    records.push({
      method: incoming.method ?? 'GET',
      target: url.host,
      proxyAuthorization: incoming.headers['proxy-authorization'],
    });
    const headers = { ...incoming.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = httpRequest(url, { method: incoming.method, headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    upstream.on('error', () => outgoing.destroy());
    incoming.pipe(upstream);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('connect', (incoming, client: Socket, head: Buffer) => {
    const target = incoming.url ?? '';
    records.push({
      method: 'CONNECT',
      target,
      proxyAuthorization: incoming.headers['proxy-authorization'],
    });
    const [host, port] = [
      target.slice(0, target.lastIndexOf(':')),
      target.slice(target.lastIndexOf(':') + 1),
    ];
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  const port = await listen(server, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}`,
    records,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await closeServer(server);
    },
  };
}
