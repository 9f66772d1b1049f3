import { printDescriptor } from '../lib/print-descriptor.ts';
import type { CommandRun } from '../lib/program.ts';

/** `ocikit manifest head LOCATION`: `Client.resolve`, without reading the manifest. */
export const run: CommandRun = async ([location], _flags, session) => {
  const client = await session.client();
  printDescriptor(session, await client.resolve(location as string));
};
