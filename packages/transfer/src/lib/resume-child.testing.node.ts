// Run as a child process by resume.int.test.ts: copies OCIKIT_RESUME_REPOSITORY:v1
// of the registry OCIKIT_RESUME_REGISTRY into the OCI layout OCIKIT_RESUME_LAYOUT.
// With OCIKIT_RESUME_HOLD_AT (bytes), once that many blob bytes arrived it prints
// {"held": bytesCopied} and stops its event loop, for the parent to SIGKILL it
// mid-copy; otherwise it prints the copy's result as one JSON line.
import { OciLayout } from '@ocikit/layout/fs';
import { Repository } from '@ocikit/registry';
import { createNodeTransport } from '@ocikit/transport/node';
import { copy } from './copy.ts';

const holdAt = Number(process.env.OCIKIT_RESUME_HOLD_AT ?? 0);
const from = new Repository(
  {
    registry: process.env.OCIKIT_RESUME_REGISTRY ?? '',
    repository: process.env.OCIKIT_RESUME_REPOSITORY ?? '',
  },
  { transport: createNodeTransport() },
);
const to = await OciLayout.open(process.env.OCIKIT_RESUME_LAYOUT ?? '', { create: true });
const result = await copy(
  { from, to, reference: 'v1' },
  {
    progressIntervalMs: 0,
    onProgress: (event) => {
      if (holdAt > 0 && event.totals.bytesCopied >= holdAt) {
        process.stdout.write(`${JSON.stringify({ held: event.totals.bytesCopied })}\n`);
        // Stop here, mid-copy, until the parent kills this process.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
      }
    },
  },
);
process.stdout.write(`${JSON.stringify(result)}\n`);
