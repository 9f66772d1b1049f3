import type { CommandRun } from '../lib/program.ts';

/** The runtime ocikit runs on: Bun and Deno also report a Node.js version, which they emulate. */
function runtime(): { name: 'Node.js' | 'Bun' | 'Deno'; version: string } {
  const versions = process.versions as NodeJS.ProcessVersions & { bun?: string; deno?: string };
  if (versions.bun !== undefined) return { name: 'Bun', version: versions.bun };
  if (versions.deno !== undefined) return { name: 'Deno', version: versions.deno };
  return { name: 'Node.js', version: versions.node };
}

/** `ocikit version`: this version and the runtime's. */
export const run: CommandRun = async (_args, _flags, session) => {
  const on = runtime();
  if (session.format === 'json') {
    session.json({ version: OCIKIT_VERSION, node: process.versions.node, runtime: on });
  } else {
    session.out(`ocikit ${OCIKIT_VERSION} (${on.name} ${on.version})\n`);
  }
};
