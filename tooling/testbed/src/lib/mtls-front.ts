import { createServer } from 'node:https';
import type { Certificate } from './certificate.ts';
import { createUpstream, endToEndHeaders } from './forward.ts';
import { asyncHandler, closeServer } from './http-util.ts';
import { listen } from './ports.ts';

/** Options of {@link startMtlsFront}. */
export interface MtlsFrontOptions {
  /** The registry to forward to, `http://127.0.0.1:PORT`. */
  target: string;
  /** The server certificate, for 127.0.0.1. */
  tls: Pick<Certificate, 'keyPem' | 'certPem'>;
  /** The CA (PEM) that client certificates must be issued by. */
  clientCa: string;
}

/** A running mutual-TLS front. */
export interface RunningMtlsFront {
  /** `127.0.0.1:PORT`. */
  readonly host: string;
  /** `https://127.0.0.1:PORT`. */
  readonly url: string;
  /** Stops the server. */
  stop(): Promise<void>;
}

/**
 * Starts an https server on 127.0.0.1 that requires a client certificate
 * issued by `clientCa` (`requestCert`, `rejectUnauthorized`: the TLS
 * handshake fails without one) and forwards every request to `target` with
 * `X-Forwarded-Proto: https`, so the registry's `Location`s stay on https.
 *
 * @param options - {@link MtlsFrontOptions}
 * @returns the running front
 */
export async function startMtlsFront(options: MtlsFrontOptions): Promise<RunningMtlsFront> {
  const upstream = createUpstream(options.target);
  const server = createServer(
    {
      key: options.tls.keyPem,
      cert: options.tls.certPem,
      ca: options.clientCa,
      requestCert: true,
      rejectUnauthorized: true,
    },
    asyncHandler(async (request, response) => {
      const answer = await upstream.send({
        method: request.method ?? 'GET',
        path: request.url ?? '/',
        headers: { ...request.headers, 'x-forwarded-proto': 'https' },
        body: request,
      });
      response.writeHead(answer.statusCode ?? 502, endToEndHeaders(answer.headers));
      answer.pipe(response);
    }),
  );
  const port = await listen(server, '127.0.0.1');
  const host = `127.0.0.1:${port}`;
  return {
    host,
    url: `https://${host}`,
    async stop() {
      await closeServer(server);
      upstream.close();
    },
  };
}
