// Writes the jsr.json of every published package from its package.json
// (`pnpm jsr`); the manifest check fails when one is stale.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsrManifest } from './jsr.ts';
import { repoRoot, workspacePackages } from './workspace.ts';

const files = workspacePackages(['packages']).map((pkg) => {
  const file = join(pkg.dir, 'jsr.json');
  writeFileSync(file, JSON.stringify(jsrManifest(pkg)));
  return file;
});
execFileSync(join(repoRoot, 'node_modules/.bin/biome'), ['format', '--write', ...files]);
