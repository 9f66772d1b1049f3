// One copy with the BUILT packages, as a consumer's process runs it (start-up
// and exit included); timed from outside by copy.bench.ts or farm-bench.
// Usage: node bench/copy-once.mjs SOURCE DESTINATION, each HOST/REPOSITORY:TAG
// (a plain-HTTP registry) or oci:DIR:TAG (an OCI layout; a destination
// directory is emptied first). CONCURRENCY=N overrides blobs at once.
import { rm } from 'node:fs/promises';
import { Repository } from '@ocikit/registry';
import { copy } from '@ocikit/transfer';
import { createNodeTransport } from '@ocikit/transport/node';

/** Opens one side of the copy and returns it with the tag it names. */
async function open(location, destination) {
  const colon = location.lastIndexOf(':');
  const tag = location.slice(colon + 1);
  if (location.startsWith('oci:')) {
    const dir = location.slice('oci:'.length, colon);
    if (destination) await rm(dir, { recursive: true, force: true });
    // Imported only when used, as a CLI would: a registry-to-registry copy starts faster.
    const { OciLayout } = await import('@ocikit/layout/fs');
    return { target: await OciLayout.open(dir, { create: destination }), tag };
  }
  const slash = location.indexOf('/');
  const target = new Repository(
    { registry: location.slice(0, slash), repository: location.slice(slash + 1, colon) },
    { transport: createNodeTransport() },
  );
  return { target, tag };
}

const [source, destination] = process.argv.slice(2);
const from = await open(source, false);
const to = await open(destination, true);
// CONCURRENCY sets how many blobs move at once (the library's default otherwise).
const concurrency = process.env.CONCURRENCY ? { concurrency: Number(process.env.CONCURRENCY) } : {};
const result = await copy(
  { from: from.target, to: to.target, reference: from.tag },
  { tags: [to.tag], ...concurrency },
);
if (process.env.VERBOSE)
  console.log(JSON.stringify({ bytes: result.bytesCopied, blobs: result.blobsCopied }));
