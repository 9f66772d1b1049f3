import { describe, expect, it } from 'vitest';
import { concatBytes, readBytes, streamFromBytes } from './bytes.ts';

describe('readBytes', () => {
  const data = Uint8Array.from({ length: 100 }, (_, index) => index);

  it('reads a whole stream at every chunk size', async () => {
    for (let chunkSize = 1; chunkSize <= 100; chunkSize += 1) {
      const bytes = await readBytes(streamFromBytes(data, chunkSize), { maxBytes: 100 });
      expect(bytes, `chunk ${chunkSize}`).toEqual(data);
    }
  });

  it('fails with SIZE_EXCEEDED one byte past the limit and cancels the stream', async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new Uint8Array(10));
      },
      cancel() {
        cancelled = true;
      },
    });
    await expect(readBytes(stream, { maxBytes: 99 })).rejects.toMatchObject({
      code: 'SIZE_EXCEEDED',
      message: expect.stringContaining('99'),
    });
    expect(cancelled).toBe(true);
  });

  it('fails with ABORTED when the signal fires', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      readBytes(streamFromBytes(data), { maxBytes: 1000, signal: controller.signal }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

describe('concatBytes', () => {
  it('joins views, including ones at a non-zero offset', () => {
    const base = Uint8Array.of(9, 1, 2, 3, 4);
    expect(concatBytes([base.subarray(1, 3), base.subarray(3)])).toEqual(Uint8Array.of(1, 2, 3, 4));
    expect(concatBytes([])).toEqual(new Uint8Array(0));
  });
});
