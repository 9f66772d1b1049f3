import type { CommandRun } from '../lib/program.ts';

/** `ocikit blob delete REPOSITORY@DIGEST`: `Client.deleteBlob`. */
export const run: CommandRun = async ([location], _flags, session) => {
  const client = await session.client();
  const digest = await client.deleteBlob(location as string);
  session.log(`Deleted blob ${digest}`);
  if (session.format === 'json') session.json({ deleted: 'blob', digest });
};
