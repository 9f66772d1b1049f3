import type { CommandRun } from '../lib/program.ts';

/** `ocikit manifest delete LOCATION`: `Client.deleteManifest`; a tag only with `--force`. */
export const run: CommandRun = async ([location], flags, session) => {
  const client = await session.client();
  const deleted = await client.deleteManifest(location as string, {
    dereferenceTag: flags.force === true,
  });
  session.log(`Deleted manifest ${deleted.digest}`);
  if (session.format === 'json') session.json({ deleted: 'manifest', ...deleted });
};
