import { fetchBytes, MemoryStore, type RangeFetchOptions } from '@ocikit/content';
import { FileStore } from '@ocikit/content/fs';
import type { Descriptor } from '@ocikit/spec';
import { tempDirs } from '@ocikit/testbed';
import { describe, expect, it } from 'vitest';
import { copy } from './copy.ts';
import { image, load, nth } from './graphs.testing.ts';
import type { ProgressEvent } from './progress.ts';

const tempDir = tempDirs('ocikit-transfer-resume-');

/** A memory store that records the offsets of its range reads, and the digests it reads whole. */
class RangeRecordingStore extends MemoryStore {
  readonly ranges: number[] = [];
  readonly wholeReads: string[] = [];
  override fetch(
    descriptor: Descriptor,
    options?: { signal?: AbortSignal },
  ): Promise<ReadableStream<Uint8Array>> {
    this.wholeReads.push(descriptor.digest);
    return super.fetch(descriptor, options);
  }
  override fetchRange(
    descriptor: Descriptor,
    options: RangeFetchOptions,
  ): Promise<ReadableStream<Uint8Array>> {
    this.ranges.push(options.offset);
    return super.fetchRange(descriptor, options);
  }
}

/** A stream of `bytes` that fails after them, as a source that breaks off. */
function breakingOff(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream({
    pull(controller) {
      if (sent) controller.error(new Error('connection lost'));
      else controller.enqueue(bytes);
      sent = true;
    },
  });
}

describe('copy continues partial writes the destination kept', () => {
  it('a FileStore holding the first 120 000 bytes of a layer gets only the rest, read with fetchRange', async () => {
    const graph = image([200_000]);
    const layer = nth(graph.blobs, 1);
    const from = new RangeRecordingStore();
    await load(from, graph);
    const to = await FileStore.open(await tempDir(), { fsync: false });
    await expect(
      to.push(layer.descriptor, breakingOff(layer.bytes.subarray(0, 120_000))),
    ).rejects.toThrow('connection lost');
    expect(await to.resumeOffset(layer.descriptor)).toBe(120_000);
    const events: ProgressEvent[] = [];
    const result = await copy(
      { from, to, reference: graph.root },
      { onProgress: (event) => events.push(event) },
    );
    expect(from.ranges).toEqual([120_000]);
    const config = nth(graph.blobs, 0).descriptor.size;
    expect(result).toMatchObject({ bytesResumed: 120_000, bytesCopied: config + 80_000 });
    const started = events.find(
      (event) => event.type === 'started' && event.descriptor.digest === layer.descriptor.digest,
    );
    expect(started).toMatchObject({ offset: 120_000 });
    const bytes = await fetchBytes(to, layer.descriptor, { maxBytes: Infinity });
    expect(Buffer.compare(bytes, layer.bytes)).toBe(0);
  });

  it('commits a layer whose every byte a killed writer kept, reading nothing of it from the source', async () => {
    const graph = image([60_000]);
    const layer = nth(graph.blobs, 1);
    const from = new RangeRecordingStore();
    await load(from, graph);
    const to = await FileStore.open(await tempDir(), { fsync: false });
    await expect(to.push(layer.descriptor, breakingOff(layer.bytes))).rejects.toThrow(
      'connection lost',
    );
    expect(await to.resumeOffset(layer.descriptor)).toBe(layer.descriptor.size);
    const result = await copy({ from, to, reference: graph.root });
    expect(from.ranges).toEqual([]);
    expect(from.wholeReads).not.toContain(layer.descriptor.digest);
    const config = nth(graph.blobs, 0).descriptor.size;
    expect(result).toMatchObject({ bytesResumed: 60_000, bytesCopied: config });
    const bytes = await fetchBytes(to, layer.descriptor, { maxBytes: Infinity });
    expect(Buffer.compare(bytes, layer.bytes)).toBe(0);
  });

  it('copies a layer whole again when the kept bytes are wrong (the store drops them on the mismatch)', async () => {
    const graph = image([50_000]);
    const layer = nth(graph.blobs, 1);
    const from = new RangeRecordingStore();
    await load(from, graph);
    const to = await FileStore.open(await tempDir(), { fsync: false });
    const wrong = layer.bytes.slice(0, 30_000);
    wrong[100] = (wrong[100] ?? 0) ^ 0xff;
    await expect(to.push(layer.descriptor, breakingOff(wrong))).rejects.toThrow('connection lost');
    expect(await to.resumeOffset(layer.descriptor)).toBe(30_000);
    const result = await copy({ from, to, reference: graph.root });
    expect(from.ranges).toEqual([30_000]);
    expect(result.bytesResumed).toBe(0);
    const bytes = await fetchBytes(to, layer.descriptor, { maxBytes: Infinity });
    expect(Buffer.compare(bytes, layer.bytes)).toBe(0);
  });

  it('copies whole into a destination that keeps no partial writes (a MemoryStore)', async () => {
    const graph = image([10_000]);
    const from = new RangeRecordingStore();
    await load(from, graph);
    const result = await copy({ from, to: new MemoryStore(), reference: graph.root });
    expect(from.ranges).toEqual([]);
    expect(result.bytesResumed).toBe(0);
  });
});
