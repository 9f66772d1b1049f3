import { createServer } from 'node:net';
import { ociFailure } from '@ocikit/testbed';
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from './trace.ts';
import { Transport } from './transport.ts';

/** A port on 127.0.0.1 that nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function attempt(host: string) {
  const events: TraceEvent[] = [];
  const client = new Transport({
    hosts: { [host]: { plainHttp: true } },
    retry: { retries: 3, minDelayMs: 1, maxDelayMs: 2 },
    onTrace: (event) => events.push(event),
  });
  const error = await ociFailure(client.request({ registry: host, path: '/v2/' }));
  const retries = events.filter((event) => event.type === 'retry').length;
  return { error, retries };
}

describe('network failures through the transport', () => {
  it('fails at once, without retries, for a host name that does not resolve (ENOTFOUND)', async () => {
    const host = 'no-such-registry.invalid';
    const { error, retries } = await attempt(host);
    expect(error.code).toBe('NETWORK_ERROR');
    expect(error.message).toContain(host);
    expect(error.message).toContain('ENOTFOUND');
    expect(error.message).toContain('does not resolve');
    expect(retries).toBe(0);
  });

  it('retries a refused connection (ECONNREFUSED) once only', async () => {
    const host = `127.0.0.1:${await closedPort()}`;
    const { error, retries } = await attempt(host);
    expect(error.code).toBe('NETWORK_ERROR');
    expect(error.message).toContain(host);
    expect(error.message).toContain('refused');
    expect(retries).toBe(1);
  });
});
