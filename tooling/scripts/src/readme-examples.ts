import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, workspacePackages } from './workspace.ts';

const run = promisify(execFile);

/** One runnable ```ts block of a README. */
export interface ReadmeExample {
  /** `packages/digest/README.md:32`, where the block starts. */
  location: string;
  code: string;
}

/**
 * The ```ts blocks of every package README, except those whose info string
 * says `no-run` (signatures, fragments).
 */
export async function readmeExamples(): Promise<ReadmeExample[]> {
  const examples: ReadmeExample[] = [];
  for (const pkg of workspacePackages(['packages'])) {
    const file = join(pkg.dir, 'README.md');
    const text = await readFile(file, 'utf8').catch(() => '');
    const lines = text.split('\n');
    for (let index = 0; index < lines.length; index += 1) {
      const info = lines[index]?.match(/^```(ts|typescript)\b(.*)$/);
      if (!info || info[2]?.includes('no-run')) continue;
      const start = index;
      const body: string[] = [];
      for (index += 1; index < lines.length && lines[index] !== '```'; index += 1) {
        body.push(lines[index] ?? '');
      }
      examples.push({
        location: `${file.slice(repoRoot.length + 1)}:${start + 1}`,
        code: body.join('\n'),
      });
    }
  }
  return examples;
}

/**
 * Runs an example with tsx, `@ocikit/*` resolving to the sources, in a temp
 * dir. Resolves with its output; rejects with its stderr when it fails.
 */
export async function runExample(
  example: ReadmeExample,
  env: Record<string, string> = {},
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ocikit-readme-'));
  try {
    const file = join(dir, 'example.mts');
    await writeFile(file, example.code);
    try {
      const { stdout } = await run(
        join(repoRoot, 'node_modules/.bin/tsx'),
        ['--tsconfig', join(repoRoot, 'tsconfig.base.json'), file],
        { cwd: dir, env: { ...process.env, ...env }, timeout: 60_000 },
      );
      return stdout;
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? '';
      throw new Error(`${example.location} failed:\n${stderr.slice(0, 4000)}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Type-checks examples against the package sources (`tsc` with the
 * repository's settings, in a temp dir), so a README cannot show a call
 * the types refuse. Resolves with nothing; rejects with tsc's report, which
 * names each failing example's README line.
 */
export async function typecheckExamples(examples: readonly ReadmeExample[]): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'ocikit-readme-types-'));
  try {
    for (const [index, example] of examples.entries()) {
      const file = join(dir, `example-${index}.mts`);
      await writeFile(file, `// ${example.location}\n${example.code}\nexport {};\n`);
    }
    const tsconfig = {
      extends: join(repoRoot, 'tsconfig.base.json'),
      compilerOptions: {
        typeRoots: [join(repoRoot, 'node_modules/@types')],
        noUnusedLocals: false,
      },
      include: ['*.mts'],
    };
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
    try {
      await run(join(repoRoot, 'node_modules/.bin/tsc'), ['-p', dir], {
        cwd: dir,
        timeout: 120_000,
      });
    } catch (error) {
      const report = (error as { stdout?: string }).stdout ?? String(error);
      throw new Error(withLocations(report, dir, examples));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Replaces `example-N.mts(line,col)` in a tsc report by the README location of example N. */
function withLocations(report: string, dir: string, examples: readonly ReadmeExample[]): string {
  return report
    .replaceAll(`${dir}/`, '')
    .replace(/example-(\d+)\.mts\((\d+),\d+\)/g, (whole, index: string, line: string) => {
      const location = examples[Number(index)]?.location;
      if (!location) return whole;
      const [file, start] = location.split(':');
      return `${file}:${Number(start) + Number(line) - 1}`;
    });
}
