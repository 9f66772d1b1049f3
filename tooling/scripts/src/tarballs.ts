import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/**
 * What must hold in a packed package: the licence text, the links a registry
 * page shows, nothing that only makes sense inside the workspace (scripts,
 * devDependencies, `workspace:` ranges), and no source maps.
 *
 * @param tarball - a `.tgz` from `pnpm pack`
 * @param license - the text of the repository's LICENSE
 * @returns the problems found, each naming the tarball
 */
export function tarballProblems(tarball: string, license: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'ocikit-tarball-'));
  try {
    execFileSync('tar', ['-xzf', tarball, '-C', dir]);
    const root = join(dir, 'package');
    const name = tarball.split('/').pop();
    const problems: string[] = [];
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    for (const field of ['repository', 'homepage', 'bugs']) {
      if (manifest[field] === undefined) problems.push(`${name}: package.json lacks "${field}"`);
    }
    for (const field of ['scripts', 'devDependencies']) {
      if (manifest[field] !== undefined) problems.push(`${name}: ships "${field}"`);
    }
    if (/"workspace:/.test(JSON.stringify(manifest))) {
      problems.push(`${name}: ships a workspace: dependency range`);
    }
    const licenseFile = join(root, 'LICENSE');
    if (!existsSync(licenseFile) || readFileSync(licenseFile, 'utf8') !== license) {
      problems.push(`${name}: no LICENSE, or one that differs from the repository's`);
    }
    for (const file of files(root)) {
      const path = relative(root, file);
      if (path.endsWith('.map')) problems.push(`${name}: ships the source map ${path}`);
      if (path.endsWith('.js') && readFileSync(file, 'utf8').includes('//# sourceMappingURL=')) {
        problems.push(`${name}: ${path} has a sourceMappingURL`);
      }
    }
    return problems;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
