import { OciError } from '@ocikit/digest';
import { printDocument } from '../lib/print-document.ts';
import type { CommandRun } from '../lib/program.ts';

/** `ocikit config LOCATION`: the exact bytes of an image's config (indented with `--format json`). */
export const run: CommandRun = async ([location], _flags, session) => {
  const client = await session.client();
  const result = await client.inspect(location as string);
  const config = result.config;
  if (config === undefined) {
    throw new OciError(
      'UNSUPPORTED_MEDIA_TYPE',
      `"${result.name}" is ${result.kind === 'index' ? 'an index' : 'no image'} and has no image config; name one platform's manifest (ocikit platforms lists them)`,
    );
  }
  await printDocument(session, location as string, async () => config.descriptor);
};
