import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { getTestbed, makeImage, pushImage, requireBinary, uniqueRepo } from '@ocikit/testbed';
import { onTestFinished } from 'vitest';

const execFileAsync = promisify(execFile);

/** The built `ocikit` (the `bin` of the package): `turbo run build` makes it before the tests. */
export const OCIKIT_BIN = fileURLToPath(new URL('../../dist/ocikit.cjs', import.meta.url));

/** What one run of the built `ocikit` did. */
export interface OcikitRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stdoutBytes: Buffer;
  readonly stderr: string;
}

/** Options of {@link ocikit}. */
export interface OcikitRunOptions {
  /** Variables added to an environment of only `PATH` and `HOME` (an empty temp dir by default). */
  env?: Record<string, string>;
  /** Written to stdin, which is then closed. */
  input?: string;
  /**
   * The program to run instead of `node dist/ocikit.cjs`, such as the
   * standalone executable (the arguments follow it).
   */
  program?: readonly string[];
}

/** The command line that starts `ocikit`: the given program, or Node on the built bundle. */
function commandLine(program: readonly string[] | undefined): [string, string[]] {
  if (program !== undefined) {
    const [file, ...args] = program;
    return [file as string, args];
  }
  if (!existsSync(OCIKIT_BIN)) {
    throw new Error(`${OCIKIT_BIN} is missing: build it first with "pnpm --filter ocikit build"`);
  }
  return [process.execPath, [OCIKIT_BIN]];
}

/**
 * Runs the built `ocikit` as a user would: a child process of `node`, with
 * stdin, stdout and stderr as pipes (so stderr is not a terminal).
 *
 * @param args - the arguments
 * @param options - {@link OcikitRunOptions}
 * @returns its exit code and output
 */
export async function ocikit(
  args: readonly string[],
  options: OcikitRunOptions = {},
): Promise<OcikitRun> {
  const [file, leading] = commandLine(options.program);
  const env = { PATH: process.env.PATH ?? '', HOME: await tempDir(), ...options.env };
  const child = spawn(file, [...leading, ...args], { env });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  child.stdin.end(options.input ?? '');
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const stdoutBytes = Buffer.concat(stdout);
  return {
    code,
    stdout: stdoutBytes.toString('utf8'),
    stdoutBytes,
    stderr: Buffer.concat(stderr).toString('utf8'),
  };
}

/** The built `ocikit` running as a child process. */
export interface RunningOcikit {
  /** Its stderr so far. */
  stderr(): string;
  /**
   * Waits until its stderr matches a pattern (fails if it exits first).
   *
   * @param pattern - what to wait for
   * @returns the match
   */
  stderrMatches(pattern: RegExp): Promise<RegExpExecArray>;
  /**
   * Sends a signal and waits for the process to exit.
   *
   * @param signal - the signal
   * @returns its exit code and how long it took to exit, in ms
   */
  stop(signal: NodeJS.Signals): Promise<{ code: number | null; ms: number }>;
}

/**
 * Starts the built `ocikit` and leaves it running (stdout ignored, stderr
 * recorded); it is killed when the test ends if it still runs.
 *
 * @param args - the arguments
 * @param options - `env` and `program` as {@link OcikitRunOptions}
 * @returns the running process
 */
export async function ocikitRunning(
  args: readonly string[],
  options: Pick<OcikitRunOptions, 'env' | 'program'> = {},
): Promise<RunningOcikit> {
  const [file, leading] = commandLine(options.program);
  const child = spawn(file, [...leading, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: await tempDir(), ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  return {
    stderr: () => stderr,
    stderrMatches: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(stderr);
          if (!match) return;
          child.stderr.off('data', check);
          resolve(match);
        };
        child.stderr.on('data', check);
        check();
        void exited.then((code) =>
          reject(
            new Error(`ocikit exited ${code} before its stderr matched ${pattern}: ${stderr}`),
          ),
        );
      }),
    async stop(signal) {
      const started = performance.now();
      child.kill(signal);
      const code = await exited;
      return { code, ms: performance.now() - started };
    },
  };
}

/**
 * Starts the built `ocikit serve` with its arguments (add `--port 0`) and
 * waits for the address on its stderr.
 *
 * @param args - the arguments after `serve`
 * @returns the running server and its `host:port`
 */
export async function ocikitServe(
  args: readonly string[],
): Promise<RunningOcikit & { host: string }> {
  const running = await ocikitRunning(['serve', ...args]);
  const [, host] = await running.stderrMatches(/ at https?:\/\/([^/\s]+)\//);
  return { ...running, host: host as string };
}

/**
 * A temp dir removed when the test ends.
 *
 * @returns its path
 */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ocikit-cli-test-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** What the built `ocikit` showed in a real terminal. */
export interface TerminalRun {
  /** The exit code. */
  readonly code: number;
  /** The terminal's screen after the run, with its colours as ANSI escapes. */
  readonly screen: string;
}

let sessions = 0;

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * Runs the built `ocikit` in a real terminal (a tmux pane of 160×50, with
 * `CI` unset) and captures the screen when it has exited.
 *
 * @param args - the arguments
 * @param env - variables to set for it
 * @param answers - `[prompt, text]` pairs: once the screen shows the prompt, the text is typed and Enter pressed
 * @returns the exit code and the screen
 */
export async function ocikitInTerminal(
  args: readonly string[],
  env: Record<string, string> = {},
  answers: readonly (readonly [string, string])[] = [],
): Promise<TerminalRun> {
  const tmux = requireBinary('tmux');
  const dir = await tempDir();
  const socket = `ocikit-cli-${process.pid}-${sessions++}`;
  const codeFile = join(dir, 'exit-code');
  const variables = Object.entries({ HOME: dir, ...env }).map(
    ([name, value]) => `${name}=${value}`,
  );
  const command = [
    ['env', '-u', 'CI', '-u', 'NO_COLOR', ...variables, process.execPath, OCIKIT_BIN, ...args]
      .map(shellQuote)
      .join(' '),
    `echo $? > ${shellQuote(codeFile)}`,
    `${shellQuote(tmux)} -L ${socket} wait-for -S done`,
    'sleep 600',
  ].join('; ');
  const run = (tmuxArgs: string[]) => execFileAsync(tmux, ['-L', socket, ...tmuxArgs]);
  await run(['-f', '/dev/null', 'new-session', '-d', '-x', '160', '-y', '50', command]);
  onTestFinished(() => run(['kill-server']).then(() => undefined));
  for (const [prompt, text] of answers) {
    await screenShows(() => run(['capture-pane', '-p']).then(({ stdout }) => stdout), prompt);
    await run(['send-keys', '-l', text]);
    await run(['send-keys', 'Enter']);
  }
  await run(['wait-for', 'done']);
  const { stdout } = await run(['capture-pane', '-p', '-e', '-J']);
  return { code: Number((await readFile(codeFile, 'utf8')).trim()), screen: stdout };
}

/** Waits until the screen shows a text (the program runs on its own: there is no event to wait for). */
async function screenShows(capture: () => Promise<string>, text: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await capture()).includes(text)) {
    if (Date.now() > deadline) throw new Error(`The terminal never showed "${text}"`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Builds the standalone executable (`scripts/build-standalone.mjs`, from the
 * built bundle) into a directory.
 *
 * @param dir - where to write it
 * @returns its path
 */
export async function buildStandalone(dir: string): Promise<string> {
  const outfile = join(dir, 'ocikit');
  const script = fileURLToPath(new URL('../../scripts/build-standalone.mjs', import.meta.url));
  const workspaceBin = fileURLToPath(new URL('../../../../node_modules/.bin', import.meta.url));
  await execFileAsync(process.execPath, [script, '--outfile', outfile], {
    env: { ...process.env, PATH: `${workspaceBin}:${process.env.PATH ?? ''}` },
  });
  return outfile;
}

/** An image on the test bed's https registry, and what `ocikit` needs to reach it. */
export interface HttpsImage {
  /** `127.0.0.1:PORT/REPO:v1` on the https front (a private CA, basic auth). */
  readonly ref: string;
  /** The image's manifest digest. */
  readonly digest: string;
  /** The PEM file of the private CA (`--ca-file`). */
  readonly caFile: string;
  /** `DOCKER_CONFIG`: a config.json with the registry's credential. */
  readonly env: Record<string, string>;
}

/**
 * Pushes a new image to the test bed's https registry (the redirect front,
 * with a private CA and basic auth) and writes a Docker config.json with
 * its credential.
 *
 * @param seed - picks the image
 * @returns the image's reference, digest, CA file and environment
 */
export async function httpsImage(seed: string): Promise<HttpsImage> {
  const { redirect } = getTestbed();
  const image = await makeImage({ seed });
  const repo = uniqueRepo(`cli/${seed}`);
  await pushImage({ url: redirect.url, credentials: redirect.credentials }, repo, image, {
    tag: 'v1',
  });
  const config = await tempDir();
  const { username, password } = redirect.credentials;
  const auth = Buffer.from(`${username}:${password}`).toString('base64');
  await writeFile(
    join(config, 'config.json'),
    JSON.stringify({ auths: { [redirect.httpsHost]: { auth } } }),
  );
  return {
    ref: `${redirect.httpsHost}/${repo}:v1`,
    digest: image.manifest.digest,
    caFile: redirect.caFile,
    env: { DOCKER_CONFIG: config },
  };
}
