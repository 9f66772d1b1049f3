import { fetchBytes } from '@ocikit/content';
import type { CommandRun } from '../lib/program.ts';

/** `ocikit manifest get LOCATION`: the exact manifest bytes (or, with `--format json`, indented). */
export const run: CommandRun = async ([location], _flags, session) => {
  const client = await session.client();
  const opened = await client.open(location as string);
  try {
    const bytes = await fetchBytes(opened.target, await opened.root());
    if (session.format === 'json' || session.format === 'table') {
      session.json(JSON.parse(new TextDecoder().decode(bytes)));
    } else {
      session.out(bytes);
    }
  } finally {
    await opened.close();
  }
};
