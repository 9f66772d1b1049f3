// The release flow on a dry run, in a scratch copy of the repository (the
// working tree is left alone): `pnpm version-packages` (changeset version,
// then the jsr.json files), then `pnpm -r publish --dry-run`. Fails unless
// every package named by a pending changeset was bumped, jsr.json followed,
// and pnpm would publish each bumped package at its new version.
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { repoRoot, workspacePackages } from './workspace.ts';

const scratch = mkdtempSync(join(tmpdir(), 'ocikit-release-'));

/** The packages named by the pending changesets (`.changeset/*.md`). */
function pendingReleases(): Set<string> {
  const names = new Set<string>();
  const dir = join(repoRoot, '.changeset');
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.md'))) {
    const front = readFileSync(join(dir, file), 'utf8').split(/^---$/m)[1] ?? '';
    for (const match of front.matchAll(/^['"]?(@ocikit\/[a-z-]+)['"]?:/gm))
      names.add(match[1] as string);
  }
  return names;
}

/** Runs a command in the copy; its output (npm writes to stderr) only when it fails. */
function run(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { cwd: scratch, stdio: 'pipe' }).toString();
  } catch (error) {
    const failed = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`${command} ${args.join(' ')} failed:\n${failed.stdout}${failed.stderr}`);
  }
}

try {
  const tracked = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], {
    cwd: repoRoot,
  })
    .toString()
    .split('\0')
    .filter((file) => file !== '' && existsSync(join(repoRoot, file)));
  for (const file of tracked) cpSync(join(repoRoot, file), join(scratch, file));
  symlinkSync(join(repoRoot, 'node_modules'), join(scratch, 'node_modules'));
  const packages = workspacePackages(['packages']);
  // The built files, and each package's links to its workspace dependencies
  // (relative, so they point into the copy, at the bumped versions).
  for (const pkg of packages) {
    for (const dir of ['dist', 'node_modules']) {
      const from = join(pkg.dir, dir);
      const to = join(scratch, relative(repoRoot, pkg.dir), dir);
      if (existsSync(from)) cpSync(from, to, { recursive: true, verbatimSymlinks: true });
    }
  }

  const pending = pendingReleases();
  run('pnpm', ['run', '--silent', 'version-packages']);
  const problems: string[] = [];
  const bumped: string[] = [];
  for (const pkg of packages) {
    const { name } = pkg.manifest;
    const dir = join(scratch, relative(repoRoot, pkg.dir));
    const version = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
    const jsrVersion = JSON.parse(readFileSync(join(dir, 'jsr.json'), 'utf8')).version;
    if (version !== pkg.manifest.version) bumped.push(`${name}@${version}`);
    else if (pending.has(name)) problems.push(`${name}: has a changeset but was not bumped`);
    if (jsrVersion !== version)
      problems.push(`${name}: jsr.json ${jsrVersion}, package.json ${version}`);
  }
  if (problems.length > 0) throw new Error(`changeset version:\n${problems.join('\n')}`);
  const publish = ['-r', '--filter', './packages/*', 'publish', '--dry-run', '--no-git-checks'];
  const output = run('pnpm', publish);
  const missing = bumped.filter((version) => !output.includes(`+ ${version}\n`));
  if (missing.length > 0)
    throw new Error(`pnpm publish --dry-run left out ${missing.join(', ')}:\n${output}`);
  console.log(
    `ok    changeset version, then pnpm publish --dry-run of ${bumped.join(', ') || 'nothing'}`,
  );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
