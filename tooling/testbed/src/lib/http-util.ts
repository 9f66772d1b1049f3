import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Reads a request body into memory, up to a limit.
 *
 * @param request - the request
 * @param maxBytes - the most bytes to accept
 * @returns the body
 * @throws {Error} past `maxBytes`
 */
export async function readBody(request: IncomingMessage, maxBytes = 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).byteLength;
    if (size > maxBytes) throw new Error(`Request body is over the ${maxBytes}-byte limit`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Answers with a JSON body.
 *
 * @param response - the response
 * @param status - the status code
 * @param body - the value to serialize
 * @param headers - extra headers
 */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const bytes = Buffer.from(JSON.stringify(body));
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(bytes.byteLength),
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(bytes);
}

/**
 * Stops a server: no new connections, open ones (keep-alive too) closed.
 *
 * @param server - the server
 */
export function closeServer(server: {
  close(callback: () => void): unknown;
  closeAllConnections(): void;
}): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Runs an async request handler, answering 500 with the error message when it
 * throws before a response was sent, and destroying the connection after.
 *
 * @param handler - the handler
 * @returns a listener for `http.createServer`
 */
export function asyncHandler(
  handler: (request: IncomingMessage, response: ServerResponse) => Promise<void>,
): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    handler(request, response).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      sendJson(response, 500, { error: (error as Error).message });
    });
  };
}
