import { createHmac, randomBytes } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Certificate } from './certificate.ts';
import { createUpstream, endToEndHeaders } from './forward.ts';
import { asyncHandler, closeServer, sendJson } from './http-util.ts';
import { listen } from './ports.ts';
import type { Credentials } from './types.ts';

/** Which server of the redirect pair saw a request. */
export type RedirectOrigin = 'front' | 'front-https' | 'storage';

/** A request seen by the redirect or storage server, headers as received. */
export interface RecordedRequest {
  /** When it arrived (ISO 8601). */
  time: string;
  /** Which server received it. */
  server: RedirectOrigin;
  method: string;
  /** The path and query. */
  path: string;
  /** Every request header, lower-case names, as received (secrets included). */
  headers: IncomingHttpHeaders;
}

/** Options of {@link startRedirectServer}. */
export interface RedirectServerOptions {
  /** The registry that holds the content, `http://127.0.0.1:PORT` (anonymous access). */
  target: string;
  /** The account the front servers require with Basic auth on `/v2/`. */
  credentials: Credentials;
  /** A certificate for 127.0.0.1 to serve the https front with; no https front without it. */
  tls?: Pick<Certificate, 'keyPem' | 'certPem'>;
  /**
   * Repositories under this prefix redirect blob requests to themselves, forever.
   * @default 'loop/'
   */
  loopPrefix?: string;
  /**
   * How many request records to keep.
   * @default 10000
   */
  maxRecords?: number;
}

/** The running redirect and storage servers. */
export interface RunningRedirectServer {
  /** `127.0.0.1:PORT` of the http front. */
  readonly host: string;
  /** `http://127.0.0.1:PORT`: the registry clients talk to. */
  readonly url: string;
  /** `127.0.0.1:PORT` of the https front, when `tls` was given. */
  readonly httpsHost: string | undefined;
  /** `https://127.0.0.1:PORT`: its blob redirects go to the http storage origin (a downgrade). */
  readonly httpsUrl: string | undefined;
  /** `http://127.0.0.2:PORT` (or 127.0.0.1 where .2 cannot be bound): the storage origin. */
  readonly storageUrl: string;
  /** `${url}/_requests`: the recorded requests (GET, `?server=&path=`) and DELETE to forget them. */
  readonly requestsUrl: string;
  /** Stops every server. */
  stop(): Promise<void>;
}

const BLOB_PATH = /^\/v2\/(.+)\/blobs\/([a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+)$/;
const STORAGE_PATH = /^\/storage\/(.+)\/blobs\/([^/]+)$/;
const PASSED_BACK = [
  'content-length',
  'content-range',
  'content-type',
  'accept-ranges',
  'etag',
  'docker-content-digest',
];

/** Binds 127.0.0.2 (another loopback host) where possible, else 127.0.0.1. */
async function listenOtherHost(server: Server): Promise<{ host: string; port: number }> {
  try {
    return { host: '127.0.0.2', port: await listen(server, '127.0.0.2') };
  } catch {
    return { host: '127.0.0.1', port: await listen(server, '127.0.0.1') };
  }
}

/**
 * Starts a registry front that redirects blob downloads to another origin, as
 * registries backed by object storage do, and records every request's headers
 * so a test can check that no `Authorization` crossed to the other host.
 *
 * - The http front (and the https front, given `tls`) requires Basic auth on
 *   `/v2/`, answers blob GET/HEAD with `307` to the storage origin (a signed
 *   URL with a query), and forwards every other `/v2/` request to `target`.
 * - The storage origin (127.0.0.2) serves `/storage/<repo>/blobs/<digest>`
 *   from `target`, passing `Range` through, and answers 403 to a bad signature.
 * - Repositories under `loopPrefix` answer blob requests with a `307` to the
 *   same URL with `?hop=N+1`, without end.
 * - The https front's redirects point at http storage: a downgrade a client
 *   must refuse. Trust the certificate with its PEM.
 * - `GET /_requests?server=storage&path=REGEX` on the http front lists what
 *   was recorded; `DELETE /_requests` forgets it.
 *
 * @param options - {@link RedirectServerOptions}
 * @returns the running servers
 */
export async function startRedirectServer(
  options: RedirectServerOptions,
): Promise<RunningRedirectServer> {
  const upstream = createUpstream(options.target);
  const loopPrefix = options.loopPrefix ?? 'loop/';
  const maxRecords = options.maxRecords ?? 10_000;
  const secret = randomBytes(16);
  const expectedAuth = `Basic ${Buffer.from(`${options.credentials.username}:${options.credentials.password}`).toString('base64')}`;
  let records: RecordedRequest[] = [];
  let storageUrl = '';

  const sign = (path: string) => createHmac('sha256', secret).update(path).digest('hex');

  function record(server: RedirectOrigin, request: IncomingMessage): void {
    records.push({
      time: new Date().toISOString(),
      server,
      method: request.method ?? 'GET',
      path: request.url ?? '/',
      headers: { ...request.headers },
    });
    if (records.length > maxRecords) records = records.slice(-maxRecords);
  }

  function listRecords(request: IncomingMessage, response: ServerResponse, url: URL) {
    if (request.method === 'DELETE') {
      records = [];
      response.writeHead(204).end();
      return;
    }
    const server = url.searchParams.get('server');
    const pattern = url.searchParams.get('path');
    const regex = pattern === null ? undefined : new RegExp(pattern);
    sendJson(response, 200, {
      requests: records.filter(
        (entry) =>
          (server === null || entry.server === server) && (!regex || regex.test(entry.path)),
      ),
    });
  }

  function front(origin: 'front' | 'front-https', ownUrl: () => string) {
    return asyncHandler(async (request, response) => {
      const path = request.url ?? '/';
      const url = new URL(path, 'http://front');
      if (url.pathname === '/_requests') {
        listRecords(request, response, url);
        return;
      }
      record(origin, request);
      if (!url.pathname.startsWith('/v2/')) {
        sendJson(response, 404, { errors: [{ code: 'UNSUPPORTED', message: 'not a /v2/ path' }] });
        return;
      }
      if (request.headers.authorization !== expectedAuth) {
        sendJson(
          response,
          401,
          { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] },
          { 'www-authenticate': 'Basic realm="ocikit-testbed-redirect"' },
        );
        return;
      }
      const blob = BLOB_PATH.exec(url.pathname);
      if (blob?.[1] && blob[2] && (request.method === 'GET' || request.method === 'HEAD')) {
        let location: string;
        if (blob[1].startsWith(loopPrefix)) {
          const hop = Number(url.searchParams.get('hop') ?? '0') + 1;
          location = `${ownUrl()}${url.pathname}?hop=${hop}`;
        } else {
          const target = `/storage/${blob[1]}/blobs/${blob[2]}`;
          location = `${storageUrl}${target}?X-Testbed-Signature=${sign(target)}`;
        }
        response.writeHead(307, { location, 'content-length': '0' }).end();
        return;
      }
      const answer = await upstream.send({
        method: request.method ?? 'GET',
        path,
        headers: request.headers,
        body: request,
      });
      response.writeHead(answer.statusCode ?? 502, endToEndHeaders(answer.headers));
      answer.pipe(response);
    });
  }

  const storage = createServer(
    asyncHandler(async (request, response) => {
      record('storage', request);
      const url = new URL(request.url ?? '/', 'http://storage');
      const match = STORAGE_PATH.exec(url.pathname);
      if (!match || url.searchParams.get('X-Testbed-Signature') !== sign(url.pathname)) {
        sendJson(response, 403, { error: 'bad or missing signature' });
        return;
      }
      const headers: IncomingHttpHeaders = {};
      if (request.headers.range) headers.range = request.headers.range;
      const answer = await upstream.send({
        method: request.method ?? 'GET',
        path: `/v2/${match[1]}/blobs/${match[2]}`,
        headers,
      });
      const passed: IncomingHttpHeaders = {};
      for (const name of PASSED_BACK) {
        if (answer.headers[name] !== undefined) passed[name] = answer.headers[name];
      }
      response.writeHead(answer.statusCode ?? 502, passed);
      answer.pipe(response);
    }),
  );

  const servers: Server[] = [];
  try {
    servers.push(storage);
    const storageAddress = await listenOtherHost(storage);
    storageUrl = `http://${storageAddress.host}:${storageAddress.port}`;
    let url = '';
    const http = createServer(front('front', () => url));
    servers.push(http);
    const port = await listen(http, '127.0.0.1');
    url = `http://127.0.0.1:${port}`;
    let httpsUrl: string | undefined;
    let httpsHost: string | undefined;
    if (options.tls) {
      const https = createHttpsServer(
        { key: options.tls.keyPem, cert: options.tls.certPem },
        front('front-https', () => httpsUrl ?? ''),
      );
      servers.push(https);
      const httpsPort = await listen(https, '127.0.0.1');
      httpsHost = `127.0.0.1:${httpsPort}`;
      httpsUrl = `https://${httpsHost}`;
    }
    return {
      host: `127.0.0.1:${port}`,
      url,
      httpsHost,
      httpsUrl,
      storageUrl,
      requestsUrl: `${url}/_requests`,
      async stop() {
        await Promise.all(servers.map(closeServer));
        upstream.close();
      },
    };
  } catch (error) {
    await Promise.all(servers.filter((server) => server.listening).map(closeServer));
    upstream.close();
    throw error;
  }
}

/** A filter of {@link redirectRequests}. */
export interface RedirectRequestsFilter {
  /** Only requests to this server. */
  server?: RedirectOrigin;
  /** A RegExp source the path and query must match. */
  path?: string;
}

/**
 * Lists what the redirect and storage servers recorded.
 *
 * @param requestsUrl - `TestbedInfo.redirect.requestsUrl`
 * @param filter - {@link RedirectRequestsFilter}
 * @returns the requests, oldest first
 * @throws {Error} when the server does not answer 200
 */
export async function redirectRequests(
  requestsUrl: string,
  filter: RedirectRequestsFilter = {},
): Promise<RecordedRequest[]> {
  const url = new URL(requestsUrl);
  if (filter.server) url.searchParams.set('server', filter.server);
  if (filter.path !== undefined) url.searchParams.set('path', filter.path);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url.pathname} answered ${response.status}`);
  return ((await response.json()) as { requests: RecordedRequest[] }).requests;
}
