import { printDescriptor } from '../lib/print-descriptor.ts';
import type { CommandRun } from '../lib/program.ts';

/** `ocikit blob head REPOSITORY@DIGEST`: `Client.statBlob`. */
export const run: CommandRun = async ([location], _flags, session) => {
  const client = await session.client();
  printDescriptor(session, await client.statBlob(location as string));
};
