import { setFlagsFromString } from 'node:v8';
import { main } from './lib/main.ts';

// undici parses HTTP in WebAssembly, which V8 would also compile with its
// optimizing tier in the background: that compile held the exit of a short
// command about 40 ms and raised the peak memory of a small copy from about
// 74 to 109 MiB (packages/transfer's bench). The baseline tier parses a
// registry's headers just as well, and bodies are bytes it only skips.
setFlagsFromString('--liftoff-only');

process.exitCode = await main(process.argv.slice(2));
