import { type RunOptions, type RunResult, runBinary } from './binaries.ts';

/**
 * Runs `umoci` (for checking layouts: `stat`, `unpack`, `ls`, …).
 *
 * @param args - its arguments, such as `['stat', '--image', 'DIR:TAG', '--json']`
 * @param options - environment and signal
 * @returns its output
 * @throws {Error} with its stderr when it fails, or naming the Debian package when missing
 */
export function umoci(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return runBinary('umoci', args, options);
}
