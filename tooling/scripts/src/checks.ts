import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { jsrManifest } from './jsr.ts';
import { ALLOWED_APP_IMPORTS, ALLOWED_DEPENDENCIES } from './layers.ts';
import {
  internalDependencies,
  packageEntries,
  repoRoot,
  type WorkspacePackage,
  workspacePackages,
} from './workspace.ts';

/** A named repository check: returns the problems it found. */
export interface Check {
  name: string;
  run(): string[];
}

function published(): WorkspacePackage[] {
  return workspacePackages(['packages']);
}

/** Dependencies follow the layer graph of DESIGN.md, and every package is in it. */
export const layerCheck: Check = {
  name: 'layer graph (arrows only point down)',
  run() {
    const problems: string[] = [];
    for (const pkg of published()) {
      const allowed = ALLOWED_DEPENDENCIES[pkg.manifest.name];
      if (!allowed) {
        problems.push(
          `${pkg.manifest.name} is not in the layer graph (tooling/scripts/src/layers.ts)`,
        );
        continue;
      }
      for (const dependency of internalDependencies(pkg)) {
        if (!allowed.includes(dependency)) {
          problems.push(`${pkg.manifest.name} must not depend on ${dependency}`);
        }
      }
    }
    return problems;
  },
};

/**
 * Apps import only the `@ocikit/*` packages the layer graph gives them (from
 * their non-test sources; `.testing.ts` helpers and tests may use the test bed).
 */
export const appImportCheck: Check = {
  name: 'app imports follow the layer graph',
  run() {
    const problems: string[] = [];
    for (const app of workspacePackages(['apps'])) {
      const allowed = ALLOWED_APP_IMPORTS[app.manifest.name];
      if (!allowed) continue;
      for (const file of sourceFiles(join(app.dir, 'src'))) {
        if (/\.(int\.)?test\.ts$|\.testing\.ts$/.test(file)) continue;
        const text = readFileSync(file, 'utf8');
        for (const match of text.matchAll(/(?:from |import\()'(@ocikit\/[a-z-]+)/g)) {
          const name = match[1] as string;
          if (!allowed.includes(name)) {
            problems.push(
              `${relative(repoRoot, file)}: ${app.manifest.name} must not import ${name}`,
            );
          }
        }
      }
    }
    return problems;
  },
};

const REQUIRED_FIELDS = [
  'description',
  'license',
  'repository',
  'homepage',
  'bugs',
  'engines',
  'files',
  'exports',
] as const;

/** Package manifests have the shape STYLE.md gives them, and a README with an example. */
export const manifestCheck: Check = {
  name: 'package manifests and READMEs',
  run() {
    const problems: string[] = [];
    const rootLicense = join(repoRoot, 'LICENSE');
    for (const pkg of published()) {
      const { manifest } = pkg;
      const name = manifest.name;
      for (const field of REQUIRED_FIELDS) {
        if (manifest[field] === undefined) problems.push(`${name}: package.json lacks "${field}"`);
      }
      if (manifest.type !== 'module') problems.push(`${name}: "type" must be "module"`);
      if (manifest.sideEffects !== false) problems.push(`${name}: "sideEffects" must be false`);
      if (JSON.stringify(manifest.files) !== JSON.stringify(['dist', 'README.md'])) {
        problems.push(`${name}: "files" must be ["dist", "README.md"]`);
      }
      for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
        if (subpath === './package.json') continue;
        if (typeof target !== 'object' || !target.types || !target.default) {
          problems.push(`${name}: export "${subpath}" needs "types" and "default"`);
        }
      }
      for (const entry of packageEntries(pkg)) {
        if (!existsSync(join(pkg.dir, entry.source))) {
          problems.push(`${name}: export "${entry.subpath}" has no source ${entry.source}`);
        }
      }
      const license = join(pkg.dir, 'LICENSE');
      if (!existsSync(license) || !readFileSync(license).equals(readFileSync(rootLicense))) {
        problems.push(`${name}: LICENSE must be a copy of the repository's`);
      }
      const readme = join(pkg.dir, 'README.md');
      if (!existsSync(readme)) {
        problems.push(`${name}: no README.md`);
      } else {
        const text = readFileSync(readme, 'utf8');
        if (!/```ts\n/.test(text)) problems.push(`${name}: README.md has no \`\`\`ts example`);
        const apiPage = `.docs/modules/${name.replace(/[^a-z0-9]/g, '_')}.html`;
        if (!text.includes(apiPage)) {
          problems.push(`${name}: README.md does not point at its API reference (${apiPage})`);
        }
      }
    }
    return problems;
  },
};

/** Each package's `jsr.json` is the one `pnpm jsr` derives, and the Deno workspace lists them all. */
export const jsrCheck: Check = {
  name: 'jsr.json and the Deno workspace',
  run() {
    const problems: string[] = [];
    const members = new Set<string>(
      JSON.parse(readFileSync(join(repoRoot, 'deno.json'), 'utf8')).workspace,
    );
    for (const pkg of published()) {
      const name = pkg.manifest.name;
      if (!members.has(`./${relative(repoRoot, pkg.dir)}`)) {
        problems.push(`${name}: not in the workspace of deno.json`);
      }
      const file = join(pkg.dir, 'jsr.json');
      const actual = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
      if (JSON.stringify(actual) !== JSON.stringify(jsrManifest(pkg))) {
        problems.push(`${name}: jsr.json is missing or stale (run pnpm jsr)`);
      }
    }
    return problems;
  },
};

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts')) files.push(path);
  }
  return files;
}

/** Library code throws coded `OciError`s, never plain `Error`s. */
export const errorCheck: Check = {
  name: 'no plain Error in package sources',
  run() {
    const problems: string[] = [];
    for (const pkg of published()) {
      for (const file of sourceFiles(join(pkg.dir, 'src'))) {
        if (/\.(int\.)?test\.ts$/.test(file)) continue;
        const lines = readFileSync(file, 'utf8').split('\n');
        lines.forEach((line, index) => {
          if (/\bnew (Type|Range)?Error\(/.test(line)) {
            problems.push(
              `${relative(repoRoot, file)}:${index + 1}: throw an OciError with a code`,
            );
          }
        });
      }
    }
    return problems;
  },
};

/**
 * The core entries (every entry but `/fs`, `/docker`, `/node`) type-check
 * without Node's types and with the DOM library: they never touch Node.
 */
export const coreCheck: Check = {
  name: 'core entries type-check without Node',
  run() {
    const problems: string[] = [];
    const configDir = join(repoRoot, 'node_modules/.cache/ocikit');
    mkdirSync(configDir, { recursive: true });
    for (const pkg of published()) {
      const files = packageEntries(pkg)
        .filter((entry) => !entry.node)
        .map((entry) => join(pkg.dir, entry.source));
      if (files.length === 0) continue;
      const config = join(
        configDir,
        `tsconfig.core.${pkg.manifest.name.replace('@ocikit/', '')}.json`,
      );
      writeFileSync(
        config,
        JSON.stringify({
          extends: join(repoRoot, 'tsconfig.base.json'),
          compilerOptions: {
            types: [],
            lib: ['ES2022', 'DOM', 'DOM.Iterable'],
            customConditions: ['browser'],
          },
          files,
        }),
      );
      try {
        execFileSync(join(repoRoot, 'node_modules/.bin/tsc'), ['-p', config], { stdio: 'pipe' });
      } catch (error) {
        const output = (error as { stdout?: Buffer }).stdout?.toString() ?? String(error);
        problems.push(`${pkg.manifest.name}: core entries need Node:\n${output.trim()}`);
      }
    }
    return problems;
  },
};

/** publint and @arethetypeswrong/cli accept every built package. */
export const publishCheck: Check = {
  name: 'publint and are-the-types-wrong',
  run() {
    const problems: string[] = [];
    const bin = (name: string) => join(repoRoot, 'node_modules/.bin', name);
    for (const pkg of published()) {
      if (!existsSync(join(pkg.dir, 'dist'))) {
        problems.push(`${pkg.manifest.name}: not built (run pnpm build first)`);
        continue;
      }
      const runs: [string, string[]][] = [
        [bin('publint'), ['--strict', pkg.dir]],
        [bin('attw'), ['--pack', pkg.dir, '--profile', 'esm-only', '--format', 'ascii']],
      ];
      for (const [command, args] of runs) {
        try {
          execFileSync(command, args, { stdio: 'pipe', cwd: pkg.dir });
        } catch (error) {
          const failed = error as { stdout?: Buffer; stderr?: Buffer };
          const output = `${failed.stdout ?? ''}${failed.stderr ?? ''}`.trim();
          problems.push(`${pkg.manifest.name}: ${command.split('/').pop()} failed:\n${output}`);
        }
      }
    }
    return problems;
  },
};
