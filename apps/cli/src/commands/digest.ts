import type { CommandRun } from '../lib/program.ts';

/** `ocikit digest LOCATION`: the digest of the manifest it names (`Client.resolve`). */
export const run: CommandRun = async ([location], _flags, session) => {
  const client = await session.client();
  const descriptor = await client.resolve(location as string);
  if (session.format === 'json') {
    const { digest, mediaType, size } = descriptor;
    session.json({ digest, mediaType, size });
  } else {
    session.out(`${descriptor.digest}\n`);
  }
};
