import { concatBytes, readBytes, streamFromBytes } from '@ocikit/digest';
import { errorCode } from '@ocikit/testbed';
import { describe, expect, it } from 'vitest';
import { decompressArchive, gunzip } from './compression.ts';

/** `size` bytes that deflate cannot shrink much (a xorshift sequence). */
function noise(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let state = 0x9e3779b9;
  for (let i = 0; i < size; i += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  return bytes;
}

/** All of a stream's bytes (at most 16 MiB). */
function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return readBytes(stream, { maxBytes: 16 * 1024 * 1024 });
}

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const compressed = streamFromBytes(bytes).pipeThrough(
    new CompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>,
  );
  return readAll(compressed);
}

/** A copy of `bytes` as a view at a non-zero offset of a larger buffer. */
function offsetView(bytes: Uint8Array): Uint8Array {
  const buffer = new Uint8Array(bytes.byteLength + 13);
  buffer.set(bytes, 13);
  return buffer.subarray(13);
}

/** A source that yields `first`, then waits until cancelled, recording the reason. */
function stalledSource(first: Uint8Array) {
  const seen: { reason?: unknown } = {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(first);
    },
    pull: () => new Promise<void>(() => {}),
    cancel(reason) {
      seen.reason = reason;
    },
  });
  return { stream, seen };
}

describe('decompressArchive', () => {
  it('decompresses gzip split at every chunk size, and passes other bytes through as they are', async () => {
    const small = concatBytes([new TextEncoder().encode('tar bytes\n'), noise(5_000)]);
    const gzipped = await gzip(small);
    for (const size of [1, 2, 3, 7, 512, 4096, gzipped.byteLength]) {
      const stream = await decompressArchive(streamFromBytes(offsetView(gzipped), size));
      expect(await readAll(stream), `chunks of ${size}`).toEqual(small);
    }
    // One chunk larger than what is handed to the decompressor at once.
    const large = noise(300_000);
    const stream = await decompressArchive(streamFromBytes(await gzip(large)));
    expect(await readAll(stream)).toEqual(large);
    for (const plain of [small, new Uint8Array([0x1f]), new Uint8Array(0)]) {
      expect(await readAll(await decompressArchive(streamFromBytes(plain, 3)))).toEqual(plain);
    }
  });

  it('refuses zstd with TAR_INVALID and cancels the source', async () => {
    const { stream, seen } = stalledSource(new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0]));
    expect(await errorCode(decompressArchive(stream))).toBe('TAR_INVALID');
    expect(seen).toHaveProperty('reason');
  });

  it('fails truncated or corrupt gzip with TAR_INVALID, and a failing source with its own error', async () => {
    const bytes = noise(100_000);
    const gzipped = await gzip(bytes);
    const corrupt = gzipped.slice();
    corrupt.set([~(gzipped.at(-6) ?? 0)], gzipped.byteLength - 6); // the trailer's CRC-32
    const cases: [label: string, gzip: Uint8Array][] = [
      ['truncated in the data', gzipped.subarray(0, 50_000)],
      ['truncated in the trailer', gzipped.subarray(0, gzipped.byteLength - 3)],
      ['a wrong CRC-32', corrupt],
      ['garbage after the header', concatBytes([gzipped.subarray(0, 10), noise(1000)])],
    ];
    for (const [label, input] of cases) {
      const stream = await decompressArchive(streamFromBytes(input, 4096));
      expect(await errorCode(readAll(stream)), label).toBe('TAR_INVALID');
    }
    const failure = new Error('connection reset');
    let pulls = 0;
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls += 1;
        if (pulls === 1) controller.enqueue(gzipped.subarray(0, 20_000));
        else controller.error(failure);
      },
    });
    await expect(readAll(await decompressArchive(source))).rejects.toBe(failure);
  });
});

describe('gunzip', () => {
  it('cancels the source when its output is cancelled, while the source is stalled', async () => {
    const gzipped = await gzip(noise(100_000));
    const { stream, seen } = stalledSource(gzipped.subarray(0, 10_000));
    const reader = gunzip(stream).getReader();
    expect((await reader.read()).done).toBe(false);
    const reason = new Error('consumer gave up');
    await reader.cancel(reason);
    expect(seen.reason).toBe(reason);
  });
});
