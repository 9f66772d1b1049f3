import { DEFAULT_MAX_MANIFEST_SIZE } from '@ocikit/spec';
import type { CommandRun } from '../lib/program.ts';
import { readInput } from '../lib/read-input.ts';

/** `ocikit manifest put LOCATION`: `Client.putManifest` of stdin or `--file`; the digest on stdout. */
export const run: CommandRun = async ([location], flags, session) => {
  const bytes = await readInput(flags.file as string | undefined, DEFAULT_MAX_MANIFEST_SIZE);
  const mediaType = flags.mediaType as string | undefined;
  const client = await session.client();
  const pushed = await client.putManifest(location as string, bytes, {
    ...(mediaType === undefined ? {} : { mediaType }),
  });
  session.log(`Pushed ${pushed.mediaType} ${pushed.digest} to ${location}`);
  if (session.format === 'json') session.json(pushed);
  else session.out(`${pushed.digest}\n`);
};
