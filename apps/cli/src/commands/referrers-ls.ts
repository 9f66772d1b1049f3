import type { ReferrerNode } from '@ocikit/client';
import type { CommandRun } from '../lib/program.ts';

/** One referrer in the JSON of `referrers ls`. */
interface ReferrerJson {
  mediaType: string;
  digest: string;
  size: number;
  artifactType: string | undefined;
  annotations: Record<string, string> | undefined;
  referrers: ReferrerJson[];
}

/** `ocikit referrers ls LOCATION`: `Client.referrers` as a tree, or JSON. */
export const run: CommandRun = async ([location], flags, session) => {
  const artifactType = flags.artifactType as string | undefined;
  const client = await session.client();
  const tree = await client.referrers(location as string, {
    ...(artifactType === undefined ? {} : { artifactType }),
  });
  const { mediaType, digest, size } = tree.subject;
  if (session.format === 'json') {
    session.json({ subject: { mediaType, digest, size }, referrers: tree.referrers.map(toJson) });
    return;
  }
  const lines = [`${digest} ${mediaType}`];
  const draw = (nodes: readonly ReferrerNode[], indent: string): void => {
    nodes.forEach((node, index) => {
      const last = index === nodes.length - 1;
      const { descriptor } = node;
      const type = descriptor.artifactType ?? descriptor.mediaType;
      lines.push(`${indent}${last ? '└── ' : '├── '}${descriptor.digest} ${type}`);
      draw(node.referrers, `${indent}${last ? '    ' : '│   '}`);
    });
  };
  draw(tree.referrers, '');
  session.out(`${lines.join('\n')}\n`);
};

function toJson(node: ReferrerNode): ReferrerJson {
  const { mediaType, digest, size, artifactType, annotations } = node.descriptor;
  return {
    mediaType,
    digest,
    size,
    artifactType,
    annotations,
    referrers: node.referrers.map(toJson),
  };
}
