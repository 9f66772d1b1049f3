import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isOciError } from '@ocikit/digest';
import { Transport } from '@ocikit/transport';
import { check } from './check.ts';

/**
 * What a consumer without optional peers gets: Node, Deno and Bun load the
 * `node:crypto` build of @ocikit/digest (its `node` condition), and
 * `@ocikit/transport/node` loads without undici installed: its `node:http`
 * engine answers, and a request on the undici engine fails with
 * DEPENDENCY_MISSING instead of a module-not-found error (Bun has undici
 * built in, so there it is sent).
 */
export async function smokeConsumer(): Promise<void> {
  const digest = import.meta.resolve('@ocikit/digest');
  check(digest.endsWith('/@ocikit/digest/dist/index.js'), `node:crypto build, got ${digest}`);
  const { createNodeFetch } = await import('@ocikit/transport/node');
  const server = createServer((_request, response) => response.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  try {
    const answer = await createNodeFetch({ engine: 'node:http' })(url, { redirect: 'manual' });
    check((await answer.text()) === 'ok', 'the node:http engine reached a local server');
    // Through a Transport, as users send: it must not turn the missing
    // dependency into a network error, nor retry it.
    const host = new URL(url).host;
    const transport = new Transport({
      fetch: createNodeFetch(),
      hosts: { [host]: { plainHttp: true } },
      retry: { retries: 0 },
    });
    try {
      const viaUndici = await transport.request({ registry: host, path: '/v2/' });
      check('Bun' in globalThis, 'the undici engine sent a request without undici installed');
      check((await viaUndici.text()) === 'ok', "the undici engine on Bun's built-in undici");
    } catch (error) {
      check(isOciError(error, 'DEPENDENCY_MISSING'), `DEPENDENCY_MISSING, got ${String(error)}`);
    }
  } finally {
    server.close();
  }
}
