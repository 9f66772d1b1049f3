import { Agent, type IncomingHttpHeaders, type IncomingMessage, request } from 'node:http';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
]);

/**
 * Copies headers without the hop-by-hop ones, which belong to one connection.
 *
 * @param headers - headers as Node parsed them
 * @returns the end-to-end headers
 */
export function endToEndHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!HOP_BY_HOP.has(name) && value !== undefined) out[name] = value;
  }
  return out;
}

/** A keep-alive connection pool to one upstream. */
export interface Upstream {
  /**
   * Sends a request upstream and resolves with the response head; the body is
   * the returned stream. The `Host` header is passed through unchanged, so a
   * registry builds its `Location` URLs for the proxy, not for itself.
   *
   * @param incoming - the request to forward (its body is piped), or a plain description
   * @returns the upstream response
   */
  send(incoming: {
    method: string;
    path: string;
    headers: IncomingHttpHeaders;
    body?: IncomingMessage;
  }): Promise<IncomingMessage>;
  /** Closes pooled connections. */
  close(): void;
}

/**
 * Makes a connection pool to an HTTP origin.
 *
 * @param origin - `http://host:port`
 * @returns the pool
 */
export function createUpstream(origin: string): Upstream {
  const target = new URL(origin);
  const agent = new Agent({ keepAlive: true });
  return {
    send({ method, path, headers, body }) {
      return new Promise((resolve, reject) => {
        const outgoing = request(
          {
            host: target.hostname,
            port: target.port,
            method,
            path,
            headers: endToEndHeaders(headers),
            agent,
          },
          resolve,
        );
        outgoing.on('error', reject);
        if (body) body.pipe(outgoing);
        else outgoing.end();
      });
    },
    close: () => agent.destroy(),
  };
}
