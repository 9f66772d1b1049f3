import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** What one test credential helper holds and how it misbehaves. */
export interface HelperState {
  /** Server URL → what `get` prints (`Username`, `Secret`). */
  credentials?: Record<string, { Username: string; Secret: string }>;
  /** Server URL → what `get` prints before exiting 1. */
  getErrors?: Record<string, string>;
  /** Print this and exit 1 on every action (a `desktop` store with Docker Desktop stopped). */
  fail?: string;
  /** Print stdin back and exit 1 (to check that secrets are redacted). */
  echo?: boolean;
  /** Print something that is not JSON and exit 0. */
  garbage?: boolean;
  /** Print this many bytes and exit 0. */
  huge?: number;
  /** Never exit. */
  hang?: boolean;
}

/** A temp dir with a home, config dirs and real `docker-credential-*` programs on `PATH`. */
export interface HelperBed {
  /** The temp dir; everything the test writes goes below it. */
  readonly dir: string;
  /** The home directory to pass as `homeDir`. */
  readonly home: string;
  /** An environment with the helpers first on `PATH` and no config variables. */
  readonly env: Record<string, string>;
  /** Installs `docker-credential-<name>`, with its own state or (without one) the shared state. */
  install(name: string, state?: HelperState): Promise<void>;
  /** Sets the state of every helper that has none of its own (docker/cli's `"*"` mock). */
  share(state: HelperState): Promise<void>;
  /** The current states (helpers write back on `store` and `erase`). */
  states(): Promise<Record<string, HelperState>>;
  /** The calls made so far: helper name and action. */
  calls(): Promise<{ name: string; action: string }[]>;
  /** Removes the temp dir. */
  cleanup(): Promise<void>;
}

/**
 * The helper program: a Node script speaking the docker-credential-helpers
 * protocol from a JSON state file beside it, logging each call.
 */
const SCRIPT = `
const fs = require('node:fs');
const path = require('node:path');
const dir = __dirname;
const name = path.basename(__filename).slice('docker-credential-'.length);
const action = process.argv[2];
const statePath = path.join(dir, 'state.json');
const chunks = [];
process.stdin.on('data', (chunk) => chunks.push(chunk));
process.stdin.on('end', () => {
  const input = Buffer.concat(chunks).toString('utf8');
  const states = JSON.parse(fs.readFileSync(statePath, 'utf8'));
  const state = states[name] || states['*'] || (states[name] = {});
  state.credentials = state.credentials || {};
  fs.appendFileSync(path.join(dir, 'calls.log'), JSON.stringify({ name, action }) + '\\n');
  const out = (text, code) => { process.stdout.write(text); process.exitCode = code; };
  const save = () => fs.writeFileSync(statePath, JSON.stringify(states));
  if (state.hang) { setInterval(() => {}, 1000); return; }
  if (state.fail) return out(state.fail + '\\n', 1);
  if (state.echo) return out(input, 1);
  if (state.garbage) return out('this is not json', 0);
  if (state.huge) return out('x'.repeat(state.huge), 0);
  const server = input.trim();
  switch (action) {
    case 'get': {
      if (state.getErrors && state.getErrors[server]) return out(state.getErrors[server] + '\\n', 1);
      const found = state.credentials[server];
      if (!found) return out('credentials not found in native keychain\\n', 1);
      return out(JSON.stringify({ ServerURL: server, Username: found.Username, Secret: found.Secret }) + '\\n', 0);
    }
    case 'store': {
      const given = JSON.parse(input);
      state.credentials[given.ServerURL] = { Username: given.Username, Secret: given.Secret };
      save();
      return out('', 0);
    }
    case 'erase': {
      if (!state.credentials[server]) return out('credentials not found in native keychain\\n', 1);
      delete state.credentials[server];
      save();
      return out('', 0);
    }
    case 'list': {
      const listed = {};
      for (const [url, found] of Object.entries(state.credentials)) listed[url] = found.Username;
      return out(JSON.stringify(listed), 0);
    }
    default:
      return out('unknown action', 1);
  }
});
`;

/**
 * Makes a temp dir with `bin/` (the helpers), `home/`, and an environment
 * whose `PATH` starts with `bin/`. Nothing outside the temp dir is touched.
 *
 * @returns the bed
 */
export async function createHelperBed(): Promise<HelperBed> {
  const dir = await mkdtemp(join(tmpdir(), 'ocikit-auth-'));
  const bin = join(dir, 'bin');
  const home = join(dir, 'home');
  const statePath = join(bin, 'state.json');
  await Promise.all([mkdir(bin), mkdir(home)]);
  await writeFile(statePath, '{}');
  const readStates = async () =>
    JSON.parse(await readFile(statePath, 'utf8')) as Record<string, HelperState>;
  const writeState = async (name: string, state: HelperState) => {
    const states = await readStates();
    states[name] = state;
    await writeFile(statePath, JSON.stringify(states));
  };
  return {
    dir,
    home,
    env: { PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`, HOME: home },
    async install(name, state) {
      const program = join(bin, `docker-credential-${name}`);
      await writeFile(program, `#!${process.execPath}\n${SCRIPT}`);
      await chmod(program, 0o755);
      if (state !== undefined) await writeState(name, state);
    },
    share: (state) => writeState('*', state),
    states: readStates,
    async calls() {
      const log = await readFile(join(bin, 'calls.log'), 'utf8').catch(() => '');
      return log
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as { name: string; action: string });
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
