import { fetchBytes, MemoryStore } from '@ocikit/content';
import { OciLayout } from '@ocikit/layout/fs';
import { Repository } from '@ocikit/registry';
import { faultClient, getTestbed, tempDirs, umoci, uniqueRepo } from '@ocikit/testbed';
import type { TraceEvent } from '@ocikit/transport';
import { createNodeTransport } from '@ocikit/transport/node';
import { describe, expect, it } from 'vitest';
import { copy } from './copy.ts';
import { image, load, nth } from './graphs.testing.ts';

const tempDir = tempDirs('ocikit-transfer-ranged-int-');
const MIB = 1024 * 1024;

/** A 10 MiB one-layer image in a new repository behind the fault proxy, read with a transport that records the `Range` of each blob GET. */
async function seeded() {
  const graph = image([10 * MIB]);
  const layer = nth(graph.blobs, 1);
  const memory = new MemoryStore();
  await load(memory, graph);
  const { host } = getTestbed().faults;
  const name = uniqueRepo('transfer/ranged');
  await copy(
    {
      from: memory,
      to: new Repository(
        { registry: host, repository: name },
        { transport: createNodeTransport() },
      ),
      reference: graph.root,
    },
    { tags: ['v1'] },
  );
  const ranges: string[] = [];
  const transport = createNodeTransport({
    onTrace: (event: TraceEvent) => {
      if (event.type === 'request' && event.url.includes(`/blobs/${layer.descriptor.digest}`)) {
        ranges.push(event.headers.range ?? 'whole');
      }
    },
  });
  const from = new Repository({ registry: host, repository: name }, { transport });
  return { graph, layer, from, ranges, name };
}

describe('parallel ranged download from the real registry', () => {
  it('registry → layout with rangedDownload sends 4 Range requests of 3 MiB for a 10 MiB layer (the last one 1 MiB) and lands it bit-exact, read by umoci', async () => {
    const { graph, layer, from, ranges } = await seeded();
    const dir = await OciLayout.open(await tempDir(), { create: true });
    const result = await copy(
      { from, to: dir, reference: 'v1' },
      { rangedDownload: { minSize: 4 * MIB, parts: 3, partSize: 3 * MIB } },
    );
    expect(result.root).toEqual(graph.root);
    expect(ranges.sort()).toEqual(
      [
        `bytes=0-${3 * MIB - 1}`,
        `bytes=${3 * MIB}-${6 * MIB - 1}`,
        `bytes=${6 * MIB}-${9 * MIB - 1}`,
        `bytes=${9 * MIB}-`,
      ].sort(),
    );
    const stored = await fetchBytes(dir, layer.descriptor, { maxBytes: Infinity });
    expect(Buffer.compare(stored, layer.bytes)).toBe(0);
    const stat = JSON.parse((await umoci(['stat', '--image', `${dir.root}:v1`, '--json'])).stdout);
    expect(stat.history).toBeDefined();
  });

  it('continues a part whose response the proxy cuts from its last byte, with a Range that still ends at the part end', async () => {
    const { layer, from, ranges, name } = await seeded();
    const faults = faultClient(getTestbed().faults.controlUrl);
    const rule = await faults.add({
      method: 'GET',
      path: `^/v2/${name}/blobs/${layer.descriptor.digest}`,
      fault: { type: 'drop-body', afterBytes: 1_000_000 },
    });
    try {
      const dir = await OciLayout.open(await tempDir(), { create: true });
      await copy(
        { from, to: dir, reference: 'v1' },
        { rangedDownload: { minSize: 4 * MIB, parts: 1, partSize: 4 * MIB } },
      );
      expect(await rule.hits()).toBe(1);
      expect(ranges).toEqual([
        `bytes=0-${4 * MIB - 1}`,
        `bytes=1000000-${4 * MIB - 1}`,
        `bytes=${4 * MIB}-${8 * MIB - 1}`,
        `bytes=${8 * MIB}-`,
      ]);
      const stored = await fetchBytes(dir, layer.descriptor, { maxBytes: Infinity });
      expect(Buffer.compare(stored, layer.bytes)).toBe(0);
    } finally {
      await rule.remove();
    }
  });
});
