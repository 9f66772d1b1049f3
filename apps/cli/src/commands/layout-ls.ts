import { listLayout } from '@ocikit/client';
import type { CommandRun } from '../lib/program.ts';
import { table } from '../lib/table.ts';
import { formatBytes } from '../lib/units.ts';

/** `ocikit layout ls DIR`: the entries of a layout's `index.json`. */
export const run: CommandRun = async ([dir], _flags, session) => {
  const entries = await listLayout(dir as string);
  if (session.format === 'json') {
    session.json({
      path: dir,
      manifests: entries.map((entry) => ({
        tag: entry.tag ?? null,
        digest: entry.descriptor.digest,
        mediaType: entry.descriptor.mediaType,
        size: entry.descriptor.size,
        kind: entry.kind,
        artifactType: entry.artifactType ?? null,
        platforms: entry.platforms,
        totalSize: entry.totalSize,
        subject: entry.subject ?? null,
      })),
    });
    return;
  }
  const rows = entries.map((entry) => [
    entry.tag ?? (entry.subject === undefined ? '<none>' : '<referrer>'),
    entry.descriptor.digest,
    entry.kind,
    entry.platforms.join(',') || entry.artifactType || '-',
    formatBytes(entry.totalSize),
  ]);
  session.out(table(['TAG', 'DIGEST', 'KIND', 'PLATFORMS / TYPE', 'SIZE'], rows));
};
