// Run as a child process by resumable-upload.int.test.ts: copies
// OCIKIT_UPLOAD_LAYOUT:v1 into OCIKIT_UPLOAD_REGISTRY/OCIKIT_UPLOAD_REPOSITORY
// (1 MiB chunks) with the upload sessions of the file OCIKIT_UPLOAD_SESSIONS.
// With OCIKIT_UPLOAD_HOLD_AT (a count), once the session of the blob
// OCIKIT_UPLOAD_DIGEST was recorded that many times it prints {"held": n} and
// stops its event loop between two chunks, for the parent to SIGKILL it;
// otherwise it prints the copy's result as one JSON line.
import type { RepositoryLocation } from '@ocikit/content';
import { OciLayout } from '@ocikit/layout/fs';
import { Repository } from '@ocikit/registry';
import { createNodeTransport } from '@ocikit/transport/node';
import { copy } from './copy.ts';
import { FileUploadSessions } from './file-upload-sessions.node.ts';

const holdAt = Number(process.env.OCIKIT_UPLOAD_HOLD_AT ?? 0);
const sessions = await FileUploadSessions.open(process.env.OCIKIT_UPLOAD_SESSIONS ?? '');
let recorded = 0;
const set = sessions.set.bind(sessions);
sessions.set = async (where: RepositoryLocation, digest: string, location: string) => {
  await set(where, digest, location);
  if (digest !== process.env.OCIKIT_UPLOAD_DIGEST || ++recorded !== holdAt) return;
  process.stdout.write(`${JSON.stringify({ held: recorded })}\n`);
  // Stop here, between two chunks, until the parent kills this process.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
};
const from = await OciLayout.open(process.env.OCIKIT_UPLOAD_LAYOUT ?? '');
const to = new Repository(
  {
    registry: process.env.OCIKIT_UPLOAD_REGISTRY ?? '',
    repository: process.env.OCIKIT_UPLOAD_REPOSITORY ?? '',
  },
  { transport: createNodeTransport(), chunkSize: 1024 * 1024 },
);
const result = await copy({ from, to, reference: 'v1' }, { uploadSessions: sessions });
process.stdout.write(`${JSON.stringify(result)}\n`);
