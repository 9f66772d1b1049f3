import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tarballProblems } from './tarballs.ts';

const LICENSE = 'Apache License\nVersion 2.0\n';
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Packs `files` under `package/` into a real .tgz, as npm and pnpm lay it out. */
function tarball(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ocikit-tarball-test-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, 'package', path, '..'), { recursive: true });
    writeFileSync(join(dir, 'package', path), text);
  }
  const file = join(dir, 'pkg.tgz');
  execFileSync('tar', ['-czf', file, '-C', dir, 'package']);
  return file;
}

const shipped = {
  name: '@ocikit/x',
  version: '1.0.0',
  repository: { type: 'git', url: 'git+https://example.test/x.git', directory: 'packages/x' },
  homepage: 'https://example.test/x#readme',
  bugs: { url: 'https://example.test/x/issues' },
  dependencies: { '@ocikit/digest': '1.0.0' },
};

describe('tarballProblems', () => {
  it('accepts a packed package with LICENSE, links, and no maps, scripts or devDependencies', () => {
    const file = tarball({
      'package.json': JSON.stringify(shipped),
      LICENSE,
      'dist/index.js': 'export const x = 1;\n',
    });
    expect(tarballProblems(file, LICENSE)).toEqual([]);
  });

  it('names a missing link field, workspace leftovers, a missing LICENSE and source maps in a real .tgz', () => {
    const { repository: _, ...manifest } = shipped;
    const file = tarball({
      'package.json': JSON.stringify({
        ...manifest,
        scripts: { test: 'vitest run --root ../..' },
        devDependencies: { '@ocikit/testbed': 'workspace:*' },
      }),
      'dist/index.js': 'export const x = 1;\n//# sourceMappingURL=index.js.map\n',
      'dist/index.js.map': '{}',
    });
    const problems = tarballProblems(file, LICENSE)
      .map((problem) => problem.slice(problem.indexOf(': ') + 2))
      .sort();
    expect(problems).toEqual(
      [
        'package.json lacks "repository"',
        'ships "scripts"',
        'ships "devDependencies"',
        'ships a workspace: dependency range',
        "no LICENSE, or one that differs from the repository's",
        'dist/index.js has a sourceMappingURL',
        'ships the source map dist/index.js.map',
      ].sort(),
    );
  });
});
