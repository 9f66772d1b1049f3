// Exercises the packed packages as a consumer installs them; run by Node,
// Deno and Bun in a scratch project (see run.sh).
import { smokeAuth } from './auth.ts';
import { smokeConsumer } from './consumer.ts';
import { smokeDigest } from './digest.ts';
import { smokeLayout } from './layout.ts';
import { smokeReference } from './reference.ts';
import { smokeRegistry } from './registry.ts';
import { smokeSpec } from './spec.ts';
import { smokeTransfer } from './transfer.ts';
import { smokeTransport } from './transport.ts';

const runtime =
  'Deno' in globalThis ? 'deno' : 'Bun' in globalThis ? 'bun' : `node ${process.version}`;
const smokes: [string, () => Promise<void>][] = [
  ['@ocikit/digest', smokeDigest],
  ['@ocikit/reference', smokeReference],
  ['@ocikit/spec', smokeSpec],
  ['@ocikit/auth', smokeAuth],
  ['@ocikit/transport', smokeTransport],
  ['@ocikit/layout', smokeLayout],
  ['@ocikit/registry', smokeRegistry],
  ['@ocikit/transfer', smokeTransfer],
  ['optional peers and conditions', smokeConsumer],
];
for (const [name, smoke] of smokes) {
  await smoke();
  console.log(`ok    ${name} on ${runtime}`);
}
