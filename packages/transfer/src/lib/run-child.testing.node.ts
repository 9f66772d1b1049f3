import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { CopyResult } from './options.ts';

const root = resolve(import.meta.dirname, '../../../..');

/**
 * Runs a copy child script (it prints JSON lines: `{"held": n}` when it
 * stopped mid-copy, else the copy's result); SIGKILLs it once it reports
 * holding, and returns what it reported and the signal it ended with.
 *
 * @param script - the child's file
 * @param env - its environment, added to this process's
 * @returns what it held at, its result, and the signal that ended it
 */
export async function runChild(
  script: string,
  env: Record<string, string>,
): Promise<{ held?: number; result?: CopyResult; signal: NodeJS.Signals | null }> {
  // Node itself with tsx's loader (not the tsx command, whose node child a
  // SIGKILL of the command would leave running).
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: root,
    env: { ...process.env, ...env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.base.json') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<NodeJS.Signals | null>((done) =>
    child.once('exit', (_code, signal) => done(signal)),
  );
  let held: number | undefined;
  let result: CopyResult | undefined;
  for await (const line of createInterface({ input: child.stdout })) {
    const message = JSON.parse(line) as { held?: number } & CopyResult;
    if (message.held !== undefined) {
      held = message.held;
      child.kill('SIGKILL');
    } else {
      result = message;
    }
  }
  return { held, result, signal: await exited };
}
