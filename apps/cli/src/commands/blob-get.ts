import { once } from 'node:events';
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { errnoCode, writeFileAtomic } from '@ocikit/content/fs';
import { isOciError, OciError } from '@ocikit/digest';
import { parseLocation } from '@ocikit/reference';
import { interruptSignal } from '../lib/interrupt.ts';
import type { CommandRun } from '../lib/program.ts';

interface BlobReader {
  statBlob(
    digest: string,
    options: { signal: AbortSignal },
  ): Promise<{ digest: string; size: number; mediaType: string }>;
  fetch(
    descriptor: { digest: string; size: number; mediaType: string },
    options: { signal: AbortSignal },
  ): Promise<ReadableStream<Uint8Array>>;
}

/**
 * `ocikit blob get REPOSITORY@DIGEST [-o FILE]`: the verified blob bytes on
 * stdout, or in FILE (written atomically: nothing is left of an interrupted
 * or failed download). Ctrl-C or SIGTERM aborts the download.
 */
export const run: CommandRun = async ([location], flags, session) => {
  const parsed = parseLocation(location as string, { defaultTag: false });
  const digest = parsed.kind === 'registry' ? parsed.reference.digest : undefined;
  if (digest === undefined) {
    throw new OciError(
      'REFERENCE_INVALID',
      `"${location}" names no blob: give a registry repository and digest, such as REPO@sha256:…`,
    );
  }
  const output = flags.output as string | undefined;
  if (output !== undefined) await checkOutput(output);
  const signal = interruptSignal();
  const client = await session.client();
  const opened = await client.open(location as string);
  try {
    const target = opened.target as unknown as Partial<BlobReader>;
    if (typeof target.statBlob !== 'function' || typeof target.fetch !== 'function') {
      throw new OciError('UNSUPPORTED', `"${location}" cannot read blobs by digest alone`);
    }
    const descriptor = await target.statBlob(digest, { signal });
    const stream = await target.fetch(descriptor, { signal });
    if (output === undefined) {
      await writeToStdout(stream, signal);
    } else {
      await writeFileAtomic(output, stream, { signal }).catch((error: unknown) => {
        const code = isOciError(error) ? undefined : errnoCode(error);
        if (code === undefined) throw error;
        throw new OciError('PATH_INVALID', `Cannot write the blob to "${output}": ${code}`, {
          cause: error,
        });
      });
    }
  } finally {
    await opened.close();
  }
};

/** Copies a stream to stdout, waiting while a slow reader has its buffer full. */
async function writeToStdout(
  stream: ReadableStream<Uint8Array>,
  signal: AbortSignal,
): Promise<void> {
  for await (const chunk of stream) {
    if (!process.stdout.write(chunk)) await once(process.stdout, 'drain', { signal });
  }
}

/**
 * Fails before any request when `-o FILE` cannot be written: its directory
 * must exist, and FILE must not be a directory.
 */
async function checkOutput(output: string): Promise<void> {
  const [file, dir] = await Promise.all(
    [output, dirname(resolve(output))].map((path) => stat(path).catch(() => undefined)),
  );
  if (!dir?.isDirectory()) {
    throw new OciError('PATH_INVALID', `Cannot write the blob to "${output}": no such directory`);
  }
  if (file?.isDirectory()) {
    throw new OciError('PATH_INVALID', `Cannot write the blob to "${output}": it is a directory`);
  }
}
