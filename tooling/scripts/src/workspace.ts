import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { exportFile } from './export-file.ts';

/** The repository root. */
export const repoRoot = resolve(import.meta.dirname, '../../..');

/** The fields of a package.json that the checks read. */
export interface PackageManifest {
  name: string;
  version: string;
  private?: boolean;
  description?: string;
  license?: string;
  repository?: { type: string; url: string; directory?: string };
  homepage?: string;
  bugs?: { url: string };
  type?: string;
  sideEffects?: boolean;
  files?: string[];
  engines?: Record<string, string>;
  exports?: Record<string, string | Record<string, string>>;
  imports?: Record<string, string | Record<string, string>>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** A workspace package: where it is and what its manifest says. */
export interface WorkspacePackage {
  /** `packages`, `apps` or `tooling`. */
  group: string;
  /** Absolute path of its folder. */
  dir: string;
  manifest: PackageManifest;
}

/** Lists the workspace packages of a group (or all groups), sorted by name. */
export function workspacePackages(
  groups: readonly string[] = ['packages', 'apps', 'tooling'],
): WorkspacePackage[] {
  const found: WorkspacePackage[] = [];
  for (const group of groups) {
    let entries: string[];
    try {
      entries = readdirSync(join(repoRoot, group));
    } catch {
      continue;
    }
    for (const entry of entries) {
      const dir = join(repoRoot, group, entry);
      try {
        const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
        found.push({ group, dir, manifest });
      } catch {
        // not a package folder
      }
    }
  }
  return found.sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));
}

/** One entry of a package's `exports`: its subpath and its source file. */
export interface PackageEntry {
  /** `.` or `./fs`. */
  subpath: string;
  /** The import specifier, such as `@ocikit/content/fs`. */
  specifier: string;
  /** The source file relative to the package, such as `src/fs.ts`. */
  source: string;
  /** Whether the entry may use Node APIs: `./fs`, `./docker`, `./node` or a `*.node` file. */
  node: boolean;
}

const NODE_SUBPATHS = new Set(['./fs', './docker', './node']);

/** The code entries of a package, from its `exports` (`./package.json` left out). */
export function packageEntries(pkg: WorkspacePackage): PackageEntry[] {
  const entries: PackageEntry[] = [];
  for (const [subpath, target] of Object.entries(pkg.manifest.exports ?? {})) {
    const file = exportFile(target);
    if (!file?.startsWith('./dist/') || !file.endsWith('.js')) continue;
    const source = file.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts');
    entries.push({
      subpath,
      specifier: subpath === '.' ? pkg.manifest.name : `${pkg.manifest.name}/${subpath.slice(2)}`,
      source,
      node: NODE_SUBPATHS.has(subpath) || source.endsWith('.node.ts'),
    });
  }
  return entries;
}

/** The `@ocikit/*` packages this one depends on at run time. */
export function internalDependencies(pkg: WorkspacePackage): string[] {
  return Object.keys({ ...pkg.manifest.dependencies, ...pkg.manifest.peerDependencies }).filter(
    (name) => name.startsWith('@ocikit/'),
  );
}
