// skopeo push and pull throughput: the ocikit server (memory and directory
// storage) against distribution 2.8, same image, same run, a fresh registry
// of each kind per round (so no blob is already there or mountable).
// Run: pnpm --filter @ocikit/server bench (MiB=1024 for the size).
// Needs skopeo and docker-registry (Debian packages skopeo, docker-registry).
// Uses the built packages, as a consumer would.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { streamFromBytes } from '@ocikit/digest';
import { OciLayout } from '@ocikit/layout/fs';
import { createRegistryHandler, MemoryRegistryStorage } from '@ocikit/server';
import { DirectoryRegistryStorage } from '@ocikit/server/fs';
import { listen } from '@ocikit/server/node';
import { createImageManifest, type Descriptor, MediaType } from '@ocikit/spec';

const MiB = 1024 * 1024;
const total = Number(process.env.MiB ?? 256);
const layerCount = 8;
const rounds = 3;

function describe(mediaType: string, bytes: Uint8Array): Descriptor {
  const hex = createHash('sha256').update(bytes).digest('hex');
  return { mediaType, digest: `sha256:${hex}`, size: bytes.byteLength };
}

async function writeImage(root: string): Promise<void> {
  const layout = await OciLayout.open(root, { create: true, fsync: false });
  const layers: Descriptor[] = [];
  for (let index = 0; index < layerCount; index += 1) {
    const bytes = new Uint8Array(randomBytes(Math.floor((total * MiB) / layerCount)));
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

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}`)),
    );
  });
}

async function startDistribution(dir: string): Promise<{ host: string; stop(): void }> {
  const port = 20000 + Math.floor(Math.random() * 20000);
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
  const child: ChildProcess = spawn('/usr/bin/docker-registry', ['serve', config], {
    stdio: 'ignore',
  });
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const up = await fetch(`http://127.0.0.1:${port}/v2/`).then(
      (response) => response.ok,
      () => false,
    );
    if (up) return { host: `127.0.0.1:${port}`, stop: () => child.kill() };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill();
  throw new Error('distribution did not start');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const skopeo = ['--insecure-policy'];
const dir = await mkdtemp(join(tmpdir(), 'ocikit-server-bench-'));
try {
  const source = join(dir, 'source');
  await writeImage(source);
  const times: Record<string, { push: number[]; pull: number[] }> = {};
  for (let round = 0; round < rounds; round += 1) {
    const roundDir = join(dir, `round-${round}`);
    await mkdir(roundDir);
    const distribution = await startDistribution(await mkdtemp(join(dir, 'distribution-')));
    const memory = await listen(createRegistryHandler({ storage: new MemoryRegistryStorage() }));
    const directory = await listen(
      createRegistryHandler({ storage: new DirectoryRegistryStorage(join(roundDir, 'served')) }),
    );
    const targets: [string, string][] = [
      ['distribution 2.8', distribution.host],
      ['ocikit memory', memory.host],
      ['ocikit directory', directory.host],
    ];
    for (const [name, host] of targets) {
      times[name] ??= { push: [], pull: [] };
      const entry = times[name];
      let start = performance.now();
      await run('skopeo', [
        ...skopeo,
        'copy',
        '--quiet',
        '--dest-tls-verify=false',
        '--dest-no-creds',
        '--preserve-digests',
        `oci:${source}:v1`,
        `docker://${host}/bench/app:v1`,
      ]);
      entry.push.push(performance.now() - start);
      start = performance.now();
      await run('skopeo', [
        ...skopeo,
        'copy',
        '--quiet',
        '--src-tls-verify=false',
        '--src-no-creds',
        `docker://${host}/bench/app:v1`,
        `oci:${join(roundDir, name.replace(/\W+/g, '-'))}:v1`,
      ]);
      entry.pull.push(performance.now() - start);
    }
    await memory.close();
    await directory.close();
    distribution.stop();
    await rm(roundDir, { recursive: true, force: true });
  }
  const base = times['distribution 2.8'];
  console.log(`skopeo copy of ${total} MiB in ${layerCount} layers, median of ${rounds}`);
  for (const [name, { push, pull }] of Object.entries(times)) {
    const pushRatio = base ? median(base.push) / median(push) : Number.NaN;
    const pullRatio = base ? median(base.pull) / median(pull) : Number.NaN;
    console.log(
      `${name.padEnd(18)} push ${(total / (median(push) / 1000)).toFixed(0).padStart(5)} MiB/s (${pushRatio.toFixed(2)}×)  pull ${(total / (median(pull) / 1000)).toFixed(0).padStart(5)} MiB/s (${pullRatio.toFixed(2)}×)`,
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
