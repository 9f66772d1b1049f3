import type { RepositoriesOptions } from '@ocikit/client';
import type { CommandRun } from '../lib/program.ts';

/** `ocikit repo ls REGISTRY`: `Client.repositories` (the catalog), one per line or as JSON. */
export const run: CommandRun = async ([registry], flags, session) => {
  const options: RepositoriesOptions = {
    ...(flags.last === undefined ? {} : { last: flags.last as string }),
    ...(flags.pageSize === undefined ? {} : { pageSize: flags.pageSize as number }),
  };
  const client = await session.client();
  const repositories = await client.repositories(registry as string, options);
  if (session.format === 'json') session.json({ registry, repositories });
  else session.out(repositories.map((name) => `${name}\n`).join(''));
};
