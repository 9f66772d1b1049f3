// One ocikit registry in its own process, with the BUILT packages, as a
// consumer runs it: skopeo.bench.ts starts it under /usr/bin/time -v to
// measure the server's own peak RSS. Prints {"listening":"http://HOST/"}
// on stdout once it listens; stops on SIGINT (the default action: /usr/bin/time,
// which ignores SIGINT, still reports).
// Usage: node bench/serve-once.mjs memory|DIRECTORY. LOG=1 writes the
// access log to stderr.
import { createRegistryHandler, MemoryRegistryStorage } from '@ocikit/server';
import { DirectoryRegistryStorage } from '@ocikit/server/fs';
import { listen } from '@ocikit/server/node';

const [where] = process.argv.slice(2);
if (!where) {
  console.error('usage: node bench/serve-once.mjs memory|DIRECTORY');
  process.exit(2);
}
const storage =
  where === 'memory' ? new MemoryRegistryStorage() : new DirectoryRegistryStorage(where);
const log = process.env.LOG ? (line) => process.stderr.write(`${line}\n`) : undefined;
const running = await listen(createRegistryHandler({ storage }), log ? { log } : {});
process.stdout.write(`${JSON.stringify({ listening: running.url.href })}\n`);
