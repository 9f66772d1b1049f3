import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

/** A long-running program whose output goes to a log file. */
export interface ChildHandle {
  /** Its process id. */
  readonly pid: number;
  /** Settles when it exits, with its exit code (or the signal that ended it). */
  readonly exited: Promise<number | NodeJS.Signals>;
  /** Whether it is still running. */
  running(): boolean;
  /** The last lines of its log. */
  logTail(lines?: number): string;
  /** Stops it by its pid: SIGTERM, then SIGKILL after a grace period. */
  stop(): Promise<void>;
}

/** Options of {@link spawnLogged}. */
export interface SpawnLoggedOptions {
  /** The file that receives stdout and stderr (created or truncated). */
  logFile: string;
  /** The complete environment of the program. */
  env: NodeJS.ProcessEnv;
  /** The working directory. */
  cwd?: string;
  /**
   * How long `stop()` waits after SIGTERM before SIGKILL, in ms.
   * @default 2000
   */
  graceMs?: number;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Kills, synchronously, every child still running when this process exits. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/**
 * Starts a program with its output in a log file. Children still running when
 * this process exits are killed, so a crash of the test runner leaks nothing
 * (a SIGKILL of the runner itself cannot be caught).
 *
 * @param file - the program's path
 * @param args - its arguments
 * @param options - {@link SpawnLoggedOptions}
 * @returns a handle to watch and stop it
 * @throws {Error} when the program cannot be started
 */
export function spawnLogged(
  file: string,
  args: readonly string[],
  options: SpawnLoggedOptions,
): ChildHandle {
  installExitHook();
  const fd = openSync(options.logFile, 'w');
  let child: ChildProcess;
  try {
    child = spawn(file, args, { stdio: ['ignore', fd, fd], env: options.env, cwd: options.cwd });
  } finally {
    closeSync(fd);
  }
  const { pid } = child;
  if (pid === undefined) throw new Error(`Cannot start ${file}`);
  live.add(child);
  let running = true;
  const exited = new Promise<number | NodeJS.Signals>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false;
      live.delete(child);
      resolve(code ?? signal ?? 'SIGKILL');
    });
  });
  const graceMs = options.graceMs ?? 2000;
  return {
    pid,
    exited,
    running: () => running,
    logTail(lines = 20) {
      let text: string;
      try {
        text = readFileSync(options.logFile, 'utf8');
      } catch {
        return '';
      }
      return text.trimEnd().split('\n').slice(-lines).join('\n');
    },
    async stop() {
      if (!running) return;
      process.kill(pid, 'SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), graceMs);
      });
      const result = await Promise.race([exited, timeout]);
      clearTimeout(timer);
      if (result === 'timeout' && running) {
        process.kill(pid, 'SIGKILL');
        await exited;
      }
    },
  };
}
