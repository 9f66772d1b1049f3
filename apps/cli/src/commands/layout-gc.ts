import { gcLayout } from '@ocikit/client';
import type { CommandRun } from '../lib/program.ts';
import { formatBytes } from '../lib/units.ts';

/** `ocikit layout gc DIR [--dry-run]`: remove the blobs no tag or referrer reaches. */
export const run: CommandRun = async ([dir], flags, session) => {
  const result = await gcLayout(dir as string, { dryRun: flags.dryRun === true });
  const verb = result.dryRun ? 'Would free' : 'Freed';
  session.log(
    `${verb} ${formatBytes(result.freedBytes)} in ${result.removed.length} blobs; ${result.kept} kept` +
      `${result.missing.length > 0 ? `, ${result.missing.length} reachable blobs missing` : ''}`,
  );
  if (session.format === 'json') {
    session.json({
      path: dir,
      dryRun: result.dryRun,
      removed: result.removed.map(({ digest, size }) => ({ digest, size })),
      freedBytes: result.freedBytes,
      kept: result.kept,
      missing: result.missing.map((descriptor) => descriptor.digest),
      staleWrites: result.staleWrites,
    });
  } else {
    session.out(
      result.removed.map(({ digest, size }) => `${digest}  ${formatBytes(size)}\n`).join(''),
    );
  }
};
