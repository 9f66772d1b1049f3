import type { CommandRun } from '../lib/program.ts';

/** `ocikit blob mount SOURCE@DIGEST DESTINATION`: `Client.mountBlob`, saying mounted or copied. */
export const run: CommandRun = async ([source, destination], _flags, session) => {
  const client = await session.client();
  const { descriptor, mounted } = await client.mountBlob(source as string, destination as string);
  session.log(
    mounted
      ? `Mounted ${descriptor.digest} into ${destination} (no bytes moved)`
      : `Copied ${descriptor.digest} into ${destination} (${descriptor.size} bytes: the registry did not mount it)`,
  );
  if (session.format === 'json') {
    session.json({ digest: descriptor.digest, size: descriptor.size, mounted });
  } else {
    session.out(`${descriptor.digest}\n`);
  }
};
