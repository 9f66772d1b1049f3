import type { Server } from 'node:net';
import { createServer } from 'node:net';

/**
 * Starts a server listening on a port the OS picks, so there is no race.
 *
 * @param server - an HTTP, HTTPS or TCP server
 * @param host - the address to bind
 * @returns the port
 */
export function listen(server: Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(0, host, () => {
      server.off('error', onError);
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error(`Server on ${host} has no TCP address`));
        return;
      }
      resolve(address.port);
    });
  });
}

/**
 * Asks the OS for a port that is free now, for a program that must be told
 * its port. Another process may take it before the program binds, so the
 * caller retries with a new port when the bind fails.
 *
 * @param host - the address the port must be free on
 * @returns the port
 */
export async function freePort(host: string): Promise<number> {
  const probe = createServer();
  const port = await listen(probe, host);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
