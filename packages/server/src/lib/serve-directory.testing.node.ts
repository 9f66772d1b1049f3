// Run as a child process by directory-storage.processes.test.ts: serves the
// directory given as the first argument on a free port of 127.0.0.1, prints
// the host on one line, and stops when its stdin closes.
import { DirectoryRegistryStorage } from './directory-storage.node.ts';
import { createRegistryHandler } from './handler.ts';
import { listen } from './node-adapter.node.ts';

const storage = new DirectoryRegistryStorage(process.argv[2] ?? '', { fsync: false });
const server = await listen(
  createRegistryHandler({
    storage,
    onError: (error) => process.stderr.write(`${String((error as Error).stack ?? error)}\n`),
  }),
);
process.stdout.write(`${server.host}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void server.close().then(() => process.exit(0));
});
