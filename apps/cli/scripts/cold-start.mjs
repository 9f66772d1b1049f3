// Cold start of the built `ocikit` against bare Node, in the same run:
// `ocikit --version` against `node -e 0` (median of 20, interleaved), and how
// long `ocikit tag ls` takes to send its first request to a local registry
// stub. Prints figures and ratios; asserts nothing (benchmarks are not tests).
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNS = 20;
const bin = fileURLToPath(new URL('../dist/ocikit.js', import.meta.url));

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function timed(args) {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}`);
  return performance.now() - started;
}

/** Milliseconds from spawning `ocikit tag ls` to its first request reaching the server. */
function firstRequest(server, host) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    server.once('request', () => resolve(performance.now() - started));
    const child = spawn(process.execPath, [bin, 'tag', 'ls', `${host}/app`, '--plain-http', host], {
      stdio: 'ignore',
    });
    child.on('error', reject);
  });
}

const server = createServer((request, response) => {
  response.setHeader('content-type', 'application/json');
  response.end(request.url?.startsWith('/v2/app/tags') ? '{"name":"app","tags":["v1"]}' : '{}');
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const host = `127.0.0.1:${server.address().port}`;

const empty = join(tmpdir(), `ocikit-empty-${process.pid}.mjs`);
writeFileSync(empty, '');
const bare = [];
const emptyFile = [];
const version = [];
const tagLs = [];
timed(['-e', '0']);
timed([bin, '--version']);
for (let run = 0; run < RUNS; run += 1) {
  bare.push(timed(['-e', '0']));
  emptyFile.push(timed([empty]));
  version.push(timed([bin, '--version']));
  tagLs.push(await firstRequest(server, host));
}
server.close();

const base = median(bare);
const rows = [
  ['node -e 0', base],
  ['node empty.mjs', median(emptyFile)],
  ['ocikit --version', median(version)],
  ['ocikit tag ls → first request', median(tagLs)],
];
console.log(`median of ${RUNS} runs, interleaved, Node ${process.versions.node}`);
for (const [name, ms] of rows) {
  console.log(`${name.padEnd(32)} ${ms.toFixed(1).padStart(7)} ms  ${(ms / base).toFixed(2)}×`);
}
