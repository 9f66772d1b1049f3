import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fetchBytes, MemoryStore } from '@ocikit/content';
import { OciLayout } from '@ocikit/layout/fs';
import { Repository } from '@ocikit/registry';
import { getTestbed, skopeoInspect, tempDirs, umoci, uniqueRepo } from '@ocikit/testbed';
import { createNodeTransport } from '@ocikit/transport/node';
import { describe, expect, it } from 'vitest';
import { copy } from './copy.ts';
import { image, load } from './graphs.testing.ts';
import type { CopyResult } from './options.ts';
import { runChild } from './run-child.testing.node.ts';

const tempDir = tempDirs('ocikit-transfer-resume-');
const MIB = 1024 * 1024;
const SCRIPT = join(import.meta.dirname, 'resume-child.testing.node.ts');

/** Sizes of the partial writes (`.ingest-*` files) in a layout. */
async function partialWrites(dir: string): Promise<number[]> {
  const folder = join(dir, 'blobs', 'sha256');
  const names = (await readdir(folder)).filter((name) => /^\.ingest-[0-9a-f]+$/.test(name));
  return Promise.all(names.map(async (name) => (await stat(join(folder, name))).size));
}

describe('resuming a copy across processes', () => {
  it('a registry → layout copy SIGKILLed midway is continued by a new process, fetching only the missing bytes, bit-exact for umoci and skopeo', async () => {
    const graph = image([8 * MIB, 8 * MIB, 8 * MIB]);
    const total = graph.blobs.reduce((sum, blob) => sum + blob.descriptor.size, 0);
    const { host } = getTestbed().anonymous;
    const repository = uniqueRepo('transfer/resume');
    const memory = new MemoryStore();
    await load(memory, graph);
    const registry = new Repository(
      { registry: host, repository },
      { transport: createNodeTransport() },
    );
    await copy({ from: memory, to: registry, reference: graph.root }, { tags: ['v1'] });
    const dir = await tempDir();
    const env = {
      OCIKIT_RESUME_REGISTRY: host,
      OCIKIT_RESUME_REPOSITORY: repository,
      OCIKIT_RESUME_LAYOUT: dir,
    };

    const killed = await runChild(SCRIPT, { ...env, OCIKIT_RESUME_HOLD_AT: String(12 * MIB) });
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.result).toBeUndefined();
    const kept = (await partialWrites(dir)).reduce((sum, size) => sum + size, 0);
    expect(kept).toBeGreaterThan(0);

    const rerun = await runChild(SCRIPT, env);
    const result = rerun.result as CopyResult;
    const skipped = total - result.bytesCopied - result.bytesResumed;
    console.log(
      `resume: image ${total} B; first run fetched ${killed.held} B before SIGKILL, kept ${kept} B in partial writes; rerun fetched ${result.bytesCopied} B, resumed ${result.bytesResumed} B, skipped ${skipped} B (${result.blobsSkipped} blobs)`,
    );
    expect(result.bytesResumed).toBe(kept);
    expect(result.bytesCopied).toBeLessThanOrEqual(total - kept);
    expect(result.bytesCopied).toBeLessThan(total);
    expect(await partialWrites(dir)).toEqual([]);

    const layout = await OciLayout.open(dir);
    for (const blob of graph.blobs) {
      // A fetch from the layout verifies the digest; compared byte for byte too.
      const bytes = await fetchBytes(layout, blob.descriptor, { maxBytes: Infinity });
      expect(Buffer.compare(bytes, blob.bytes)).toBe(0);
    }
    const stat_ = JSON.parse((await umoci(['stat', '--image', `${dir}:v1`, '--json'])).stdout);
    expect(stat_.history).toBeDefined();
    const inspected = await skopeoInspect(`oci:${dir}:v1`, { raw: true });
    expect(inspected).toEqual(JSON.parse(new TextDecoder().decode(graph.manifests[0]?.bytes)));
  }, 90_000);
});
