import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RunOptions, type RunResult, requireBinary, runBinary } from './binaries.ts';
import { spawnLogged } from './child.ts';

/** Options of {@link startContainerd}. */
export interface StartContainerdOptions {
  /** An empty directory for the config, the log, `root`, `state` and the socket. */
  dir: string;
  /**
   * How long to wait for the socket, in ms.
   * @default 15000
   */
  readyTimeoutMs?: number;
}

/** A running containerd daemon of its own. */
export interface RunningContainerd {
  /** Its gRPC socket, for `ctr --address`. */
  readonly socket: string;
  /** Its log. */
  readonly logFile: string;
  /** Its process id. */
  readonly pid: number;
  /** Stops it by its pid. */
  stop(): Promise<void>;
}

const POLL_MS = 10;

/**
 * The daemon's config: every path in `dir`, the CRI plugin off (it would look
 * for CNI and a sandbox image), and `opt` (which would write to
 * `/opt/containerd`) moved into `dir`. containerd 1.6 ignores a `disable`
 * key in the CRI plugin's section; `disabled_plugins` is what turns it off.
 */
function containerdConfig(dir: string, socket: string): string {
  const quote = (value: string) => JSON.stringify(value);
  return [
    'version = 2',
    `root = ${quote(join(dir, 'root'))}`,
    `state = ${quote(join(dir, 'state'))}`,
    'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
    '[grpc]',
    `  address = ${quote(socket)}`,
    '[plugins."io.containerd.internal.v1.opt"]',
    `  path = ${quote(join(dir, 'opt'))}`,
    '',
  ].join('\n');
}

/**
 * Starts a private containerd (Debian package `containerd`) with its root,
 * state, `opt` directory and socket in `dir` and the CRI plugin disabled, and
 * waits until it answers on its socket (about 40 ms). It must run as root.
 *
 * @param options - {@link StartContainerdOptions}
 * @returns the running daemon
 * @throws {Error} when `containerd` or `ctr` is missing (naming the Debian
 *   package), or the daemon does not become ready (with the tail of its log)
 */
export async function startContainerd(options: StartContainerdOptions): Promise<RunningContainerd> {
  const binary = requireBinary('containerd');
  requireBinary('ctr');
  mkdirSync(options.dir, { recursive: true });
  const socket = join(options.dir, 'containerd.sock');
  const configFile = join(options.dir, 'config.toml');
  const logFile = join(options.dir, 'containerd.log');
  writeFileSync(configFile, containerdConfig(options.dir, socket));
  const child = spawnLogged(binary, ['--config', configFile], { logFile, env: process.env });
  const timeoutMs = options.readyTimeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  let problem = `no socket within ${timeoutMs} ms`;
  while (Date.now() < deadline) {
    if (!child.running()) {
      problem = `exited early (${await child.exited})`;
      break;
    }
    if (existsSync(socket)) {
      try {
        await runBinary('ctr', ['--address', socket, 'version']);
        return { socket, logFile, pid: child.pid, stop: () => child.stop() };
      } catch {
        // the socket exists before the server answers on it
      }
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  await child.stop();
  throw new Error(
    `containerd in ${options.dir} failed to start: ${problem}\n` +
      `Last lines of ${logFile}:\n${child.logTail()}`,
  );
}

/** Options of {@link ctr}: a program's, and the containerd namespace. */
export interface CtrOptions extends RunOptions {
  /**
   * The containerd namespace (`ctr --namespace`): one per test keeps the
   * images of tests that share the daemon apart.
   * @default 'default'
   */
  namespace?: string;
}

/**
 * Runs `ctr` against the test bed's containerd, such as
 * `ctr(socket, ['images', 'import', '--no-unpack', 'image.tar'])`.
 *
 * @param socket - the daemon's socket (`testbed.containerd.socket`)
 * @param args - the arguments after `--address` and `--namespace`
 * @param options - {@link CtrOptions}
 * @returns its output
 * @throws {Error} with its stderr when it fails, or naming the Debian package when missing
 */
export function ctr(
  socket: string,
  args: readonly string[],
  options: CtrOptions = {},
): Promise<RunResult> {
  const { namespace = 'default', ...run } = options;
  return runBinary('ctr', ['--address', socket, '--namespace', namespace, ...args], run);
}
