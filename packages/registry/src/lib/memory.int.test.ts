import { join } from 'node:path';
import { getTestbed, runJsonScript, uniqueRepo } from '@ocikit/testbed';
import { expect, it } from 'vitest';

const HEAP_MIB = 64;
const BLOB_MIB = 512;

for (const [upload, streamed] of [
  ['in chunks', '0'],
  ['as one streamed PUT', '1'],
] as const) {
  it(`streams a ${BLOB_MIB} MiB blob up (${upload}) and down with a ${HEAP_MIB} MiB heap, memory flat`, async () => {
    const { result, output } = await runJsonScript<{
      verified: boolean;
      size: number;
      peakRssMiB: number;
    }>(join(import.meta.dirname, 'memory-child.testing.node.ts'), {
      timeoutMs: 55_000,
      env: {
        NODE_OPTIONS: `--max-old-space-size=${HEAP_MIB}`,
        OCIKIT_MEMORY_SIZE: String(BLOB_MIB * 1024 * 1024),
        OCIKIT_MEMORY_REGISTRY: getTestbed().anonymous.host,
        OCIKIT_MEMORY_REPOSITORY: uniqueRepo('registry/memory'),
        OCIKIT_MEMORY_STREAMED: streamed,
      },
    });
    console.log(`memory (${upload}): ${output}`);
    expect(result.verified).toBe(true);
    expect(result.size).toBe(BLOB_MIB * 1024 * 1024);
    expect(result.peakRssMiB).toBeLessThan(BLOB_MIB / 2);
  }, 60_000);
}
