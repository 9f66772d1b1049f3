// registry → OCI layout pull of a large image: ocikit (built packages, one
// node process per run) against `skopeo copy` of the same image, interleaved
// in the same run, wall time and peak RSS from /usr/bin/time -v. A
// benchmark, not a test. Run: pnpm --filter @ocikit/transfer bench
// (MiB=1024 LAYERS=8 ROUNDS=5 for the 1 GiB case). With SERVE=1 it
// starts the registry, pushes the image, prints how to run farm-bench and
// waits (Ctrl-C stops it).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FileStore } from '@ocikit/content/fs';
import { digestBytes } from '@ocikit/digest';
import { Repository } from '@ocikit/registry';
import { createImageManifest, MediaType } from '@ocikit/spec';
import { startRegistry } from '@ocikit/testbed';
import { copy } from '@ocikit/transfer';
import { createNodeTransport } from '@ocikit/transport/node';

const run = promisify(execFile);
const MiB = 1024 * 1024;
const totalMiB = Number(process.env.MiB ?? 256);
const layers = Number(process.env.LAYERS ?? 4);
const rounds = Number(process.env.ROUNDS ?? 3);

/** Writes an image of random, incompressible layers into a file store (no big buffer). */
async function buildImage(store: FileStore) {
  const descriptors = [];
  for (let i = 0; i < layers; i += 1) {
    const size = Math.floor((totalMiB * MiB) / layers);
    const bytes = new Uint8Array(randomBytes(size));
    const descriptor = { mediaType: MediaType.OciLayerGzip, digest: digestBytes(bytes), size };
    await store.push(descriptor, new Blob([bytes]).stream());
    descriptors.push(descriptor);
  }
  const configBytes = new TextEncoder().encode(
    '{"os":"linux","architecture":"amd64","rootfs":{"type":"layers","diff_ids":[]}}',
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
async function timed(command: string, args: string[]): Promise<{ wall: number; rssMiB: number }> {
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

const work = await mkdtemp(join(tmpdir(), 'ocikit-transfer-bench-'));
const registry = await startRegistry({ dir: join(work, 'registry') });
try {
  const store = await FileStore.open(join(work, 'image'), { fsync: false });
  const root = await buildImage(store);
  const repository = 'bench/pull';
  const to = new Repository(
    { registry: registry.host, repository },
    { transport: createNodeTransport() },
  );
  await copy({ from: store, to, reference: root }, { tags: ['v1'] });
  const ocikitDir = join(work, 'ocikit-layout');
  const skopeoDir = join(work, 'skopeo-layout');
  const ocikit = ['bench/pull-once.mjs', registry.host, repository, ocikitDir];
  const skopeo = [
    '--insecure-policy',
    'copy',
    '--quiet',
    '--src-tls-verify=false',
    `docker://${registry.host}/${repository}:v1`,
    `oci:${skopeoDir}:v1`,
  ];
  if (process.env.SERVE) {
    console.log(
      `registry ${registry.host}, image ${repository}:v1 (${totalMiB} MiB in ${layers} layers); compare with:`,
    );
    console.log(
      `farm-bench -n 5 --timeout 600 --vs "sh -c 'rm -rf ${skopeoDir} && exec skopeo ${skopeo.join(' ')}'" -- node ${ocikit.join(' ')}`,
    );
    await new Promise((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
  } else {
    await compare(ocikit, skopeo, ocikitDir, skopeoDir);
  }
} finally {
  await registry.stop();
  await rm(work, { recursive: true, force: true });
}

/** Runs both, interleaved after one warm-up pair, and prints medians and the paired ratio. */
async function compare(ocikit: string[], skopeo: string[], ocikitDir: string, skopeoDir: string) {
  const results = {
    ocikit: [] as { wall: number; rssMiB: number }[],
    skopeo: [] as { wall: number; rssMiB: number }[],
  };
  for (let round = 0; round <= rounds; round += 1) {
    await rm(ocikitDir, { recursive: true, force: true });
    const a = await timed('node', ocikit);
    await rm(skopeoDir, { recursive: true, force: true });
    const b = await timed('skopeo', skopeo);
    if (round === 0) continue; // warm-up
    results.ocikit.push(a);
    results.skopeo.push(b);
  }
  const wall = (list: { wall: number }[]) => median(list.map((r) => r.wall));
  const rss = (list: { rssMiB: number }[]) => median(list.map((r) => r.rssMiB));
  const ratios = results.ocikit.map((r, i) => r.wall / (results.skopeo[i]?.wall ?? Number.NaN));
  console.log(
    `registry → OCI layout, ${totalMiB} MiB in ${layers} layers, median of ${rounds} interleaved runs:`,
  );
  console.log(
    `  ocikit  ${wall(results.ocikit).toFixed(2)} s  peak RSS ${rss(results.ocikit).toFixed(0)} MiB`,
  );
  console.log(
    `  skopeo  ${wall(results.skopeo).toFixed(2)} s  peak RSS ${rss(results.skopeo).toFixed(0)} MiB`,
  );
  console.log(`  ratio ocikit/skopeo (median of paired ratios) ${median(ratios).toFixed(2)}×`);
}
