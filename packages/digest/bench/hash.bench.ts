// Hashing throughput of the package's stream API against raw node:crypto on
// the same bytes in the same run. Run: pnpm --filter @ocikit/digest bench
// (GiB=4 for a longer run). Uses the built package, as a consumer would.
import { createHash, randomBytes } from 'node:crypto';
import { createVerifyStream, digestStream } from '@ocikit/digest';

const MiB = 1024 * 1024;
const total = Number(process.env.GiB ?? 1) * 1024 * MiB;
const rounds = 3;

function source(chunk: Uint8Array, bytes: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      controller.enqueue(chunk);
      sent += chunk.byteLength;
    },
  });
}

async function drain(stream: ReadableStream<Uint8Array>): Promise<void> {
  const reader = stream.getReader();
  while (!(await reader.read()).done);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function time(run: () => unknown): Promise<number> {
  const start = performance.now();
  await run();
  return (performance.now() - start) / 1000;
}

for (const chunkSize of [MiB, 64 * 1024]) {
  const chunk = randomBytes(chunkSize);
  const expected = (() => {
    const hash = createHash('sha256');
    for (let sent = 0; sent < total; sent += chunkSize) hash.update(chunk);
    return `sha256:${hash.digest('hex')}`;
  })();
  const runs: Record<string, () => unknown> = {
    'node:crypto createHash': () => {
      const hash = createHash('sha256');
      for (let sent = 0; sent < total; sent += chunkSize) hash.update(chunk);
      return hash.digest('hex');
    },
    digestStream: async () => {
      const result = await digestStream(source(chunk, total));
      if (result.digest !== expected) throw new Error('digestStream gave a wrong digest');
    },
    createVerifyStream: () =>
      drain(
        source(chunk, total).pipeThrough(createVerifyStream({ digest: expected, size: total })),
      ),
  };
  const seconds: Record<string, number[]> = Object.fromEntries(
    Object.keys(runs).map((name) => [name, []]),
  );
  for (let round = 0; round < rounds; round += 1) {
    for (const [name, run] of Object.entries(runs)) {
      seconds[name]?.push(await time(run));
    }
  }
  const rawSpeed = total / MiB / median(seconds['node:crypto createHash'] ?? []);
  console.log(
    `\n${total / 1024 / MiB} GiB in ${chunkSize / 1024} KiB chunks, median of ${rounds}:`,
  );
  for (const [name, values] of Object.entries(seconds)) {
    const speed = total / MiB / median(values);
    console.log(
      `  ${name.padEnd(24)} ${speed.toFixed(0).padStart(6)} MiB/s   ratio ${(speed / rawSpeed).toFixed(3)}`,
    );
  }
}
