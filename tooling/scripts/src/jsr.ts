import { type PackageManifest, packageEntries, type WorkspacePackage } from './workspace.ts';

/** The `jsr.json` of a package, as `deno publish` reads it. */
export interface JsrManifest {
  name: string;
  version: string;
  license?: string;
  exports: Record<string, string>;
  imports?: Record<string, string>;
  publish: { include: string[]; exclude: string[] };
}

/**
 * The `jsr.json` of a package, derived from its package.json: the same name,
 * version and entries, each pointing at its TypeScript source; the package's
 * own `#` imports at their default (Node, Deno, Bun) target. Third-party
 * dependencies come from package.json (Deno reads it as `npm:` specifiers),
 * `@ocikit/*` ones from the Deno workspace of the root `deno.json`.
 *
 * @param pkg - a published workspace package
 * @returns its `jsr.json`
 */
export function jsrManifest(pkg: WorkspacePackage): JsrManifest {
  const { manifest } = pkg;
  const exports: Record<string, string> = {};
  for (const entry of packageEntries(pkg)) exports[entry.subpath] = `./${entry.source}`;
  const imports = localImports(manifest);
  return {
    name: manifest.name,
    version: manifest.version,
    ...(manifest.license === undefined ? {} : { license: manifest.license }),
    exports,
    ...(imports === undefined ? {} : { imports }),
    publish: {
      include: ['LICENSE', 'README.md', 'src'],
      exclude: [
        'src/**/*.test.ts',
        'src/**/*.testing.ts',
        'src/**/*.testing.*.ts',
        'src/**/testdata',
      ],
    },
  };
}

function localImports(manifest: PackageManifest): Record<string, string> | undefined {
  const entries = Object.entries(manifest.imports ?? {});
  if (entries.length === 0) return undefined;
  const imports: Record<string, string> = {};
  for (const [key, target] of entries) {
    const file = typeof target === 'string' ? target : target.default;
    if (file !== undefined) imports[key] = file;
  }
  return imports;
}
