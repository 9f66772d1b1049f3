import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { runJsonScript } from '@ocikit/testbed';
import { afterEach, beforeEach, expect, it } from 'vitest';

const SIZE_MIB = 64;
/** The most the resident set may grow while the child decompresses `SIZE_MIB` MiB. */
const GROWTH_LIMIT_MIB = 24;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocikit-gunzip-memory-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes the gzip of `SIZE_MIB` MiB of `block` repeated (stored as it is when `level` is 0). */
async function gzipFile(name: string, block: Uint8Array, level: number): Promise<string> {
  const path = join(dir, name);
  const blocks = (function* () {
    for (let mib = 0; mib < SIZE_MIB; mib += 1) yield block;
  })();
  await pipeline(Readable.from(blocks), createGzip({ level }), createWriteStream(path));
  return path;
}

it(`decompresses ${SIZE_MIB} MiB of gzip for a slow reader with the resident set growing under ${GROWTH_LIMIT_MIB} MiB, random or zeros`, async () => {
  const cases: [label: string, file: string][] = [
    // Incompressible: the compressed file is as large as its content.
    ['random', await gzipFile('random.gz', randomBytes(1024 * 1024), 0)],
    // 64 KiB in becomes 64 MiB out.
    ['zeros', await gzipFile('zeros.gz', new Uint8Array(1024 * 1024), 1)],
  ];
  for (const [label, file] of cases) {
    const { result, output } = await runJsonScript<{ size: number; growthMiB: number }>(
      join(import.meta.dirname, 'gunzip-memory-child.testing.node.ts'),
      {
        timeoutMs: 30_000,
        // A 1 MiB young generation, so that the resident set shows what the
        // streams hold rather than garbage waiting for a scavenge.
        env: { NODE_OPTIONS: '--max-semi-space-size=1', OCIKIT_GUNZIP_FILE: file },
      },
    );
    console.log(`gunzip memory (${label}): ${output}`);
    expect(result.size, label).toBe(SIZE_MIB * 1024 * 1024);
    expect(result.growthMiB, label).toBeLessThan(GROWTH_LIMIT_MIB);
  }
}, 60_000);
