import { setFlagsFromString } from 'node:v8';
import { main } from './lib/main.ts';

// V8 flags for a command that moves bytes in a short-lived process
// (measured in packages/transfer's bench, a 1 GiB pull and a mount copy):
// - undici parses HTTP in WebAssembly, which V8 would also compile with its
//   optimizing tier in the background: that compile held the exit of a short
//   command and raised the peak memory of a small copy from about 104 to 68
//   MiB; the baseline tier parses headers just as well (bodies are skipped).
// - the young generation stays at its first size instead of doubling up to
//   16 MiB per semi-space: every chunk's garbage is young, so a 1 GiB pull
//   peaked at about 88 instead of 120–137 MiB, with less CPU, not more.
//   Not for `serve`, a long-running server with other garbage (unmeasured).
// Bun has no setFlagsFromString (it throws); the flags are only tuning.
const args = process.argv.slice(2);
const flags = args.includes('serve')
  ? ['--liftoff-only']
  : ['--liftoff-only', '--semi-space-growth-factor=1'];
for (const flag of flags) {
  try {
    setFlagsFromString(flag);
  } catch {
    // not settable on this runtime: run with V8's defaults
  }
}

process.exitCode = await main(args);
