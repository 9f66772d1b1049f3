import { exportLayout } from '@ocikit/client';
import type { CommandRun } from '../lib/program.ts';
import { formatBytes } from '../lib/units.ts';

/** `ocikit layout export DIR FILE.tar`: the layout as an oci-archive, written atomically. */
export const run: CommandRun = async ([dir, file], _flags, session) => {
  session.log(`Writing ${dir} to ${file}…`);
  const result = await exportLayout(dir as string, file as string);
  session.log(`Wrote ${file} (${result.manifests} manifests, ${formatBytes(result.size)})`);
  if (session.format === 'json') {
    session.json({ path: dir, file, size: result.size, manifests: result.manifests });
  }
};
