import { MemoryStore, type OperationOptions } from '@ocikit/content';
import type { Descriptor } from '@ocikit/spec';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { copy } from './copy.ts';
import { image, load, nth } from './graphs.testing.ts';
import { type ProgressEvent, Tally } from './progress.ts';

/** A store whose layer arrives in 1 000-byte chunks, 30 ms of (fake) time apart. */
class SlowChunks extends MemoryStore {
  readonly #layer: string;
  constructor(layer: string) {
    super();
    this.#layer = layer;
  }
  override async fetch(
    descriptor: Descriptor,
    options?: OperationOptions,
  ): Promise<ReadableStream<Uint8Array>> {
    const whole = await super.fetch(descriptor, options);
    if (descriptor.digest !== this.#layer) return whole;
    const bytes = new Uint8Array(await new Response(whole).arrayBuffer());
    let at = 0;
    return new ReadableStream({
      pull(controller) {
        if (at >= bytes.length) {
          controller.close();
          return;
        }
        vi.advanceTimersByTime(30);
        controller.enqueue(bytes.slice(at, at + 1000));
        at += 1000;
      },
    });
  }
}

/** The `transferred` of each bytes event of the layer, copying with a progress interval. */
async function byteEvents(progressIntervalMs?: number): Promise<number[]> {
  const graph = image([10_000]);
  const layer = nth(graph.blobs, 1).descriptor;
  const from = new SlowChunks(layer.digest);
  await load(from, graph);
  const events: ProgressEvent[] = [];
  await copy(
    { from, to: new MemoryStore(), reference: graph.root },
    {
      onProgress: (event) => events.push(event),
      ...(progressIntervalMs === undefined ? {} : { progressIntervalMs }),
    },
  );
  return events.flatMap((event) =>
    event.type === 'bytes' && event.descriptor.digest === layer.digest ? [event.transferred] : [],
  );
}

describe('progress events', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reports the bytes of a blob at most once per 100 ms by default (fake clock, chunks 30 ms apart)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    expect(await byteEvents()).toEqual([1000, 5000, 9000]);
  });

  it('reports every chunk with progressIntervalMs: 0', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    expect(await byteEvents(0)).toHaveLength(10);
  });

  it('builds no per-chunk reporter when nobody listens', () => {
    const tally = new Tally(undefined, 100);
    expect(tally.byteEvents({ mediaType: 'x', digest: 'sha256:0', size: 1 } as never)).toBe(
      undefined,
    );
  });

  it('refuses a negative progressIntervalMs with OPTION_INVALID', async () => {
    const graph = image([10]);
    const from = new MemoryStore();
    await load(from, graph);
    await expect(
      copy({ from, to: new MemoryStore(), reference: graph.root }, { progressIntervalMs: -1 }),
    ).rejects.toMatchObject({ code: 'OPTION_INVALID' });
  });
});
