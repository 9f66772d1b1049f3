import { createHash, randomBytes } from 'node:crypto';
import { OciError, streamFromBytes } from '@ocikit/digest';
import { ociFailure } from '@ocikit/testbed';
import { describe, expect, it } from 'vitest';
import { resumableBody, skipBytes } from './resumable-body.ts';

async function drain(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** A body that delivers `bytes` in chunks, then breaks (or ends early) after `cut` bytes. */
function breaking(bytes: Uint8Array, cut: number, chunkSize: number, how: 'error' | 'end') {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= cut) {
        if (how === 'error') controller.error(new TypeError('terminated'));
        else controller.close();
        return;
      }
      const end = Math.min(offset + chunkSize, cut);
      controller.enqueue(bytes.subarray(offset, end));
      offset = end;
    },
  });
}

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('resumableBody', () => {
  const data = new Uint8Array(randomBytes(97));

  it('resumes at every break point, at every chunk size, from the byte it needs', async () => {
    for (const how of ['error', 'end'] as const) {
      for (let cut = 0; cut < data.byteLength; cut += 7) {
        for (const chunkSize of [1, 5, 96]) {
          const opened: number[] = [];
          const body = resumableBody({
            first: breaking(data, cut, chunkSize, how),
            open: async (offset) => {
              opened.push(offset);
              return streamFromBytes(data.subarray(offset), chunkSize);
            },
            start: 0,
            size: data.byteLength,
            maxResumes: 1,
            what: 'blob',
          });
          const out = await drain(body);
          expect(sha(out), `${how} at ${cut}, chunks of ${chunkSize}`).toBe(sha(data));
          expect(opened).toEqual([cut]);
        }
      }
    }
  });

  it('starts mid-content and reads views at a non-zero byteOffset', async () => {
    const padded = new Uint8Array(data.byteLength + 11);
    padded.set(data, 11);
    const view = padded.subarray(11);
    const body = resumableBody({
      first: breaking(view.subarray(40), 20, 3, 'error'),
      open: async (offset) => streamFromBytes(view.subarray(offset), 4),
      start: 40,
      size: view.byteLength,
      maxResumes: 2,
      what: 'blob',
    });
    expect(sha(await drain(body))).toBe(sha(data.subarray(40)));
  });

  it('gives up after maxResumes with a typed error', async () => {
    const broken = (how: 'error' | 'end') =>
      resumableBody({
        first: breaking(data, 10, 4, how),
        open: async (offset) => breaking(data.subarray(offset), 5, 4, how),
        start: 0,
        size: data.byteLength,
        maxResumes: 2,
        what: 'blob',
      });
    const error = await ociFailure(drain(broken('error')));
    expect(error.code).toBe('NETWORK_ERROR');
    expect(error.message).toContain('20 of 97');
    expect((await ociFailure(drain(broken('end')))).code).toBe('SIZE_MISMATCH');
  });

  it('never passes a byte past the size', async () => {
    const longer = new Uint8Array(randomBytes(120));
    const chunks: Uint8Array[] = [];
    const body = resumableBody({
      first: streamFromBytes(longer, 50),
      open: async () => {
        throw new Error('not reopened');
      },
      start: 0,
      size: 97,
      maxResumes: 1,
      what: 'blob',
    });
    const error = await ociFailure(
      (async () => {
        for await (const chunk of body) chunks.push(chunk);
      })(),
    );
    expect(error.code).toBe('SIZE_EXCEEDED');
    expect(chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0)).toBeLessThanOrEqual(97);
  });

  it('passes on what open throws, and fails with ABORTED when the signal fired', async () => {
    const notFound = new OciError('BLOB_UNKNOWN', 'gone');
    const body = resumableBody({
      first: breaking(data, 3, 1, 'error'),
      open: async () => {
        throw notFound;
      },
      start: 0,
      size: data.byteLength,
      maxResumes: 3,
      what: 'blob',
    });
    expect(await ociFailure(drain(body))).toBe(notFound);
    const controller = new AbortController();
    controller.abort();
    const aborted = resumableBody({
      first: breaking(data, 3, 1, 'error'),
      open: async (offset) => streamFromBytes(data.subarray(offset)),
      start: 0,
      size: data.byteLength,
      maxResumes: 3,
      what: 'blob',
      signal: controller.signal,
    });
    expect((await ociFailure(drain(aborted))).code).toBe('ABORTED');
  });

  it('cancels the body it reads when it is cancelled', async () => {
    let cancelled = false;
    const first = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.enqueue(new Uint8Array(1)),
      cancel: () => {
        cancelled = true;
      },
    });
    const body = resumableBody({
      first,
      open: async () => first,
      start: 0,
      size: 100,
      maxResumes: 0,
      what: 'blob',
    });
    const reader = body.getReader();
    await reader.read();
    await reader.cancel();
    expect(cancelled).toBe(true);
  });
});

describe('skipBytes', () => {
  it('drops the first bytes at every chunk size and offset', async () => {
    const data = new Uint8Array(randomBytes(40));
    for (let chunkSize = 1; chunkSize <= 40; chunkSize += 1) {
      for (const skip of [0, 1, 7, 39, 40]) {
        const out = await drain(streamFromBytes(data, chunkSize).pipeThrough(skipBytes(skip)));
        expect(sha(out), `${skip} of chunks of ${chunkSize}`).toBe(sha(data.subarray(skip)));
      }
    }
  });
});
