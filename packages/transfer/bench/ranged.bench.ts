// When does a parallel ranged download pay? A registry → OCI layout pull of
// one large layer through the test bed's fault proxy, whose `throttle` fault
// limits each response (so each connection) to RATE MiB/s, with one stream
// against `rangedDownload` (PARTS requests of PART_MiB at once), interleaved
// in pairs in one process, and once more without the limit (loopback: the
// client's hashing is the bound). A benchmark, not a test. Run after
// `pnpm build`: pnpm --filter @ocikit/transfer exec tsx bench/ranged.bench.ts
// (MiB=64 RATE=16 PARTS=4 PART_MiB=8 ROUNDS=3).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore, pushBytes } from '@ocikit/content';
import { OciLayout } from '@ocikit/layout/fs';
import { Repository } from '@ocikit/registry';
import { createImageManifest, MediaType } from '@ocikit/spec';
import { faultClient, startFaultProxy, startRegistry } from '@ocikit/testbed';
import { copy } from '@ocikit/transfer';
import { createNodeTransport } from '@ocikit/transport/node';

const MiB = 1024 * 1024;
const size = Number(process.env.MiB ?? 64) * MiB;
const rate = Number(process.env.RATE ?? 16) * MiB;
const parts = Number(process.env.PARTS ?? 4);
const partSize = Number(process.env.PART_MiB ?? 8) * MiB;
const rounds = Number(process.env.ROUNDS ?? 3);

const work = await mkdtemp(join(tmpdir(), 'ocikit-ranged-bench-'));
const registry = await startRegistry({ dir: join(work, 'registry') });
const proxy = await startFaultProxy({ target: registry.url });
try {
  const local = new MemoryStore();
  const config = await pushBytes(
    local,
    new TextEncoder().encode('{"architecture":"amd64","os":"linux"}'),
    MediaType.OciImageConfig,
  );
  const layer = await pushBytes(local, new Uint8Array(randomBytes(size)), MediaType.OciLayerGzip);
  const image = createImageManifest({ config, layers: [layer] });
  await pushBytes(local, image.bytes, image.mediaType);
  const open = (host: string) =>
    new Repository(
      { registry: host, repository: 'bench/ranged' },
      { transport: createNodeTransport() },
    );
  await copy(
    { from: local, to: open(registry.host), reference: image.descriptor },
    { tags: ['v1'] },
  );

  const pull = async (host: string, ranged: boolean) => {
    const dir = await mkdtemp(join(work, 'layout-'));
    const to = await OciLayout.open(dir, { create: true });
    const started = performance.now();
    await copy(
      { from: open(host), to, reference: 'v1' },
      ranged ? { rangedDownload: { minSize: partSize, parts, partSize } } : {},
    );
    const seconds = (performance.now() - started) / 1000;
    await rm(dir, { recursive: true, force: true });
    return seconds;
  };

  const faults = faultClient(proxy.controlUrl);
  await faults.add({
    method: 'GET',
    path: '/blobs/',
    times: 'always',
    fault: { type: 'throttle', bytesPerSecond: rate },
  });
  for (const [label, host] of [
    [`per-connection limit ${rate / MiB} MiB/s`, proxy.host],
    ['no limit (loopback)', registry.host],
  ] as const) {
    const ratios: number[] = [];
    for (let round = 0; round < rounds; round += 1) {
      // Alternate which goes first, so drift in the machine's load falls on both.
      const [one, many] =
        round % 2 === 0
          ? [await pull(host, false), await pull(host, true)]
          : (([b, a]) => [a, b])([await pull(host, true), await pull(host, false)]);
      ratios.push(one / many);
      console.log(
        `${label}: one stream ${one.toFixed(2)} s (${(size / MiB / one).toFixed(0)} MiB/s), ${parts}×${partSize / MiB} MiB ranges ${many.toFixed(2)} s (${(size / MiB / many).toFixed(0)} MiB/s), speed-up ${(one / many).toFixed(2)}×`,
      );
    }
    ratios.sort((a, b) => a - b);
    console.log(
      `${label}: median speed-up ${ratios[Math.floor(ratios.length / 2)]?.toFixed(2)}× (${size / MiB} MiB layer)`,
    );
  }
} finally {
  await proxy.stop();
  await registry.stop();
  await rm(work, { recursive: true, force: true });
}
