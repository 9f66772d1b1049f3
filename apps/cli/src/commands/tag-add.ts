import type { CommandRun } from '../lib/program.ts';

/** `ocikit tag add LOCATION TAG...`: `Client.tag`. */
export const run: CommandRun = async ([location, ...tags], _flags, session) => {
  const client = await session.client();
  const descriptor = await client.tag(location as string, tags);
  session.log(`Tagged ${descriptor.digest} as ${tags.join(', ')}`);
  if (session.format === 'json') session.json({ digest: descriptor.digest, tags });
};
