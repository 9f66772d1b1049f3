// The CLI smoke: packs the `ocikit` command (pnpm pack; build first), checks
// that the tarball stands alone (no dependencies; every import resolves
// inside it or to Node's built-ins: @ocikit/* and undici are in the bundle),
// then runs it from that tarball the ways a user does — npx, pnpm dlx, bunx
// (on Node, and with --bun on Bun) and deno run npm:ocikit (on Deno, from a
// project it is installed in, as it is not on npm yet) — and with each prints
// the runtime, copies an OCI layout made by umoci to a real distribution
// registry, lists its tags, and copies it back.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, umoci } from '@ocikit/testbed';
import { build } from 'esbuild';
import { tarballProblems } from './tarballs.ts';
import { repoRoot } from './workspace.ts';

const scratch = mkdtempSync(join(tmpdir(), 'ocikit-cli-smoke-'));
const bin = (name: string) => join(repoRoot, 'node_modules/.bin', name);

let started = performance.now();
function step(what: string): void {
  const now = performance.now();
  console.log(`ok    ${what} (${((now - started) / 1000).toFixed(1)} s)`);
  started = now;
}

/**
 * The runners' caches and temp files (npx, pnpm dlx and bunx install the
 * tarball there) go into the scratch dir, removed at the end.
 */
const env = {
  ...process.env,
  npm_config_cache: join(scratch, 'cache/npm'),
  npm_config_cache_dir: join(scratch, 'cache/pnpm'),
  npm_config_store_dir: join(scratch, 'cache/pnpm-store'),
  BUN_INSTALL_CACHE_DIR: join(scratch, 'cache/bun'),
  DENO_DIR: join(scratch, 'cache/deno'),
  TMPDIR: join(scratch, 'tmp'),
};
mkdirSync(env.TMPDIR);

/** Runs a command in a directory and returns its stdout; its stderr is shown only when it fails. */
function run(cwd: string, command: string, args: string[]): string {
  try {
    return execFileSync(command, args, {
      cwd,
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(
      `${command} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}${stderr ?? ''}`,
    );
  }
}

/**
 * What keeps the packed CLI from standing alone: a dependency to install, or
 * an import that resolves to nothing once the package sits outside the
 * workspace (esbuild follows every static and dynamic import of the entry;
 * only Node's built-in modules may stay outside).
 */
async function selfContainedProblems(tarball: string): Promise<string[]> {
  const dir = join(scratch, 'unpacked');
  mkdirSync(dir);
  execFileSync('tar', ['-xzf', tarball, '-C', dir]);
  const root = join(dir, 'package');
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const problems = ['dependencies', 'peerDependencies', 'optionalDependencies']
    .filter((field) => manifest[field] !== undefined)
    .map((field) => `the ocikit package has ${field}`);
  const result = await build({
    entryPoints: [join(root, manifest.bin.ocikit)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    logLevel: 'silent',
  }).catch((error: { errors?: { text: string }[] }) => error);
  for (const error of result.errors ?? []) problems.push(error.text);
  return problems;
}

try {
  const tarballs = join(scratch, 'tarballs');
  execFileSync('pnpm', ['--filter', 'ocikit', 'pack', '--pack-destination', tarballs], {
    cwd: repoRoot,
    stdio: 'pipe',
  });
  const [packed] = readdirSync(tarballs);
  if (packed === undefined) throw new Error('pnpm pack wrote no tarball');
  const tarball = join(tarballs, packed);
  const license = readFileSync(join(repoRoot, 'LICENSE'), 'utf8');
  const problems = [
    ...tarballProblems(tarball, license),
    ...(await selfContainedProblems(tarball)),
  ];
  if (problems.length > 0) throw new Error(`the packed CLI:\n${problems.join('\n')}`);
  step(`packed ${packed}: no dependencies, every import inside it or built into Node`);

  const source = join(scratch, 'source');
  await umoci(['init', '--layout', source]);
  await umoci(['new', '--image', `${source}:v1`]);
  const payload = join(scratch, 'payload');
  mkdirSync(payload);
  writeFileSync(join(payload, 'hello.txt'), 'ocikit from a packed tarball\n');
  await umoci(['insert', '--image', `${source}:v1`, payload, '/hello']);
  const digest = JSON.parse(readFileSync(join(source, 'index.json'), 'utf8')).manifests[0].digest;
  mkdirSync(join(scratch, 'registry'));
  const registry = await startRegistry({ dir: join(scratch, 'registry') });
  step(`umoci made oci:source:v1 (${digest}); distribution listens at ${registry.host}`);

  // deno runs npm:ocikit from a project's node_modules (it is not on npm yet).
  const denoProject = join(scratch, 'deno-project');
  mkdirSync(denoProject);
  writeFileSync(join(denoProject, 'package.json'), '{"name":"deno-project","private":true}');
  run(denoProject, 'npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', tarball]);

  /** Each way to run the tarball: a name (for its directories), the runtime it must run on, the command. */
  const runners: { name: string; runtime: string; cwd?: string; command: string[] }[] = [
    { name: 'npx', runtime: 'Node.js', command: ['npx', '--yes', `file:${tarball}`] },
    { name: 'pnpm-dlx', runtime: 'Node.js', command: ['pnpm', 'dlx', tarball] },
    // Without --bun, bunx honours the #!/usr/bin/env node line.
    { name: 'bunx-node', runtime: 'Node.js', command: [bin('bun'), 'x', `ocikit@file:${tarball}`] },
    { name: 'bunx', runtime: 'Bun', command: [bin('bun'), 'x', '--bun', `ocikit@file:${tarball}`] },
    {
      name: 'deno',
      runtime: 'Deno',
      cwd: denoProject,
      command: [bin('deno'), 'run', '-A', 'npm:ocikit'],
    },
  ];
  try {
    for (const runner of runners) {
      const cwd = runner.cwd ?? join(scratch, runner.name);
      mkdirSync(cwd, { recursive: true });
      const [command = '', ...leading] = runner.command;
      const ocikit = (...args: string[]) => run(cwd, command, [...leading, ...args]);
      const plain = ['--plain-http', registry.host];

      const version = JSON.parse(ocikit('version', '--format', 'json'));
      if (version.runtime?.name !== runner.runtime) {
        throw new Error(`${runner.name} ran ocikit on ${JSON.stringify(version.runtime)}`);
      }
      const repo = `${registry.host}/smoke/${runner.name}`;
      const pushed = ocikit('copy', `oci:${source}:v1`, `${repo}:v1`, ...plain).trim();
      const tags = ocikit('tag', 'ls', repo, ...plain).trim();
      const back = join(scratch, `back-${runner.name}`);
      ocikit('copy', `${repo}:v1`, `oci:${back}:v1`, ...plain);
      const pulled = ocikit('digest', `oci:${back}:v1`).trim();
      if (pushed !== digest || tags !== 'v1' || pulled !== digest) {
        throw new Error(
          `${runner.name}: pushed ${pushed}, tags "${tags}", pulled ${pulled}; expected ${digest} and v1`,
        );
      }
      step(
        `${runner.name}: ocikit ${version.version} on ${runner.runtime} ${version.runtime.version} copied oci: → registry → oci:, tag ls`,
      );
    }
  } finally {
    await registry.stop();
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
