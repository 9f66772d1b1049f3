// Run by the consumer smoke under Node once undici is installed beside the
// packed packages: @ocikit/transport/node sends a real request on undici.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNodeTransport } from '@ocikit/transport/node';
import { check } from './check.ts';

const server = createServer((_request, response) => {
  response.setHeader('docker-distribution-api-version', 'registry/2.0');
  response.end('{}');
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
try {
  const registry = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const transport = createNodeTransport({ hosts: { [registry]: { plainHttp: true } } });
  const response = await transport.request({ registry, path: '/v2/' });
  check(response.status === 200, `ping through undici, got ${response.status}`);
  check(
    response.headers.get('docker-distribution-api-version') === 'registry/2.0',
    'ping headers through undici',
  );
  await response.body?.cancel();
  console.log(`ok    @ocikit/transport/node with undici on node ${process.version}`);
} finally {
  server.close();
}
