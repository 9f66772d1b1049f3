import { Artifacts, type DiscoverResult, type ReferrerNode } from '@ocikit/client';
import { descriptorJson } from '../lib/artifact-output.ts';
import type { CommandRun } from '../lib/program.ts';
import { table } from '../lib/table.ts';
import { formatBytes } from '../lib/units.ts';

/** `ocikit artifact discover LOCATION`: `Artifacts.discover` as a tree, a table or JSON. */
export const run: CommandRun = async ([location], flags, session) => {
  const artifacts = new Artifacts(await session.client());
  const artifactType = flags.artifactType as string | undefined;
  const depth = flags.depth as number | undefined;
  const result = await artifacts.discover(location as string, {
    ...(artifactType === undefined ? {} : { artifactType }),
    ...(depth === undefined ? {} : { depth }),
  });
  if (session.format === 'json') session.json(discoverJson(result));
  else if (session.format === 'table') session.out(discoverTable(result));
  else session.out(discoverTree(result));
};

/** The documented JSON shape of `artifact discover`. */
function discoverJson(result: DiscoverResult): unknown {
  const node = ({ descriptor, referrers }: ReferrerNode): unknown => ({
    ...descriptorJson(descriptor),
    artifactType: descriptor.artifactType ?? null,
    annotations: descriptor.annotations ?? {},
    referrers: referrers.map(node),
  });
  return {
    name: result.name,
    subject: descriptorJson(result.subject),
    referrers: result.referrers.map(node),
  };
}

function discoverTree(result: DiscoverResult): string {
  const lines = [`${result.name}@${result.subject.digest}`];
  const walk = (nodes: readonly ReferrerNode[], indent: string): void => {
    for (const [position, { descriptor, referrers }] of nodes.entries()) {
      const last = position === nodes.length - 1;
      lines.push(
        `${indent}${last ? '└── ' : '├── '}${descriptor.artifactType ?? descriptor.mediaType}  ${descriptor.digest}`,
      );
      walk(referrers, `${indent}${last ? '    ' : '│   '}`);
    }
  };
  walk(result.referrers, '');
  return `${lines.join('\n')}\n`;
}

function discoverTable(result: DiscoverResult): string {
  const rows: string[][] = [];
  const walk = (nodes: readonly ReferrerNode[], subject: string): void => {
    for (const { descriptor, referrers } of nodes) {
      rows.push([
        descriptor.digest,
        descriptor.artifactType ?? '-',
        formatBytes(descriptor.size),
        subject,
      ]);
      walk(referrers, descriptor.digest);
    }
  };
  walk(result.referrers, result.subject.digest);
  return table(['DIGEST', 'ARTIFACT TYPE', 'SIZE', 'SUBJECT'], rows);
}
