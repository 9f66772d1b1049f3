// The ocikit server (directory storage, its own process) against
// distribution 2.8, same images, same run, in paired rounds whose order
// alternates: skopeo push and pull throughput, each server's peak RSS
// (/usr/bin/time -v) for the big image and for a 5 MiB one (each server goes
// through the same push, HEAD load and pull), and requests/s for HEAD of a
// manifest under 50 connections (ApacheBench). Every round starts fresh
// registries, so no blob is already there or mountable.
// Each round also times skopeo pushing into an endpoint that discards every
// byte (bench/discard-registry.mjs): the push ceiling on this machine.
// Run: pnpm --filter @ocikit/server bench; MiB=1024 for the size,
// ROUNDS=N (default 5), RPS_SECONDS=N (default 5).
// Needs skopeo, docker-registry and ab (Debian packages skopeo,
// docker-registry, apache2-utils) and GNU time at /usr/bin/time; uses the built packages.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { streamFromBytes } from '@ocikit/digest';
import { OciLayout } from '@ocikit/layout/fs';
import { createImageManifest, type Descriptor, MediaType } from '@ocikit/spec';

const MiB = 1024 * 1024;
const bigMiB = Number(process.env.MiB ?? 256);
const smallMiB = 5;
const layerCount = 8;
const rounds = Number(process.env.ROUNDS ?? 5);
const rpsSeconds = Number(process.env.RPS_SECONDS ?? 5);
const connections = 50;
const skopeo = ['--insecure-policy'];

function describe(mediaType: string, bytes: Uint8Array): Descriptor {
  const hex = createHash('sha256').update(bytes).digest('hex');
  return { mediaType, digest: `sha256:${hex}`, size: bytes.byteLength };
}

/** An image of `size` MiB in eight random layers, tagged v1, in an OCI layout. */
async function writeImage(root: string, size: number): Promise<void> {
  const layout = await OciLayout.open(root, { create: true, fsync: false });
  const layers: Descriptor[] = [];
  for (let index = 0; index < layerCount; index += 1) {
    const bytes = new Uint8Array(randomBytes(Math.floor((size * MiB) / layerCount)));
    const layer = describe(MediaType.OciLayerGzip, bytes);
    await layout.push(layer, streamFromBytes(bytes, MiB));
    layers.push(layer);
  }
  const configBytes = new TextEncoder().encode(
    '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}',
  );
  const config = describe(MediaType.OciImageConfig, configBytes);
  await layout.push(config, streamFromBytes(configBytes));
  const manifest = createImageManifest({ config, layers });
  await layout.push(manifest.descriptor, streamFromBytes(manifest.bytes));
  await layout.tag(manifest.descriptor, 'v1');
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${command} exited with ${code}`)),
    );
  });
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/** A registry process under /usr/bin/time -v: its address, and a stop that reports its peak RSS. */
interface Server {
  host: string;
  /** The CPU time the registry process has used so far (user + system), in seconds. */
  cpu(): Promise<number>;
  /** Stops it (SIGINT to its process group) and returns its peak RSS in KiB. */
  stop(): Promise<number>;
}

/** A process measured by /usr/bin/time: its CPU clock and its stop. */
function server(host: string, child: ChildProcess, timeFile: string): Server {
  const registry = (async () => {
    const pid = child.pid ?? 0;
    const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
    return Number(children.trim().split(' ')[0]);
  })();
  return {
    host,
    async cpu() {
      const stat = await readFile(`/proc/${await registry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime (fields 14 and 15 of proc(5)), in clock ticks of 1/100 s.
      return (Number(fields[11]) + Number(fields[12])) / 100;
    },
    stop: stopper(child, timeFile),
  };
}

function measured(command: string, args: string[], timeFile: string): ChildProcess {
  return spawn('/usr/bin/time', ['-v', '-o', timeFile, command, ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
}

function stopper(child: ChildProcess, timeFile: string): () => Promise<number> {
  return async () => {
    const exited = once(child, 'exit');
    if (child.pid) process.kill(-child.pid, 'SIGINT');
    await exited;
    const report = await readFile(timeFile, 'utf8').catch(() => '');
    return Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(report)?.[1] ?? Number.NaN);
  };
}

/** A port nothing listens on now (another process may still take it before distribution does). */
async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  probe.close();
  await once(probe, 'close');
  return port;
}

async function startDistribution(dir: string): Promise<Server> {
  const port = await freePort();
  const config = join(dir, 'config.yml');
  await writeFile(
    config,
    [
      'version: 0.1',
      'log: { level: error, accesslog: { disabled: true } }',
      `storage: { filesystem: { rootdirectory: ${join(dir, 'data')} }, delete: { enabled: true } }`,
      `http: { addr: 127.0.0.1:${port} }`,
      'health: { storagedriver: { enabled: false } }',
      '',
    ].join('\n'),
  );
  const timeFile = join(dir, 'time.txt');
  const child = measured('/usr/bin/docker-registry', ['serve', config], timeFile);
  for (let attempt = 0; attempt < 300; attempt += 1) {
    const up = await fetch(`http://127.0.0.1:${port}/v2/`).then(
      (response) => response.ok,
      () => false,
    );
    // Up, and ours: a registry of another process on this port would not be our child.
    if (up && child.exitCode === null) return server(`127.0.0.1:${port}`, child, timeFile);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill();
  throw new Error('distribution did not start');
}

/** The `host:port` of a child that prints `{"listening":"http://HOST/"}` as its first line. */
async function listeningHost(child: ChildProcess): Promise<string> {
  let out = '';
  for await (const chunk of child.stdout ?? []) {
    out += chunk;
    if (out.includes('\n')) break;
  }
  const { listening } = JSON.parse(out) as { listening: string };
  return new URL(listening).host;
}

async function startOcikit(dir: string): Promise<Server> {
  const timeFile = join(dir, 'time.txt');
  const script = join(import.meta.dirname, 'serve-once.mjs');
  const child = measured(process.execPath, [script, join(dir, 'served')], timeFile);
  return server(await listeningHost(child), child, timeFile);
}

/**
 * How long skopeo takes to push the image into an endpoint that throws
 * every byte away (bench/discard-registry.mjs): the ceiling of any
 * registry's push on this machine, skopeo's own cost.
 */
async function pushCeiling(image: string): Promise<number> {
  const script = join(import.meta.dirname, 'discard-registry.mjs');
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const host = await listeningHost(child);
    return await timed(() => skopeoCopy('push', image, host));
  } finally {
    const exited = once(child, 'exit');
    child.kill();
    await exited;
  }
}

/** `skopeo copy` between an OCI layout and the registry's `bench/app:v1`, plain HTTP, no credentials. */
function skopeoCopy(direction: 'push' | 'pull', layout: string, host: string): Promise<string> {
  const local = `oci:${layout}:v1`;
  const remote = `docker://${host}/bench/app:v1`;
  const side = direction === 'push' ? 'dest' : 'src';
  const [from, to] = direction === 'push' ? [local, remote] : [remote, local];
  const preserve = direction === 'push' ? ['--preserve-digests'] : [];
  return run('skopeo', [
    ...skopeo,
    'copy',
    '--quiet',
    `--${side}-tls-verify=false`,
    `--${side}-no-creds`,
    ...preserve,
    from,
    to,
  ]);
}

/**
 * Requests/s of `HEAD /v2/bench/app/manifests/v1` with ApacheBench (`ab -i`:
 * HEAD, `-k`: keep-alive) over 50 connections; fails on any error answer.
 */
async function headRate(host: string): Promise<number> {
  const out = await run('ab', [
    '-q',
    '-k',
    '-i',
    '-c',
    String(connections),
    '-t',
    String(rpsSeconds),
    '-n',
    '10000000',
    '-H',
    `Accept: ${MediaType.OciImageManifest}`,
    `http://${host}/v2/bench/app/manifests/v1`,
  ]);
  const failed = Number(/Failed requests:\s+(\d+)/.exec(out)?.[1] ?? Number.NaN);
  if (failed !== 0 || /Non-2xx responses/.test(out)) throw new Error(`ab saw errors:\n${out}`);
  return Number(/Requests per second:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN);
}

type Kind = 'distribution' | 'ocikit';
interface Round {
  push: number;
  pull: number;
  /** The registry's CPU seconds for the push and for the pull. */
  pushCpu: number;
  pullCpu: number;
  rps: number;
  rssBig: number;
  rssSmall: number;
}

/** Runs work against a server, then stops it: the work's result and the server's peak RSS. */
async function serving<T>(
  server: Server,
  work: (server: Server) => Promise<T>,
): Promise<[T, number]> {
  try {
    const result = await work(server);
    return [result, await server.stop()];
  } catch (error) {
    await server.stop().catch(() => {});
    throw error;
  }
}

async function measureRound(
  kind: Kind,
  dir: string,
  images: { big: string; small: string },
): Promise<Round> {
  const start = async (name: string) =>
    (kind === 'distribution' ? startDistribution : startOcikit)(
      await mkdtemp(join(dir, `${kind}-${name}-`)),
    );
  const pulled = join(dir, `${kind}-pulled`);
  const [figures, rssBig] = await serving(await start('big'), async (server) => {
    const cpu0 = await server.cpu();
    const pushMs = await timed(() => skopeoCopy('push', images.big, server.host));
    const cpu1 = await server.cpu();
    const rps = await headRate(server.host);
    const cpu2 = await server.cpu();
    const pullMs = await timed(() => skopeoCopy('pull', pulled, server.host));
    const cpu3 = await server.cpu();
    return { push: pushMs, pull: pullMs, rps, pushCpu: cpu1 - cpu0, pullCpu: cpu3 - cpu2 };
  });
  await rm(pulled, { recursive: true, force: true });
  // The same steps as for the big image, so the two peaks differ by the image size alone.
  const [, rssSmall] = await serving(await start('small'), async (server) => {
    await skopeoCopy('push', images.small, server.host);
    await headRate(server.host);
    await skopeoCopy('pull', pulled, server.host);
  });
  await rm(pulled, { recursive: true, force: true });
  return { ...figures, rssBig, rssSmall };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function spread(values: number[], digits: number): string {
  const f = (value: number) => value.toFixed(digits);
  return `${f(median(values))} (${f(Math.min(...values))}–${f(Math.max(...values))})`;
}

const dir = await mkdtemp(join(tmpdir(), 'ocikit-server-bench-'));
try {
  const images = { big: join(dir, 'image-big'), small: join(dir, 'image-small') };
  await writeImage(images.big, bigMiB);
  await writeImage(images.small, smallMiB);
  const results: Record<Kind, Round[]> = { distribution: [], ocikit: [] };
  const ceilings: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const roundDir = join(dir, `round-${round}`);
    await mkdir(roundDir);
    ceilings.push(await pushCeiling(images.big));
    const order: Kind[] = round % 2 ? ['ocikit', 'distribution'] : ['distribution', 'ocikit'];
    for (const kind of order) results[kind].push(await measureRound(kind, roundDir, images));
    await rm(roundDir, { recursive: true, force: true });
    const [d, o] = [results.distribution[round], results.ocikit[round]] as [Round, Round];
    console.error(
      `round ${round + 1}: push ${(d.push / o.push).toFixed(2)}× pull ${(d.pull / o.pull).toFixed(2)}× rps ${(o.rps / d.rps).toFixed(2)}× ocikit RSS ${(o.rssBig / o.rssSmall).toFixed(2)}×`,
    );
  }
  const of = (kind: Kind, pick: (round: Round) => number) => results[kind].map(pick);
  const paired = (pick: (d: Round, o: Round) => number) =>
    results.ocikit.map((o, index) => pick(results.distribution[index] as Round, o));
  /** One row: the figure of each side, and their paired ratio when one is given. */
  const row = (
    label: string,
    digits: number,
    pick: (round: Round) => number,
    ratio?: (d: Round, o: Round) => number,
  ): [string, string, string, string] => [
    label,
    spread(of('distribution', pick), digits),
    spread(of('ocikit', pick), digits),
    ratio ? spread(paired(ratio), 2) : '',
  ];
  const rate = (ms: number) => bigMiB / (ms / 1000);
  const MiBofKiB = (kib: number) => kib / 1024;
  const rows = [
    row(
      'skopeo push, MiB/s',
      0,
      (r) => rate(r.push),
      (d, o) => d.push / o.push,
    ),
    row(
      'skopeo pull, MiB/s',
      0,
      (r) => rate(r.pull),
      (d, o) => d.pull / o.pull,
    ),
    row(
      'registry CPU for the push, s',
      2,
      (r) => r.pushCpu,
      (d, o) => d.pushCpu / o.pushCpu,
    ),
    row(
      'registry CPU for the pull, s',
      2,
      (r) => r.pullCpu,
      (d, o) => d.pullCpu / o.pullCpu,
    ),
    row(
      `HEAD manifest, req/s (${connections} conns)`,
      0,
      (r) => r.rps,
      (d, o) => o.rps / d.rps,
    ),
    row(
      `peak RSS ${smallMiB} MiB image, MiB`,
      0,
      (r) => MiBofKiB(r.rssSmall),
      (d, o) => o.rssSmall / d.rssSmall,
    ),
    row(
      `peak RSS ${bigMiB} MiB image, MiB`,
      0,
      (r) => MiBofKiB(r.rssBig),
      (d, o) => o.rssBig / d.rssBig,
    ),
    row(`RSS growth ${smallMiB} → ${bigMiB} MiB image`, 2, (r) => r.rssBig / r.rssSmall),
  ];
  console.log(
    `ocikit server (directory storage) vs distribution 2.8: ${bigMiB} MiB in ${layerCount} layers, ${rounds} paired rounds, median (min–max)`,
  );
  console.log(
    'ratio: push/pull (time and CPU) = distribution ÷ ocikit, so above 1 is ocikit faster; req/s and RSS = ocikit ÷ distribution',
  );
  const header: [string, string, string, string] = ['', 'distribution 2.8', 'ocikit', 'ratio'];
  const widths = [0, 1, 2, 3].map((column) =>
    Math.max(...[header, ...rows].map((row) => row[column]?.length ?? 0)),
  );
  for (const row of [header, ...rows]) {
    console.log(row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  '));
  }
  const ceilingRatios = ceilings.map((ms, index) => (results.distribution[index]?.push ?? 0) / ms);
  console.log(
    `push ceiling, skopeo into an endpoint that discards every byte: ${spread(ceilings.map(rate), 0)} MiB/s, so at most ${spread(ceilingRatios, 2)}× distribution's push in the same rounds`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
