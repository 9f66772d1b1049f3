import { fetchBytes } from '@ocikit/content';
import { OciError } from '@ocikit/digest';
import type { CommandRun } from '../lib/program.ts';

/** `ocikit config LOCATION`: the exact bytes of an image's config (indented with `--format json`). */
export const run: CommandRun = async ([location], _flags, session) => {
  const client = await session.client();
  const result = await client.inspect(location as string);
  if (result.config === undefined) {
    throw new OciError(
      'UNSUPPORTED_MEDIA_TYPE',
      `"${result.name}" is ${result.kind === 'index' ? 'an index' : 'no image'} and has no image config; name one platform's manifest (ocikit platforms lists them)`,
    );
  }
  const opened = await client.open(location as string);
  try {
    const bytes = await fetchBytes(opened.target, result.config.descriptor);
    if (session.format === 'json' || session.format === 'table') {
      session.json(JSON.parse(new TextDecoder().decode(bytes)));
    } else {
      session.out(bytes);
    }
  } finally {
    await opened.close();
  }
};
