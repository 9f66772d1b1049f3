// ocikit against `skopeo copy` on the issue's cases, each command a whole
// process (built packages, start-up and exit included), interleaved in pairs
// in the same run, wall time and peak RSS of both from /usr/bin/time -v:
//   pull      registry → OCI layout
//   push      OCI layout → an empty registry (a fresh registry for every run)
//   registry  registry → an empty registry (a fresh registry for every run)
//   mount     same registry, a new repository (cross-repository mounts)
//   remount   OCI layout → a new repository of a registry that holds its blobs
//             in another repository, which each tool learned from its
//             warm-up push (skopeo's blob-info cache, ocikit's blob cache)
// and the peak RSS of an ocikit pull of a 5 MB image, the yardstick for
// "memory stays flat". The ocikit side is the built CLI, as users run it
// (`ocikit copy`, apps/cli/dist; build it first); OCIKIT_CLI=path runs
// another build of it, OCIKIT_SCRIPT=path a copy-once.mjs instead
// (bench/copy-once.mjs: the library alone). A benchmark, not a test. Run:
// pnpm --filter @ocikit/transfer bench (MiB=1024 LAYERS=8 ROUNDS=5 for the
// issue's 1 GiB case; CASES=pull,push to pick, e.g. CASES=mount runs only the
// mount case, without the pull's memory yardstick; NODE_ARGS=… for node flags).
// With TRACE=1, a case on the shared registry (pull, mount) runs once more on
// each side and prints the requests the registry logged for it: when (ms from
// the process's start), status, the registry's own time and the connection.
// With SERVE=1 it starts the registry, pushes the image, prints the two pull
// commands to time by hand and waits (Ctrl-C stops it).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { FileStore } from '@ocikit/content/fs';
import { digestBytes } from '@ocikit/digest';
import { OciLayout } from '@ocikit/layout/fs';
import { Repository } from '@ocikit/registry';
import { createImageManifest, MediaType } from '@ocikit/spec';
import { type RunningRegistry, startRegistry } from '@ocikit/testbed';
import { copy } from '@ocikit/transfer';
import { createNodeTransport } from '@ocikit/transport/node';
import { loggedRequests, logLength } from './registry-log.ts';

const run = promisify(execFile);
const MiB = 1024 * 1024;
const totalMiB = Number(process.env.MiB ?? 256);
const layers = Number(process.env.LAYERS ?? 4);
const rounds = Number(process.env.ROUNDS ?? 3);
const cases = (process.env.CASES ?? 'pull,push,registry,mount,remount').split(',');
const trace = Boolean(process.env.TRACE);

interface Measured {
  wall: number;
  rssMiB: number;
}

/** Writes an image of random, incompressible layers into a file store (no big buffer). */
async function buildImage(store: FileStore, imageMiB: number, layerCount: number) {
  const descriptors = [];
  for (let i = 0; i < layerCount; i += 1) {
    const size = Math.floor((imageMiB * MiB) / layerCount);
    const bytes = new Uint8Array(randomBytes(size));
    const descriptor = { mediaType: MediaType.OciLayerGzip, digest: digestBytes(bytes), size };
    await store.push(descriptor, new Blob([bytes]).stream());
    descriptors.push(descriptor);
  }
  const configBytes = new TextEncoder().encode(
    `{"os":"linux","architecture":"amd64","rootfs":{"type":"layers","diff_ids":[]},"created":"${new Date().toISOString()}"}`,
  );
  const config = {
    mediaType: MediaType.OciImageConfig,
    digest: digestBytes(configBytes),
    size: configBytes.byteLength,
  };
  await store.push(config, new Blob([configBytes]).stream());
  const manifest = createImageManifest({ config, layers: descriptors });
  await store.push(manifest.descriptor, new Blob([manifest.bytes]).stream());
  return manifest.descriptor;
}

/** Runs a command under /usr/bin/time -v: wall seconds and peak RSS in MiB. */
async function timed(command: string, args: string[]): Promise<Measured> {
  const started = performance.now();
  const { stderr } = await run('/usr/bin/time', ['-v', command, ...args], { maxBuffer: 16 * MiB });
  const wall = (performance.now() - started) / 1000;
  const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1] ?? Number.NaN);
  return { wall, rssMiB: rss / 1024 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Median and range of a list, as printed. */
function spread(values: number[], digits: number): string {
  const sorted = [...values].sort((a, b) => a - b);
  const [min, max] = [sorted[0] ?? Number.NaN, sorted.at(-1) ?? Number.NaN];
  return `${median(values).toFixed(digits)} [${min.toFixed(digits)}–${max.toFixed(digits)}]`;
}

const skopeoCopy = ['--insecure-policy', 'copy', '--quiet'];
const http = ['--src-tls-verify=false', '--dest-tls-verify=false'];
// OCIKIT_SCRIPT runs a copy-once.mjs (the library alone, or another build's).
const ocikitScript = process.env.OCIKIT_SCRIPT;
// OCIKIT_CLI runs another build of the CLI (a before/after comparison).
const cli =
  process.env.OCIKIT_CLI ??
  fileURLToPath(new URL('../../../apps/cli/dist/ocikit.cjs', import.meta.url));
// NODE_ARGS adds flags to ocikit's node (e.g. --max-semi-space-size=4).
const nodeArgs = (process.env.NODE_ARGS ?? '').split(' ').filter(Boolean);
/** The ocikit command line of a copy; `hosts` are the plain-HTTP registries it reaches. */
const ocikitCopy = (from: string, to: string, hosts: string[]) =>
  ocikitScript
    ? [...nodeArgs, ocikitScript, from, to]
    : [
        ...nodeArgs,
        cli,
        'copy',
        '--quiet',
        ...hosts.flatMap((host) => ['--plain-http', host]),
        from,
        to,
      ];

/** One case: before each run `prepare` gives the arguments of both commands. */
interface Case {
  id: 'pull' | 'push' | 'registry' | 'mount' | 'remount';
  name: string;
  /** The log of the registry that sees all of its requests (for TRACE=1). */
  log?: string;
  prepare(
    round: number,
    side: 'ocikit' | 'skopeo',
  ): Promise<{ args: string[]; done?: () => Promise<void> }>;
}

/**
 * Runs each case's two commands in turn (ocikit, skopeo, ocikit, …) after
 * one warm-up pair, and prints medians, ranges and the paired ratios.
 */
async function compare(list: Case[]) {
  for (const each of list) {
    const results = { ocikit: [] as Measured[], skopeo: [] as Measured[] };
    for (let round = 0; round <= rounds; round += 1) {
      for (const side of ['ocikit', 'skopeo'] as const) {
        const { args, done } = await each.prepare(round, side);
        const measured = await timed(side === 'ocikit' ? 'node' : 'skopeo', args);
        await done?.();
        if (round > 0) results[side].push(measured);
      }
    }
    const walls = (list: Measured[]) => list.map((r) => r.wall);
    const rss = (list: Measured[]) => list.map((r) => r.rssMiB);
    const ratios = results.ocikit.map((r, i) => r.wall / (results.skopeo[i]?.wall ?? Number.NaN));
    const rssRatios = results.ocikit.map(
      (r, i) => r.rssMiB / (results.skopeo[i]?.rssMiB ?? Number.NaN),
    );
    console.log(`${each.name}: median [min–max] of ${rounds} interleaved pairs`);
    console.log(
      `  ocikit  wall ${spread(walls(results.ocikit), 2)} s  peak RSS ${spread(rss(results.ocikit), 0)} MiB`,
    );
    console.log(
      `  skopeo  wall ${spread(walls(results.skopeo), 2)} s  peak RSS ${spread(rss(results.skopeo), 0)} MiB`,
    );
    console.log(`  ocikit/skopeo  wall ${spread(ratios, 2)}×  peak RSS ${spread(rssRatios, 1)}×`);
    if (trace && each.log !== undefined) await traceRun(each, each.log);
  }
}

/** Runs a case once more on each side and prints the requests its registry logged. */
async function traceRun(each: Case, log: string) {
  for (const side of ['ocikit', 'skopeo'] as const) {
    const { args, done } = await each.prepare(rounds + 1, side);
    const offset = await logLength(log);
    const started = Date.now();
    const { wall } = await timed(side === 'ocikit' ? 'node' : 'skopeo', args);
    await done?.();
    const requests = await loggedRequests(log, offset, started);
    const connections = new Set(requests.map((request) => request.port)).size;
    console.log(
      `  ${side} traced: wall ${(wall * 1000).toFixed(0)} ms, ${requests.length} requests on ${connections} connections`,
    );
    for (const r of requests) {
      const uri = r.uri
        .replace(/(sha256(?:%3A|:)[0-9a-f]{12})[0-9a-f]+/g, '$1…')
        .replace(/_state=[^&]+/, '_state=…');
      console.log(
        `    ${r.at.toFixed(0).padStart(5)} ms  ${r.method.padEnd(5)} ${r.status}  ${r.durationMs.toFixed(1).padStart(6)} ms  :${r.port}  ${uri}`,
      );
    }
  }
}

const work = await mkdtemp(join(tmpdir(), 'ocikit-transfer-bench-'));
// ocikit's caches (code, blob locations) start empty in every run of the bench.
process.env.XDG_CACHE_HOME = join(work, 'xdg-cache');
const registry = await startRegistry({ dir: join(work, 'registry') });
const empties: RunningRegistry[] = [];
try {
  const transport = createNodeTransport();
  const repositoryAt = (host: string, repository: string) =>
    new Repository({ registry: host, repository }, { transport });
  const store = await FileStore.open(join(work, 'image'), { fsync: false });
  const root = await buildImage(store, totalMiB, layers);
  await copy(
    { from: store, to: repositoryAt(registry.host, 'bench/pull'), reference: root },
    { tags: ['v1'] },
  );
  const sourceLayout = join(work, 'source-layout');
  if (cases.includes('push') || cases.includes('remount')) {
    await copy(
      { from: store, to: await OciLayout.open(sourceLayout, { create: true }), reference: root },
      { tags: ['v1'] },
    );
  }
  // The memory yardstick of a pull: built and run only with the pull case.
  const yardstick = cases.includes('pull');
  if (yardstick) {
    const small = await FileStore.open(join(work, 'small'), { fsync: false });
    const smallRoot = await buildImage(small, 5, 1);
    await copy(
      { from: small, to: repositoryAt(registry.host, 'bench/small'), reference: smallRoot },
      { tags: ['v1'] },
    );
  }

  const pulled = { ocikit: join(work, 'ocikit-layout'), skopeo: join(work, 'skopeo-layout') };
  const source = `${registry.host}/bench/pull:v1`;
  const pull: Case = {
    id: 'pull',
    name: `registry → OCI layout, ${totalMiB} MiB in ${layers} layers`,
    log: registry.logFile,
    async prepare(_round, side) {
      await rm(pulled[side], { recursive: true, force: true });
      return side === 'ocikit'
        ? { args: ocikitCopy(source, `oci:${pulled.ocikit}:v1`, [registry.host]) }
        : { args: [...skopeoCopy, ...http, `docker://${source}`, `oci:${pulled.skopeo}:v1`] };
    },
  };
  /** A copy from `from` (skopeo's form) into a fresh, empty registry for every run. */
  const intoEmpty = (id: 'push' | 'registry', name: string, from: string): Case => ({
    id,
    name: `${name}, ${totalMiB} MiB in ${layers} layers`,
    async prepare(round, side) {
      // A fresh registry each run: nothing to skip or mount, for either tool.
      const dir = join(work, `empty-${id}-${round}-${side}`);
      const empty = await startRegistry({ dir });
      empties.push(empty);
      const to = `${empty.host}/bench/push:v1`;
      return {
        args:
          side === 'ocikit'
            ? ocikitCopy(from.replace(/^docker:\/\//, ''), to, [registry.host, empty.host])
            : [...skopeoCopy, ...http, from, `docker://${to}`],
        done: async () => {
          await empty.stop();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  });
  const push = intoEmpty('push', 'OCI layout → empty registry', `oci:${sourceLayout}:v1`);
  const toRegistry = intoEmpty('registry', 'registry → empty registry', `docker://${source}`);
  const mount: Case = {
    id: 'mount',
    name: `same registry, new repository (mount), ${totalMiB} MiB in ${layers} layers`,
    log: registry.logFile,
    async prepare(round, side) {
      const to = `${registry.host}/bench/mount-${side}-${round}:v1`;
      return {
        args:
          side === 'ocikit'
            ? ocikitCopy(source, to, [registry.host])
            : [...skopeoCopy, ...http, `docker://${source}`, `docker://${to}`],
      };
    },
  };
  const remount: Case = {
    id: 'remount',
    name: `OCI layout → new repository of a registry holding its blobs (blob cache), ${totalMiB} MiB in ${layers} layers`,
    log: registry.logFile,
    async prepare(round, side) {
      // Round 0, the warm-up, pushes the blobs; the timed rounds find them through the cache.
      const to = `${registry.host}/bench/remount-${side}-${round}:v1`;
      const from = `oci:${sourceLayout}:v1`;
      return {
        args:
          side === 'ocikit'
            ? ocikitCopy(from, to, [registry.host])
            : [...skopeoCopy, ...http, from, `docker://${to}`],
      };
    },
  };
  if (process.env.SERVE) {
    console.log(
      `registry ${registry.host}, image bench/pull:v1 (${totalMiB} MiB in ${layers} layers); the pull of each side (empty the layout before each run):`,
    );
    console.log(
      `  node ${ocikitCopy(source, `oci:${pulled.ocikit}:v1`, [registry.host]).join(' ')}`,
    );
    console.log(
      `  skopeo ${[...skopeoCopy, ...http, `docker://${source}`, `oci:${pulled.skopeo}:v1`].join(' ')}`,
    );
    await new Promise((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
  } else {
    await compare(
      [pull, push, toRegistry, mount, remount].filter((each) => cases.includes(each.id)),
    );
  }
  if (!process.env.SERVE && yardstick) {
    const smallRuns: Measured[] = [];
    for (let round = 0; round < rounds; round += 1) {
      await rm(pulled.ocikit, { recursive: true, force: true });
      smallRuns.push(
        await timed(
          'node',
          ocikitCopy(`${registry.host}/bench/small:v1`, `oci:${pulled.ocikit}:v1`, [registry.host]),
        ),
      );
    }
    console.log(
      `registry → OCI layout, 5 MiB in 1 layer (memory yardstick): ocikit peak RSS ${spread(
        smallRuns.map((r) => r.rssMiB),
        0,
      )} MiB, wall ${spread(
        smallRuns.map((r) => r.wall),
        2,
      )} s`,
    );
  }
} finally {
  for (const empty of empties) await empty.stop().catch(() => {});
  await registry.stop();
  await rm(work, { recursive: true, force: true });
}
