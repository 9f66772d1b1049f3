import type { CommandRun } from '../lib/program.ts';

/** `ocikit version`: this version and the runtime's. */
export const run: CommandRun = async (_args, _flags, session) => {
  if (session.format === 'json') {
    session.json({ version: OCIKIT_VERSION, node: process.versions.node });
  } else {
    session.out(`ocikit ${OCIKIT_VERSION} (Node.js ${process.versions.node})\n`);
  }
};
