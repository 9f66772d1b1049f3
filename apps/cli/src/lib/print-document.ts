import type { OpenedLocation } from '@ocikit/client';
import { fetchBytes } from '@ocikit/content';
import type { Descriptor } from '@ocikit/spec';
import type { Session } from './session.ts';

/**
 * Prints a JSON document (a manifest, a config) of a location: its exact
 * bytes, or parsed and indented with `--format json` or `table`.
 *
 * @param session - the session
 * @param location - the location to open
 * @param pick - which document of the opened location to print
 */
export async function printDocument(
  session: Session,
  location: string,
  pick: (opened: OpenedLocation) => Promise<Descriptor>,
): Promise<void> {
  const client = await session.client();
  const opened = await client.open(location);
  try {
    const bytes = await fetchBytes(opened.target, await pick(opened));
    if (session.format === 'json' || session.format === 'table') {
      session.json(JSON.parse(new TextDecoder().decode(bytes)));
    } else {
      session.out(bytes);
    }
  } finally {
    await opened.close();
  }
}
