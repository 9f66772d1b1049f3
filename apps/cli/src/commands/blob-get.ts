import { OciError } from '@ocikit/digest';
import { parseLocation } from '@ocikit/reference';
import type { CommandRun } from '../lib/program.ts';

interface BlobReader {
  statBlob(digest: string): Promise<{ digest: string; size: number; mediaType: string }>;
  fetch(descriptor: {
    digest: string;
    size: number;
    mediaType: string;
  }): Promise<ReadableStream<Uint8Array>>;
}

/** `ocikit blob get REPOSITORY@DIGEST`: the verified blob bytes on stdout. */
export const run: CommandRun = async ([location], _flags, session) => {
  const parsed = parseLocation(location as string, { defaultTag: false });
  const digest = parsed.kind === 'registry' ? parsed.reference.digest : undefined;
  if (digest === undefined) {
    throw new OciError(
      'REFERENCE_INVALID',
      `"${location}" names no blob: give a registry repository and digest, such as REPO@sha256:…`,
    );
  }
  const client = await session.client();
  const opened = await client.open(location as string);
  try {
    const target = opened.target as unknown as Partial<BlobReader>;
    if (typeof target.statBlob !== 'function' || typeof target.fetch !== 'function') {
      throw new OciError('UNSUPPORTED', `"${location}" cannot read blobs by digest alone`);
    }
    const descriptor = await target.statBlob(digest);
    const stream = await target.fetch(descriptor);
    for await (const chunk of stream) session.out(chunk);
  } finally {
    await opened.close();
  }
};
