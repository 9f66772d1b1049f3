import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The external programs the test bed runs, and the Debian package of each. */
export const DEBIAN_PACKAGES = {
  'docker-registry': 'docker-registry',
  skopeo: 'skopeo',
  umoci: 'umoci',
  htpasswd: 'apache2-utils',
  containerd: 'containerd',
  ctr: 'containerd',
  tmux: 'tmux',
  openssl: 'openssl',
  zsh: 'zsh',
  fish: 'fish',
} as const;

/** A program the test bed runs. */
export type Binary = keyof typeof DEBIAN_PACKAGES;

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * Finds a program on `PATH`.
 *
 * @param name - the program
 * @returns its absolute path
 * @throws {Error} naming the Debian package and how to install it when the
 *   program is missing: the tests never skip quietly
 */
export function requireBinary(name: Binary): string {
  const found = findOnPath(name);
  if (found) return found;
  const pkg = DEBIAN_PACKAGES[name];
  throw new Error(
    `The test bed needs "${name}" (Debian package ${pkg}), which is not on PATH. ` +
      `Install it with: bash tooling/scripts/setup-system.sh ` +
      `(or: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${pkg})`,
  );
}

/** Options of {@link runBinary}. */
export interface RunOptions {
  /** Extra environment variables (the rest is inherited). */
  env?: Record<string, string>;
  /** Kills the program. */
  signal?: AbortSignal;
  /**
   * Text to hide from the error message (passwords passed as arguments).
   * @default []
   */
  secrets?: readonly string[];
}

/** What a program printed. */
export interface RunResult {
  stdout: string;
  stderr: string;
}

function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join('***');
  return out;
}

/**
 * Runs a program to completion.
 *
 * @param name - the program, looked up with {@link requireBinary}
 * @param args - its arguments
 * @param options - {@link RunOptions}
 * @returns its output
 * @throws {Error} when it is missing, or exits non-zero (with its stderr, and
 *   the command line with `secrets` hidden)
 */
export function runBinary(
  name: Binary,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const file = requireBinary(name);
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      {
        env: { ...process.env, ...options.env },
        signal: options.signal,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (!error) {
          resolve({ stdout, stderr });
          return;
        }
        const secrets = options.secrets ?? [];
        const command = redact([name, ...args].join(' '), secrets);
        const detail = redact(stderr.trim() || stdout.trim() || error.message, secrets);
        // The cause is a redacted copy: execFile's own error carries the raw command line.
        const cause = Object.assign(new Error(redact(error.message, secrets)), {
          code: error.code,
          signal: error.signal,
          killed: error.killed,
        });
        reject(new Error(`Command failed: ${command}\n${detail}`, { cause }));
      },
    );
  });
}
