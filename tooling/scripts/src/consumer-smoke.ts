// The consumer smoke: packs every published package (pnpm pack), checks the
// tarballs, installs them with npm into a scratch project outside the
// workspace, and uses them there as a user would: the runtime smoke under
// Node, Deno and Bun, edge bundles of @ocikit/digest, and
// @ocikit/transport/node once undici (its optional peer) is added.
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { tarballProblems } from './tarballs.ts';
import { repoRoot } from './workspace.ts';

const scratch = mkdtempSync(join(tmpdir(), 'ocikit-consumer-'));
const bin = (name: string) => join(repoRoot, 'node_modules/.bin', name);
const run = (command: string, args: string[]) =>
  execFileSync(command, args, { cwd: scratch, stdio: 'inherit' });

let started = performance.now();
function step(what: string): void {
  const now = performance.now();
  console.log(`ok    ${what} (${((now - started) / 1000).toFixed(1)} s)`);
  started = now;
}

/**
 * Bundles for edge runtimes, by their own conditions without `browser`
 * (Cloudflare's `workerd`, Vercel's `edge-light`), and with no conditions.
 */
const EDGE_BUNDLES: [string, string[]][] = [
  ['workerd', ['workerd', 'worker']],
  ['edge-light', ['edge-light', 'worker']],
  ['neutral', []],
];

try {
  const tarballs = join(scratch, 'tarballs');
  execFileSync('pnpm', ['-r', '--filter', './packages/*', 'pack', '--pack-destination', tarballs], {
    cwd: repoRoot,
    stdio: 'pipe',
  });
  const packed = readdirSync(tarballs).map((file) => join(tarballs, file));
  const license = readFileSync(join(repoRoot, 'LICENSE'), 'utf8');
  const problems = packed.flatMap((tarball) => tarballProblems(tarball, license));
  if (problems.length > 0) throw new Error(`packed packages:\n${problems.join('\n')}`);
  step(`packed and checked ${packed.length} packages`);

  writeFileSync(
    join(scratch, 'package.json'),
    JSON.stringify({ name: 'ocikit-consumer', private: true, type: 'module' }),
  );
  const npmInstall = ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];
  // @ocikit/client depends on undici (it is for people who just want it to
  // work): it goes in with the undici step, the others must not pull undici.
  const isClient = (tarball: string) => /ocikit-client-[^/]*\.tgz$/.test(tarball);
  run('npm', [...npmInstall, ...packed.filter((tarball) => !isClient(tarball))]);
  if (existsSync(join(scratch, 'node_modules/undici'))) {
    throw new Error('undici was installed for a consumer that did not ask for it');
  }
  step('installed the tarballs with npm (no undici)');

  cpSync(join(repoRoot, 'tooling/runtime-smoke/src'), join(scratch, 'smoke'), { recursive: true });
  run(bin('tsx'), ['smoke/main.ts']);
  step('Node');
  run(bin('deno'), [
    'run',
    '--quiet',
    '--no-config',
    '--no-lock',
    '--node-modules-dir=manual',
    '--allow-read',
    '--allow-write',
    '--allow-env',
    '--allow-net=127.0.0.1',
    'smoke/main.ts',
  ]);
  step('Deno');
  run(bin('bun'), ['run', 'smoke/main.ts']);
  step('Bun');

  for (const [label, conditions] of EDGE_BUNDLES) {
    const outfile = join(scratch, `worker.${label}.mjs`);
    await build({
      entryPoints: [join(scratch, 'smoke/worker.ts')],
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      conditions,
      mainFields: ['module', 'main'],
      outfile,
      logLevel: 'error',
    });
    if (/\bnode:/.test(readFileSync(outfile, 'utf8'))) {
      throw new Error(`the ${label} bundle of @ocikit/digest imports from node:`);
    }
    run('node', [outfile]);
  }
  step(`@ocikit/digest bundled for ${EDGE_BUNDLES.map(([label]) => label).join(', ')}, no node:`);

  const transport = JSON.parse(
    readFileSync(join(scratch, 'node_modules/@ocikit/transport/package.json'), 'utf8'),
  );
  run('npm', [...npmInstall, `undici@${transport.peerDependencies.undici}`]);
  run(bin('tsx'), ['smoke/node-entry.ts']);
  step('@ocikit/transport/node with undici added');
  run('npm', [...npmInstall, ...packed.filter(isClient)]);
  run(bin('tsx'), ['smoke/client.ts']);
  step('@ocikit/client (with its undici)');
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
