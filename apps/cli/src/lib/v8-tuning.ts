/**
 * V8 flags for a command that moves blob bytes in a short-lived process
 * (measured in packages/transfer's bench, a 1 GiB pull and a mount copy),
 * set when such a command builds its client:
 * - undici parses HTTP in WebAssembly, which V8 would also compile with its
 *   optimizing tier in the background: that compile held the exit of a
 *   short command and raised the peak memory of a small copy from about 68
 *   to 104 MiB; the baseline tier parses headers just as well.
 * - the young generation stays at its first size instead of doubling up to
 *   16 MiB per semi-space (V8 reads the factor each time it grows): every
 *   chunk's garbage is young, so a 1 GiB pull peaked at about 88 instead of
 *   120–137 MiB, with less CPU, not more.
 * Bun has no setFlagsFromString (it throws); the flags are only tuning.
 */
export async function tuneV8ForMovingBytes(): Promise<void> {
  const { setFlagsFromString } = await import('node:v8');
  for (const flag of ['--liftoff-only', '--semi-space-growth-factor=1']) {
    try {
      setFlagsFromString(flag);
    } catch {
      // not settable on this runtime: run with V8's defaults
    }
  }
}
