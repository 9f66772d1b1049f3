// Cold start of the built `ocikit` against bare Node, in the same run:
// `ocikit --version` against `node -e 0` (median of 20, interleaved), and how
// long `ocikit tag ls` takes to send its first request to a local registry
// stub; the same two for the standalone executable (built here into a temp
// dir). The bin keeps V8's code cache per command (src/launch.ts) in a
// cache directory of its own here, which the warm-up run fills; the first-
// request time without it is printed too. Prints figures and ratios;
// asserts nothing (benchmarks are not tests).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNS = 20;
const bin = fileURLToPath(new URL('../dist/ocikit.cjs', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'ocikit-bench-'));
const standalone = join(scratch, 'ocikit');
execFileSync(
  process.execPath,
  [fileURLToPath(new URL('build-standalone.mjs', import.meta.url)), '--outfile', standalone],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
/** How each `ocikit` starts: the bundle on this Node, and the standalone executable. */
const NODE = [process.execPath, bin];
const STANDALONE = [standalone];
process.env.XDG_CACHE_HOME = join(scratch, 'cache');

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function timed(command, ...args) {
  const started = performance.now();
  const result = spawnSync(command, args, { stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}`);
  return performance.now() - started;
}

/**
 * Milliseconds from spawning `ocikit tag ls` to its first request reaching
 * the server; resolves once it has exited, so that the next run does not
 * share the CPU with it.
 */
function firstRequest([command, ...leading], server, host, env = process.env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let ms;
    server.once('request', () => {
      ms = performance.now() - started;
    });
    const args = [...leading, 'tag', 'ls', `${host}/app`, '--plain-http', host];
    const child = spawn(command, args, { stdio: 'ignore', env });
    child.on('error', reject);
    child.on('exit', () =>
      ms === undefined ? reject(new Error(`${command} sent no request`)) : resolve(ms),
    );
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
const tagLsUncached = [];
const uncached = { ...process.env, OCIKIT_NO_CODE_CACHE: '1' };
const standaloneVersion = [];
const standaloneTagLs = [];
timed(process.execPath, '-e', '0');
timed(...NODE, '--version');
timed(...STANDALONE, '--version');
await firstRequest(NODE, server, host);
for (let run = 0; run < RUNS; run += 1) {
  bare.push(timed(process.execPath, '-e', '0'));
  emptyFile.push(timed(process.execPath, empty));
  version.push(timed(...NODE, '--version'));
  tagLs.push(await firstRequest(NODE, server, host));
  tagLsUncached.push(await firstRequest(NODE, server, host, uncached));
  standaloneVersion.push(timed(...STANDALONE, '--version'));
  standaloneTagLs.push(await firstRequest(STANDALONE, server, host));
}
server.close();
rmSync(scratch, { recursive: true, force: true });
rmSync(empty, { force: true });

const base = median(bare);
const rows = [
  ['node -e 0', base],
  ['node empty.mjs', median(emptyFile)],
  ['ocikit --version', median(version)],
  ['ocikit tag ls → first request', median(tagLs)],
  ['  the same without the code cache', median(tagLsUncached)],
  ['standalone --version', median(standaloneVersion)],
  ['standalone tag ls → first request', median(standaloneTagLs)],
];
console.log(`median of ${RUNS} runs, interleaved, Node ${process.versions.node}`);
for (const [name, ms] of rows) {
  console.log(`${name.padEnd(36)} ${ms.toFixed(1).padStart(7)} ms  ${(ms / base).toFixed(2)}×`);
}
