// Run as a child process by memory.int.test.ts, with a small heap: pushes a
// blob generated on the fly through the registry and reads it back verified,
// then prints what it measured as one JSON line. Settings come from the
// environment: OCIKIT_MEMORY_SIZE (bytes), OCIKIT_MEMORY_REGISTRY (host),
// OCIKIT_MEMORY_REPOSITORY (name), OCIKIT_MEMORY_STREAMED (1: one streamed PUT).
import { getHeapStatistics } from 'node:v8';
import { digestStream } from '@ocikit/digest';
import { createNodeTransport } from '@ocikit/transport/node';
import { Repository } from './repository.ts';

const CHUNK = 1024 * 1024;

/** `size` deterministic bytes in 1 MiB chunks, generated as they are read. */
function generated(size: number): ReadableStream<Uint8Array> {
  const base = new Uint8Array(CHUNK);
  for (let i = 0; i < CHUNK; i += 1) base[i] = (i * 2654435761) >>> 24;
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= size) {
        controller.close();
        return;
      }
      const length = Math.min(CHUNK, size - offset);
      const chunk = base.slice(0, length);
      new DataView(chunk.buffer).setFloat64(0, offset);
      offset += length;
      controller.enqueue(chunk);
    },
  });
}

const size = Number(process.env.OCIKIT_MEMORY_SIZE);
const registry = process.env.OCIKIT_MEMORY_REGISTRY ?? '';
const name = process.env.OCIKIT_MEMORY_REPOSITORY ?? '';
/** The highest resident set size seen since the last call, in MiB, sampled every 10 ms. */
let highest = 0;
const sampler = setInterval(() => {
  highest = Math.max(highest, process.memoryUsage.rss());
}, 10);
const peak = () => {
  const value = Math.round(Math.max(highest, process.memoryUsage.rss()) / 1024 / 1024);
  highest = 0;
  return value;
};
const { digest } = await digestStream(generated(size));
const hashed = performance.now();
const descriptor = { mediaType: 'application/octet-stream', digest, size };
const repo = new Repository({ registry, repository: name }, { transport: createNodeTransport() });
peak();
await repo.pushBlob(descriptor, generated(size), {
  streamed: process.env.OCIKIT_MEMORY_STREAMED === '1',
});
const pushed = performance.now();
const pushRssMiB = peak();
const read = await digestStream(await repo.fetch(descriptor));
const done = performance.now();
const pullRssMiB = peak();
clearInterval(sampler);
console.log(
  JSON.stringify({
    verified: read.digest === digest && read.size === size,
    size,
    heapLimitMiB: Math.round(getHeapStatistics().heap_size_limit / 1024 / 1024),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    pushRssMiB,
    pullRssMiB,
    pushSeconds: Number(((pushed - hashed) / 1000).toFixed(2)),
    pullSeconds: Number(((done - pushed) / 1000).toFixed(2)),
  }),
);
