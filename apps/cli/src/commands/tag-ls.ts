import type { CommandRun } from '../lib/program.ts';

/** `ocikit tag ls REPOSITORY`: `Client.tags`, one per line or as JSON. */
export const run: CommandRun = async ([location], _flags, session) => {
  const client = await session.client();
  const tags = await client.tags(location as string);
  if (session.format === 'json') session.json({ name: location, tags });
  else session.out(tags.map((tag) => `${tag}\n`).join(''));
};
