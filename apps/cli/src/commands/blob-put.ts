import { Readable } from 'node:stream';
import { isDigest, OciError } from '@ocikit/digest';
import type { CommandRun } from '../lib/program.ts';
import { refuseTerminal } from '../lib/read-input.ts';

/** `ocikit blob put REPOSITORY [FILE|-]`: `Client.pushBlob`, streamed; the digest on stdout. */
export const run: CommandRun = async ([repository, file], flags, session) => {
  const digest = flags.digest as string | undefined;
  const mediaType = flags.mediaType as string | undefined;
  if (digest !== undefined && !isDigest(digest)) {
    throw new OciError(
      'OPTION_INVALID',
      `--digest "${digest}" is no digest, such as sha256:<64 hex>`,
    );
  }
  const fromStdin = file === undefined || file === '-';
  if (fromStdin) refuseTerminal('a FILE');
  const content = fromStdin ? (Readable.toWeb(process.stdin) as ReadableStream<Uint8Array>) : file;
  const client = await session.client();
  const pushed = await client.pushBlob(repository as string, content, {
    ...(digest === undefined ? {} : { digest }),
    ...(mediaType === undefined ? {} : { mediaType }),
  });
  session.log(`Pushed blob ${pushed.digest} (${pushed.size} bytes) to ${repository}`);
  if (session.format === 'json') session.json(pushed);
  else session.out(`${pushed.digest}\n`);
};
