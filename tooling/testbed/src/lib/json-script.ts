import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../../../..');

/** Options of {@link runJsonScript}. */
export interface RunJsonScriptOptions {
  /** Variables added to the child's environment (`NODE_OPTIONS` among them, for heap limits). */
  env?: Record<string, string>;
  /**
   * How long the child may run, in ms.
   * @default 60000
   */
  timeoutMs?: number;
}

/**
 * Runs a TypeScript file of the workspace in a child Node process (tsx, with
 * the workspace's path aliases) and parses the JSON of the last line it
 * prints: how a test measures a process of its own, such as its memory.
 *
 * @param file - the script
 * @param options - {@link RunJsonScriptOptions}
 * @returns the parsed last line, and everything the script printed
 * @throws when the script fails, times out, or its last line is not JSON
 */
export async function runJsonScript<T>(
  file: string,
  options: RunJsonScriptOptions = {},
): Promise<{ result: T; output: string }> {
  const { stdout } = await run(
    join(root, 'node_modules/.bin/tsx'),
    ['--tsconfig', join(root, 'tsconfig.base.json'), file],
    { cwd: root, timeout: options.timeoutMs ?? 60_000, env: { ...process.env, ...options.env } },
  );
  const output = stdout.trim();
  return { result: JSON.parse(output.split('\n').pop() ?? '') as T, output };
}
