import { OciError } from '@ocikit/digest';
import { parseLocation } from '@ocikit/reference';
import type { CommandRun } from '../lib/program.ts';

/**
 * `ocikit tag rm LOCATION`: removes only the tag (`Client.delete` of a tag);
 * a location naming a digest is refused, so the image is never deleted.
 */
export const run: CommandRun = async ([location], _flags, session) => {
  const parsed = parseLocation(location as string, { defaultTag: false });
  const digest = parsed.kind === 'registry' ? parsed.reference.digest : undefined;
  const tag =
    parsed.kind === 'registry'
      ? parsed.reference.tag
      : parsed.kind === 'docker-archive'
        ? undefined
        : parsed.tag;
  if (
    tag === undefined ||
    digest !== undefined ||
    ('digest' in parsed && parsed.digest !== undefined)
  ) {
    throw new OciError(
      'REFERENCE_INVALID',
      `"${location}" names no tag alone: tag rm removes a tag and never deletes an image`,
    );
  }
  const client = await session.client({ untagFallback: true });
  const result = await client.delete(location as string);
  session.log(`Removed tag ${result.reference}`);
  if (session.format === 'json') session.json({ deleted: result.deleted, tag: result.reference });
};
