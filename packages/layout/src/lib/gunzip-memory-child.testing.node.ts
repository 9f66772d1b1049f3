// Run as a child process by gunzip-memory.int.test.ts: decompresses the gzip
// file OCIKIT_GUNZIP_FILE with decompressArchive, read as a slow consumer
// reads it (a 1 ms pause every 64 KiB), and prints what it measured as one
// JSON line: the bytes out, and how far the resident set grew meanwhile.
import { readFileStream } from '@ocikit/content/fs';
import { decompressArchive } from './compression.ts';

const PAUSE_EVERY = 64 * 1024;

const file = process.env.OCIKIT_GUNZIP_FILE ?? '';
let highest = 0;
const sampler = setInterval(() => {
  highest = Math.max(highest, process.memoryUsage.rss());
}, 5);
const start = process.memoryUsage.rss();
const started = performance.now();
const reader = (await decompressArchive(await readFileStream(file))).getReader();
let size = 0;
let sincePause = 0;
for (;;) {
  const { done, value } = await reader.read();
  if (done) break;
  size += value.byteLength;
  sincePause += value.byteLength;
  if (sincePause >= PAUSE_EVERY) {
    sincePause = 0;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
clearInterval(sampler);
const mib = (bytes: number) => Math.round(bytes / 1024 / 1024);
console.log(
  JSON.stringify({
    size,
    startRssMiB: mib(start),
    peakRssMiB: mib(Math.max(highest, process.memoryUsage.rss())),
    growthMiB: mib(Math.max(highest, process.memoryUsage.rss()) - start),
    seconds: Number(((performance.now() - started) / 1000).toFixed(2)),
  }),
);
