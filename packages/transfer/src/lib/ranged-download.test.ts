import {
  type Fetcher,
  fetchBytes,
  MemoryStore,
  type RangeFetcher,
  type RangeFetchOptions,
} from '@ocikit/content';
import { FileStore } from '@ocikit/content/fs';
import type { Descriptor } from '@ocikit/spec';
import { ociFailure, tempDirs } from '@ocikit/testbed';
import { describe, expect, it } from 'vitest';
import { copy } from './copy.ts';
import { image, load, nth } from './graphs.testing.ts';

const tempDir = tempDirs('ocikit-transfer-ranged-');

/** A memory store whose ranged reads are recorded, and cut after `cutAfter` bytes the first `cuts` times. */
class RecordingSource extends MemoryStore implements RangeFetcher {
  readonly ranges: { offset: number; length: number | undefined }[] = [];
  cuts = 0;
  cutAfter = 0;

  override async fetchRange(
    descriptor: Descriptor,
    options: RangeFetchOptions,
  ): Promise<ReadableStream<Uint8Array>> {
    this.ranges.push({ offset: options.offset, length: options.length });
    const bytes = await fetchBytes(this, descriptor, { maxBytes: Infinity });
    const end = options.length === undefined ? bytes.byteLength : options.offset + options.length;
    if (this.cuts > 0) {
      this.cuts -= 1;
      const cut = bytes.slice(options.offset, options.offset + this.cutAfter);
      let sent = false;
      return new ReadableStream({
        pull(controller) {
          if (sent) controller.error(new Error('connection reset'));
          else controller.enqueue(cut);
          sent = true;
        },
      });
    }
    // Copied slices with a non-zero byteOffset, in uneven chunks.
    const part = new Uint8Array(bytes.buffer.slice(0), options.offset, end - options.offset);
    return new ReadableStream({
      start(controller) {
        for (let at = 0; at < part.byteLength; at += 777) {
          controller.enqueue(part.subarray(at, at + 777));
        }
        controller.close();
      },
    });
  }
}

async function seeded(layerSize: number) {
  const graph = image([layerSize]);
  const from = new RecordingSource();
  await load(from, graph);
  from.ranges.length = 0;
  return { graph, from, layer: nth(graph.blobs, 1) };
}

describe('copy with rangedDownload', () => {
  it('fetches a layer as ranges of partSize (the last one shorter), bit-exact into a file store, at every part count', async () => {
    for (const parts of [1, 2, 3, 7]) {
      const { graph, from, layer } = await seeded(10_000);
      const to = await FileStore.open(await tempDir());
      const result = await copy(
        { from, to, reference: graph.root },
        { rangedDownload: { minSize: 5000, parts, partSize: 3000 } },
      );
      expect(result.bytesCopied, `parts ${parts}`).toBe(
        10_000 + nth(graph.blobs, 0).descriptor.size,
      );
      expect(from.ranges, `parts ${parts}`).toEqual([
        { offset: 0, length: 3000 },
        { offset: 3000, length: 3000 },
        { offset: 6000, length: 3000 },
        { offset: 9000, length: 1000 },
      ]);
      const stored = await fetchBytes(to, layer.descriptor, { maxBytes: Infinity });
      expect(Buffer.compare(stored, layer.bytes), `parts ${parts}`).toBe(0);
    }
  });

  it('fetches blobs under minSize, and from a source without ranges, as one stream', async () => {
    const small = await seeded(4000);
    await copy(
      { from: small.from, to: new MemoryStore(), reference: small.graph.root },
      { rangedDownload: { minSize: 5000, partSize: 1000 } },
    );
    expect(small.from.ranges).toEqual([]);
    const { graph, layer } = await seeded(10_000);
    const memory = new MemoryStore();
    await load(memory, graph);
    const plain: Fetcher = { fetch: (descriptor, options) => memory.fetch(descriptor, options) };
    const to = new MemoryStore();
    await copy(
      { from: plain, to, reference: graph.root },
      { rangedDownload: { minSize: 1, partSize: 1000 } },
    );
    expect(await fetchBytes(to, layer.descriptor, { maxBytes: Infinity })).toEqual(layer.bytes);
  });

  it('continues a part that broke off from its last byte', async () => {
    const { graph, from, layer } = await seeded(10_000);
    from.cuts = 1;
    from.cutAfter = 1234;
    const to = new MemoryStore();
    await copy(
      { from, to, reference: graph.root },
      { rangedDownload: { minSize: 1, parts: 1, partSize: 4000 } },
    );
    expect(from.ranges.slice(0, 2)).toEqual([
      { offset: 0, length: 4000 },
      { offset: 1234, length: 4000 - 1234 },
    ]);
    expect(await fetchBytes(to, layer.descriptor, { maxBytes: Infinity })).toEqual(layer.bytes);
  });

  it('fails with DIGEST_MISMATCH from the source for a flipped byte in one part, and commits nothing', async () => {
    const { graph, from, layer } = await seeded(10_000);
    const honest = from.fetchRange.bind(from);
    from.fetchRange = async (descriptor, options) => {
      const stream = await honest(descriptor, options);
      if (options.offset !== 3000) return stream;
      let first = true;
      return stream.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            const copied = new Uint8Array(chunk);
            if (first) copied[0] = (copied[0] ?? 0) ^ 0xff;
            first = false;
            controller.enqueue(copied);
          },
        }),
      );
    };
    const to = await FileStore.open(await tempDir());
    const error = await ociFailure(
      copy({ from, to, reference: graph.root }, { rangedDownload: { minSize: 1, partSize: 3000 } }),
    );
    expect(error).toMatchObject({ code: 'DIGEST_MISMATCH', origin: 'source' });
    expect(await to.exists(layer.descriptor)).toBe(false);
  });

  it('stops with ABORTED when aborted while parts are in flight, committing nothing', async () => {
    const { graph, from, layer } = await seeded(10_000);
    const controller = new AbortController();
    const slow = from.fetchRange.bind(from);
    from.fetchRange = async (descriptor, options) => {
      if (options.offset > 0) controller.abort();
      return slow(descriptor, options);
    };
    const to = await FileStore.open(await tempDir());
    const error = await ociFailure(
      copy(
        { from, to, reference: graph.root },
        { rangedDownload: { minSize: 1, partSize: 3000 }, signal: controller.signal },
      ),
    );
    expect(error.code).toBe('ABORTED');
    expect(await to.exists(layer.descriptor)).toBe(false);
  });

  it('refuses a bad rangedDownload with OPTION_INVALID naming the field', async () => {
    for (const [label, value] of [
      ['parts', { parts: 0 }],
      ['partSize', { partSize: 1.5 }],
      ['minSize', { minSize: -1 }],
    ] as const) {
      const error = await ociFailure(
        copy(
          { from: new MemoryStore(), to: new MemoryStore(), reference: 'v1' },
          { rangedDownload: value },
        ),
      );
      expect(error.code, label).toBe('OPTION_INVALID');
      expect(error.message, label).toContain(label);
    }
  });
});
