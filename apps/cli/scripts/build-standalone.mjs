// Builds the standalone `ocikit`: one executable file with the Bun runtime
// and the built bundle (dist/cli.cjs, build it first) inside, for this
// machine's OS and CPU; nothing else is needed to run it. Bun compiles from
// its own copy, with no download (deno compile fetches its runtime).
//   node scripts/build-standalone.mjs [--outfile FILE]   (default standalone/ocikit)
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { outfile: { type: 'string' } } });
const entry = fileURLToPath(new URL('../dist/cli.cjs', import.meta.url));
const outfile = values.outfile ?? fileURLToPath(new URL('../standalone/ocikit', import.meta.url));
if (!existsSync(entry)) {
  console.error(`${entry} is missing: build it first with "pnpm --filter ocikit build"`);
  process.exit(1);
}
// bun comes from the workspace root's devDependencies (on PATH under pnpm).
execFileSync('bun', ['build', entry, '--compile', '--minify', '--outfile', outfile], {
  stdio: ['ignore', 'ignore', 'inherit'],
});
console.log(outfile);
