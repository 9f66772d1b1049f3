import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  type FaultRuleState,
  type ProxiedRequest,
  takeFault,
  validateFaultRule,
} from './fault-rules.ts';
import { createUpstream, endToEndHeaders, type Upstream } from './forward.ts';
import { asyncHandler, closeServer, readBody, sendJson } from './http-util.ts';
import { listen } from './ports.ts';

/** Options of {@link startFaultProxy}. */
export interface FaultProxyOptions {
  /** The origin to forward to, `http://127.0.0.1:PORT`. */
  target: string;
  /**
   * How many request records to keep for `GET /_requests`.
   * @default 10000
   */
  maxRecords?: number;
}

/** A running fault proxy. */
export interface RunningFaultProxy {
  /** `127.0.0.1:PORT`: use it as the registry host. */
  readonly host: string;
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** `${url}/_faults`: the control endpoint, for `faultClient`. */
  readonly controlUrl: string;
  /** Stops the server. */
  stop(): Promise<void>;
}

const PARTIAL_HEADERS = 'HTTP/1.1 200 OK\r\nContent-Type: application/vnd.oci.image.man';

function errorBody(status: number): string {
  const code = status === 429 ? 'TOOMANYREQUESTS' : status === 503 ? 'UNAVAILABLE' : 'UNKNOWN';
  return JSON.stringify({
    errors: [{ code, message: `fault injected by the test bed: ${status}` }],
  });
}

async function drain(request: IncomingMessage): Promise<void> {
  for await (const _ of request) {
    // discard
  }
}

/** Writes a chunk and resolves once it is handed to the socket. */
function write(response: ServerResponse, chunk: Uint8Array): Promise<void> {
  return new Promise((resolve) => response.write(chunk, () => resolve()));
}

/** Resolves when the response can take more data, or is gone. */
function drained(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.once('drain', done);
    response.once('close', done);
  });
}

async function relay(
  rule: FaultRuleState | undefined,
  upstream: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const status = upstream.statusCode ?? 502;
  const fault = rule?.fault;
  const headers = endToEndHeaders(upstream.headers);
  if (fault?.type === 'headers') {
    for (const [name, value] of Object.entries(fault.headers)) headers[name.toLowerCase()] = value;
  }
  if (fault?.type === 'truncate') {
    const kept: Buffer[] = [];
    let size = 0;
    for await (const chunk of upstream) {
      const piece = (chunk as Buffer).subarray(0, fault.bytes - size);
      kept.push(piece);
      size += piece.byteLength;
      if (size >= fault.bytes) break;
    }
    upstream.destroy();
    response.writeHead(status, { ...headers, 'content-length': String(size) });
    response.end(Buffer.concat(kept));
    return;
  }
  response.writeHead(status, headers);
  let offset = 0;
  const began = Date.now();
  for await (const chunk of upstream) {
    let piece = chunk as Buffer;
    if (fault?.type === 'throttle') {
      // Wait until this chunk fits the rate since the response began.
      const due = began + ((offset + piece.byteLength) / fault.bytesPerSecond) * 1000;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    if (fault?.type === 'drop-body' && offset + piece.byteLength >= fault.afterBytes) {
      await write(response, piece.subarray(0, fault.afterBytes - offset));
      upstream.destroy();
      response.socket?.destroy();
      return;
    }
    if (fault?.type === 'corrupt') {
      const at = (fault.offset ?? 0) - offset;
      if (at >= 0 && at < piece.byteLength) {
        piece = Buffer.from(piece);
        piece[at] = (piece[at] ?? 0) ^ 0xff;
      }
    }
    offset += piece.byteLength;
    if (response.destroyed) {
      upstream.destroy();
      return;
    }
    if (!response.write(piece)) await drained(response);
  }
  if (fault?.type === 'drop-body') {
    // The body was shorter than afterBytes: drop the connection at its end.
    response.socket?.destroy();
    return;
  }
  response.end();
}

/**
 * Starts a proxy on 127.0.0.1 that forwards every request to `target` (the
 * `Host` header unchanged, so upload `Location`s point back at the proxy) and
 * injects the faults that tests ask for over HTTP:
 *
 * - `POST /_faults` with a {@link FaultRule} → 201 `{ id }`
 * - `GET /_faults` → `{ rules: FaultRuleState[] }`
 * - `DELETE /_faults` (all) or `DELETE /_faults/ID` → 204
 * - `GET /_requests?path=REGEX` → `{ requests: ProxiedRequest[] }`; `DELETE /_requests` → 204
 *
 * @param options - {@link FaultProxyOptions}
 * @returns the running proxy
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<RunningFaultProxy> {
  const upstream: Upstream = createUpstream(options.target);
  const maxRecords = options.maxRecords ?? 10_000;
  let rules: FaultRuleState[] = [];
  let nextId = 1;
  let requests: ProxiedRequest[] = [];

  function control(request: IncomingMessage, response: ServerResponse, url: URL, body: Buffer) {
    const idMatch = /^\/_faults\/(\d+)$/.exec(url.pathname);
    if (url.pathname === '/_faults' && request.method === 'POST') {
      let rule: FaultRuleState;
      try {
        rule = { ...validateFaultRule(JSON.parse(body.toString('utf8'))), id: nextId++, hits: 0 };
      } catch (error) {
        sendJson(response, 400, { error: (error as Error).message });
        return;
      }
      rules.push(rule);
      sendJson(response, 201, { id: rule.id });
    } else if (url.pathname === '/_faults' && request.method === 'GET') {
      sendJson(response, 200, { rules });
    } else if (url.pathname === '/_faults' && request.method === 'DELETE') {
      rules = [];
      response.writeHead(204).end();
    } else if (idMatch && request.method === 'DELETE') {
      rules = rules.filter((rule) => rule.id !== Number(idMatch[1]));
      response.writeHead(204).end();
    } else if (url.pathname === '/_requests' && request.method === 'GET') {
      const pattern = url.searchParams.get('path');
      const regex = pattern === null ? undefined : new RegExp(pattern);
      sendJson(response, 200, {
        requests: regex ? requests.filter((entry) => regex.test(entry.path)) : requests,
      });
    } else if (url.pathname === '/_requests' && request.method === 'DELETE') {
      requests = [];
      response.writeHead(204).end();
    } else {
      sendJson(response, 404, { error: `no control route ${request.method} ${url.pathname}` });
    }
  }

  const server = createServer(
    asyncHandler(async (request, response) => {
      const path = request.url ?? '/';
      const method = request.method ?? 'GET';
      const url = new URL(path, 'http://proxy');
      if (url.pathname.startsWith('/_faults') || url.pathname.startsWith('/_requests')) {
        control(request, response, url, await readBody(request));
        return;
      }
      const rule = takeFault(rules, method, path);
      const entry: ProxiedRequest = { time: new Date().toISOString(), method, path, status: 0 };
      if (rule) entry.fault = { rule: rule.id, type: rule.fault.type };
      requests.push(entry);
      if (requests.length > maxRecords) requests = requests.slice(-maxRecords);
      response.once('finish', () => {
        entry.status = response.statusCode;
      });
      const fault = rule?.fault;
      if (fault?.type === 'status') {
        await drain(request);
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (fault.retryAfter !== undefined) {
          headers['retry-after'] =
            fault.retryAfterFormat === 'http-date'
              ? new Date(Date.now() + fault.retryAfter * 1000).toUTCString()
              : String(fault.retryAfter);
        }
        response.writeHead(fault.status, { ...headers, ...fault.headers });
        response.end(fault.body ?? errorBody(fault.status));
        return;
      }
      if (fault?.type === 'drop-headers') {
        await drain(request);
        request.socket.end(PARTIAL_HEADERS, () => request.socket.destroy());
        return;
      }
      if (fault?.type === 'drop-request') {
        const cutAt = fault.afterBytes;
        await new Promise<void>((done) => {
          let seen = 0;
          const cut = () => {
            request.socket.resetAndDestroy();
            done();
          };
          request.on('data', (chunk: Buffer) => {
            seen += chunk.byteLength;
            if (seen >= cutAt) cut();
          });
          request.once('end', cut);
          request.once('error', () => done());
        });
        return;
      }
      if (fault?.type === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
      const answer = await upstream.send({ method, path, headers: request.headers, body: request });
      await relay(rule, answer, response);
    }),
  );
  const port = await listen(server, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  return {
    host: `127.0.0.1:${port}`,
    url,
    controlUrl: `${url}/_faults`,
    async stop() {
      await closeServer(server);
      upstream.close();
    },
  };
}
