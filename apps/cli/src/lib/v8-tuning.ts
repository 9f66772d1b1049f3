/**
 * The top-level commands with subcommands that move blob bytes (`copy`,
 * `blob get|put`, `artifact push|pull`, `sync`): the bin sets
 * {@link tuneV8ForMovingBytes}'s flags for them before it compiles the
 * bundle, because V8 rejects a code cache made under other flags than its
 * own (a cache written at the exit of a tuned run was rejected, and
 * written again, at every start).
 */
export const BYTE_MOVING_COMMANDS: readonly string[] = ['copy', 'cp', 'blob', 'artifact', 'sync'];

/**
 * Sets V8 flags for a command that moves blob bytes in a short-lived process
 * (measured in packages/transfer's bench, a 1 GiB pull and a mount copy):
 * - undici parses HTTP in WebAssembly, which V8 would also compile with its
 *   optimizing tier in the background: that compile held the exit of a
 *   short command and raised the peak memory of a small copy from about 68
 *   to 104 MiB; the baseline tier parses headers just as well.
 * - the young generation stays at its first size instead of doubling up to
 *   16 MiB per semi-space (V8 reads the factor each time it grows): every
 *   chunk's garbage is young, so a 1 GiB pull peaked at about 88 instead of
 *   120–137 MiB, with less CPU, not more.
 * Setting them again changes nothing. `node:v8` is loaded only here (it
 * takes about 1 ms, which every start would pay); Bun has no
 * setFlagsFromString (it throws): the flags are only tuning.
 */
export function tuneV8ForMovingBytes(): void {
  const v8 = process.getBuiltinModule?.('node:v8') as typeof import('node:v8') | undefined;
  for (const flag of ['--liftoff-only', '--semi-space-growth-factor=1']) {
    try {
      v8?.setFlagsFromString(flag);
    } catch {
      // not settable on this runtime: run with V8's defaults
    }
  }
}
