// One registry → OCI layout pull with the BUILT packages, as a consumer runs
// it; timed from outside (pull.bench.ts, or farm-bench). Usage:
//   node bench/pull-once.mjs HOST REPOSITORY DIR
import { rm } from 'node:fs/promises';
import { OciLayout } from '@ocikit/layout/fs';
import { Repository } from '@ocikit/registry';
import { copy } from '@ocikit/transfer';
import { createNodeTransport } from '@ocikit/transport/node';

const [host, repository, dir] = process.argv.slice(2);
await rm(dir, { recursive: true, force: true });
const layout = await OciLayout.open(dir, { create: true });
const from = new Repository({ registry: host, repository }, { transport: createNodeTransport() });
const result = await copy({ from, to: layout, reference: 'v1' });
if (process.env.VERBOSE)
  console.log(JSON.stringify({ bytes: result.bytesCopied, blobs: result.blobsCopied }));
