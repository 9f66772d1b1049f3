import { type Fetcher, fetchBytes, MemoryStore, type Storage } from '@ocikit/content';
import { FileStore } from '@ocikit/content/fs';
import { configBlob, randomBlob } from '@ocikit/contracts';
import { createVerifyStream, OciError, streamFromBytes } from '@ocikit/digest';
import {
  createImageIndex,
  createImageManifest,
  type Descriptor,
  MediaType,
  parseManifest,
} from '@ocikit/spec';
import { ociFailure, tempDirs } from '@ocikit/testbed';
import { describe, expect, it } from 'vitest';
import { copy } from './copy.ts';
import { TransferError } from './errors.ts';
import { type Graph, image, index, load, nth, referrer } from './graphs.testing.ts';
import type { ProgressEvent } from './progress.ts';

const tempDir = tempDirs('ocikit-transfer-');

async function fileStore(): Promise<FileStore> {
  return FileStore.open(await tempDir(), { fsync: false });
}

/** Asserts that a store holds every blob and manifest of a graph, byte for byte. */
async function expectHolds(store: Storage, graph: Graph): Promise<void> {
  for (const blob of graph.blobs) {
    expect(await fetchBytes(store, blob.descriptor, { maxBytes: Infinity })).toEqual(blob.bytes);
  }
  for (const manifest of graph.manifests) {
    expect(await fetchBytes(store, manifest.descriptor)).toEqual(manifest.bytes);
  }
}

/** A store that records how many pushes run at once and which digests were pushed. */
class CountingStore extends MemoryStore {
  running = 0;
  peak = 0;
  readonly pushed: string[] = [];
  override async push(descriptor: Descriptor, content: ReadableStream<Uint8Array>): Promise<void> {
    this.running += 1;
    this.peak = Math.max(this.peak, this.running);
    this.pushed.push(descriptor.digest);
    try {
      await new Promise((resolve) => setTimeout(resolve, 1));
      await super.push(descriptor, content);
    } finally {
      this.running -= 1;
    }
  }
}

function multiPlatform(): Graph {
  return index([
    {
      graph: image([300, 200], { platform: { os: 'linux', architecture: 'amd64' } }),
      platform: 'linux/amd64',
    },
    {
      graph: image([400], { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }),
      platform: 'linux/arm64/v8',
    },
    {
      graph: image([100], { platform: { os: 'linux', architecture: 's390x' } }),
      platform: 'linux/s390x',
    },
  ]);
}

describe('copy between MemoryStore and FileStore', () => {
  it('copies indexes and manifests (OCI and Docker) with their exact bytes, in every direction', async () => {
    const graphs: [string, Graph][] = [
      ['OCI index of three images', multiPlatform()],
      [
        'Docker manifest list of Docker schema 2 images',
        index(
          [
            { graph: image([100, 50], { docker: true }), platform: 'linux/amd64' },
            { graph: image([70], { docker: true }), platform: 'linux/arm64' },
          ],
          { docker: true },
        ),
      ],
      [
        'artifact with the empty config',
        referrer(image([10]).root, 'application/vnd.example.sbom'),
      ],
    ];
    const pairs: [string, () => Promise<Storage>, () => Promise<Storage>][] = [
      ['memory → memory', async () => new MemoryStore(), async () => new MemoryStore()],
      ['memory → file', async () => new MemoryStore(), fileStore],
      ['file → memory', fileStore, async () => new MemoryStore()],
      ['file → file', fileStore, fileStore],
    ];
    for (const [graphName, graph] of graphs) {
      for (const [pairName, makeSource, makeDestination] of pairs) {
        const from = await makeSource();
        const to = await makeDestination();
        await load(from, graph);
        const result = await copy({ from, to, reference: graph.root }, { tags: [] });
        expect(result.root, `${graphName}, ${pairName}`).toEqual(graph.root);
        expect(result.manifests, `${graphName}, ${pairName}`).toBe(graph.manifests.length);
        expect(result.blobsCopied, `${graphName}, ${pairName}`).toBe(
          new Set(graph.blobs.map((blob) => blob.descriptor.digest)).size,
        );
        await expectHolds(to, graph);
      }
    }
  });

  it('resolves a tag at the source and sets it at the destination after the root is pushed', async () => {
    const graph = multiPlatform();
    const from = new MemoryStore();
    await load(from, graph);
    await from.tag(graph.root, 'v1');
    const to = new MemoryStore();
    const result = await copy({ from, to, reference: 'v1' }, { tags: undefined });
    expect(result.tags).toEqual(['v1']);
    expect(await to.resolve('v1')).toMatchObject({ digest: graph.root.digest });
    const other = await copy({ from, to: new MemoryStore(), reference: graph.root.digest });
    expect(other.tags).toEqual([]);
  });

  it('pushes children before parents, and each shared blob or repeated entry once', async () => {
    const shared = randomBlob(500);
    const config = configBlob();
    const a = createImageManifest({
      config: config.descriptor,
      layers: [shared.descriptor, shared.descriptor],
    });
    const b = createImageManifest({
      config: config.descriptor,
      layers: [shared.descriptor],
      annotations: { which: 'b' },
    });
    const root = createImageIndex({ manifests: [a.descriptor, b.descriptor, a.descriptor] });
    const from = new MemoryStore();
    await load(from, { blobs: [config, shared], manifests: [a, b, root], root: root.descriptor });
    const to = new CountingStore();
    const result = await copy({ from, to, reference: root.descriptor });
    expect(to.pushed.filter((digest) => digest === shared.descriptor.digest)).toHaveLength(1);
    expect(to.pushed.filter((digest) => digest === a.digest)).toHaveLength(1);
    expect(to.pushed).toHaveLength(5);
    expect(to.pushed.at(-1)).toBe(root.digest);
    for (const manifest of [a, b]) {
      const at = to.pushed.indexOf(manifest.digest);
      expect(at).toBeGreaterThan(to.pushed.indexOf(shared.descriptor.digest));
      expect(at).toBeGreaterThan(to.pushed.indexOf(config.descriptor.digest));
    }
    expect(result).toMatchObject({
      blobsCopied: 2,
      manifests: 3,
      bytesCopied: 500 + config.bytes.byteLength,
    });
  });

  it('holds one concurrency limit across every level of the graph', async () => {
    const graph = index([
      { graph: image([10, 20, 30, 40]), platform: 'linux/amd64' },
      { graph: image([50, 60, 70, 80]), platform: 'linux/arm64' },
    ]);
    const from = new MemoryStore();
    await load(from, graph);
    for (const concurrency of [1, 2, 3]) {
      const to = new CountingStore();
      await copy({ from, to, reference: graph.root }, { concurrency });
      expect(to.peak, `concurrency ${concurrency}`).toBe(concurrency);
    }
  });

  it('checks blobs beside each other, up to 4 × concurrency, while pushes stay within concurrency', async () => {
    const graph = image([10, 20, 30, 40, 50, 60, 70, 80]);
    const from = new MemoryStore();
    await load(from, graph);
    class CheckingStore extends CountingStore {
      checking = 0;
      checkPeak = 0;
      override async exists(descriptor: Descriptor): Promise<boolean> {
        this.checking += 1;
        this.checkPeak = Math.max(this.checkPeak, this.checking);
        try {
          await new Promise((resolve) => setTimeout(resolve, 5));
          return await super.exists(descriptor);
        } finally {
          this.checking -= 1;
        }
      }
    }
    const to = new CheckingStore();
    await copy({ from, to, reference: graph.root }, { concurrency: 1 });
    expect(to.peak).toBe(1);
    // 9 blobs (config and 8 layers) are checked 4 at once; a push in flight may check one more.
    expect(to.checkPeak).toBeGreaterThanOrEqual(4);
    expect(to.checkPeak).toBeLessThanOrEqual(4 + 1);
  });

  it('skips what the destination has: one exists per blob, nothing below a manifest it holds', async () => {
    const graph = multiPlatform();
    const from = new MemoryStore();
    await load(from, graph);
    const to = new MemoryStore();
    const half = image([300, 200]);
    await load(to, { ...half, blobs: graph.blobs.slice(0, 2), manifests: [] });
    const first = await copy({ from, to, reference: graph.root });
    expect(first.blobsSkipped).toBe(2);
    expect(first.blobsCopied).toBe(graph.blobs.length - 2);
    const second = await copy({ from, to, reference: graph.root });
    expect(second).toMatchObject({ blobsCopied: 0, blobsSkipped: 0, bytesCopied: 0, manifests: 1 });
  });

  it('fetches the root manifest beside the check of the destination, and a child manifest only after its check', async () => {
    const graph = multiPlatform();
    const log: string[] = [];
    const name = (digest: string) => (digest === graph.root.digest ? 'root' : digest);
    const children = new Set(graph.manifests.slice(0, -1).map((m) => m.descriptor.digest));
    class LoggingSource extends MemoryStore {
      override async fetch(descriptor: Descriptor, options?: { signal?: AbortSignal }) {
        if (descriptor.digest === graph.root.digest || children.has(descriptor.digest)) {
          log.push(`fetch ${children.has(descriptor.digest) ? 'child' : name(descriptor.digest)}`);
        }
        return super.fetch(descriptor, options);
      }
    }
    class SlowCheck extends MemoryStore {
      override async exists(descriptor: Descriptor): Promise<boolean> {
        const kind = children.has(descriptor.digest) ? 'child' : name(descriptor.digest);
        if (kind !== 'root' && kind !== 'child') return super.exists(descriptor);
        log.push(`check ${kind}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
        log.push(`checked ${kind}`);
        return super.exists(descriptor);
      }
    }
    const from = new LoggingSource();
    await load(from, graph);
    await copy({ from, to: new SlowCheck(), reference: graph.root });
    expect(log.slice(0, 3)).toEqual(['check root', 'fetch root', 'checked root']);
    expect(log.indexOf('fetch child')).toBeGreaterThan(log.indexOf('checked child'));
  });

  it('copies nothing when the destination has the root, though its fetch at the source failed, and leaves no fetch running', async () => {
    const graph = multiPlatform();
    let fetching = 0;
    class FailingSource extends MemoryStore {
      override async fetch(): Promise<ReadableStream<Uint8Array>> {
        fetching += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
        fetching -= 1;
        throw new OciError('MANIFEST_UNKNOWN', 'gone from the source');
      }
    }
    const to = new MemoryStore();
    await load(to, graph);
    const result = await copy({ from: new FailingSource(), to, reference: graph.root });
    expect([result.manifests, result.blobsCopied, fetching]).toEqual([1, 0, 0]);
    const empty = new MemoryStore();
    const failed = await copy({
      from: new FailingSource(),
      to: empty,
      reference: graph.root,
    }).catch((error: unknown) => error);
    expect(failed).toMatchObject({ code: 'MANIFEST_UNKNOWN', origin: 'source' });
  });

  it('plans with dryRun: counts what would move and the bytes, and writes no blob, manifest or tag', async () => {
    const graph = multiPlatform();
    const from = new MemoryStore();
    await load(from, graph);
    const to = new CountingStore();
    await load(to, { ...graph, blobs: graph.blobs.slice(0, 2), manifests: [] });
    to.pushed.length = 0;
    const missing = graph.blobs.slice(2);
    const planned = await copy({ from, to, reference: graph.root }, { dryRun: true, tags: ['v1'] });
    expect(planned).toMatchObject({
      blobsSkipped: 2,
      blobsCopied: missing.length,
      blobsMounted: 0,
      bytesCopied: missing.reduce((sum, blob) => sum + blob.descriptor.size, 0),
      manifests: graph.manifests.length,
      tags: ['v1'],
    });
    expect(planned.root).toEqual(graph.root);
    expect(to.pushed).toEqual([]);
    expect(await to.exists(graph.root)).toBe(false);
    await expect(to.resolve('v1')).rejects.toMatchObject({ code: 'MANIFEST_UNKNOWN' });
  });

  it('sends every blob and manifest again with force, though the destination has them all', async () => {
    const graph = multiPlatform();
    const from = new MemoryStore();
    await load(from, graph);
    const to = new CountingStore();
    await load(to, graph);
    to.pushed.length = 0;
    const forced = await copy({ from, to, reference: graph.root }, { force: true });
    expect(forced).toMatchObject({ blobsSkipped: 0, blobsCopied: graph.blobs.length });
    expect(new Set(to.pushed)).toEqual(
      new Set([...graph.blobs, ...graph.manifests].map((each) => each.descriptor.digest)),
    );
    const planned = await copy({ from, to, reference: graph.root }, { dryRun: true, force: true });
    expect(planned).toMatchObject({ blobsSkipped: 0, blobsCopied: graph.blobs.length });
  });

  it('skips foreign layers and lists them, or copies them when asked', async () => {
    const config = configBlob();
    const layer = randomBlob(100);
    const foreign = randomBlob(100, MediaType.DockerForeignLayer);
    const withUrls = randomBlob(50, MediaType.OciLayerNondistributableGzip);
    const manifest = createImageManifest({
      config: config.descriptor,
      layers: [
        layer.descriptor,
        foreign.descriptor,
        { ...withUrls.descriptor, urls: ['https://example.com/l'] },
      ],
    });
    const graph = {
      blobs: [config, layer, foreign, withUrls],
      manifests: [manifest],
      root: manifest.descriptor,
    };
    const from = new MemoryStore();
    await load(from, graph);
    const skipping = new MemoryStore();
    const events: ProgressEvent[] = [];
    const skipped = await copy(
      { from, to: skipping, reference: graph.root },
      { onProgress: (e) => events.push(e) },
    );
    expect(skipped.foreignSkipped.map((d) => d.digest)).toEqual([
      foreign.descriptor.digest,
      withUrls.descriptor.digest,
    ]);
    expect(await skipping.exists(foreign.descriptor)).toBe(false);
    expect(await skipping.exists(manifest.descriptor)).toBe(true);
    expect(events.filter((e) => e.type === 'skipped' && e.reason === 'foreign')).toHaveLength(2);
    const copying = new MemoryStore();
    const copied = await copy(
      { from, to: copying, reference: graph.root },
      { foreignLayers: 'copy' },
    );
    expect(copied.foreignSkipped).toEqual([]);
    await expectHolds(copying, graph);
  });

  it('reports per blob started, bytes, done in order, and skipped; totals add up', async () => {
    const graph = image([70_000]);
    const from = new MemoryStore();
    await load(from, graph);
    const to = new MemoryStore();
    await to.push(nth(graph.blobs, 0).descriptor, streamFromBytes(nth(graph.blobs, 0).bytes));
    const events: ProgressEvent[] = [];
    const result = await copy(
      { from, to, reference: graph.root },
      { onProgress: (e) => events.push(e) },
    );
    const layer = nth(graph.blobs, 1).descriptor.digest;
    const steps = events.filter((e) => e.descriptor.digest === layer).map((e) => e.type);
    expect(steps[0]).toBe('started');
    expect(steps.at(-1)).toBe('done');
    expect(new Set(steps.slice(1, -1))).toEqual(new Set(['bytes']));
    const lastBytes = events.filter((e) => e.type === 'bytes').at(-1);
    expect(lastBytes).toMatchObject({ transferred: 70_000 });
    expect(
      events.find((e) => e.descriptor.digest === nth(graph.blobs, 0).descriptor.digest),
    ).toMatchObject({
      type: 'skipped',
      reason: 'exists',
    });
    expect(events.at(-1)?.totals).toMatchObject({
      blobsCopied: 1,
      blobsSkipped: 1,
      bytesCopied: 70_000,
      manifests: 1,
    });
    expect(result.bytesCopied).toBe(70_000);
  });
});

describe('copy with a platform filter', () => {
  it('keeps the index (same digest) when every entry matches, else pushes a new index of the subset', async () => {
    const graph = multiPlatform();
    const from = new MemoryStore();
    await load(from, graph);
    const source = parseManifest(await fetchBytes(from, graph.root));
    const all = await copy(
      { from, to: new MemoryStore(), reference: graph.root },
      { platforms: ['linux/amd64', 'linux/arm64', 'linux/s390x'] },
    );
    expect(all.root).toEqual(graph.root);
    const to = new MemoryStore();
    const subset = await copy(
      { from, to, reference: graph.root },
      { platforms: ['linux/amd64', 'linux/arm64'], tags: ['v1'] },
    );
    expect(subset.root.digest).not.toBe(graph.root.digest);
    expect(subset.sourceRoot).toEqual(graph.root);
    const pushed = parseManifest(await fetchBytes(to, subset.root), {
      contentType: subset.root.mediaType,
    });
    if (pushed.kind !== 'index' || source.kind !== 'index') throw new Error('not an index');
    expect(pushed.value.manifests).toEqual(source.value.manifests.slice(0, 2));
    expect(await to.exists(nth(source.value.manifests, 2))).toBe(false);
    expect(await to.resolve('v1')).toMatchObject({ digest: subset.root.digest });
    expect(subset.manifests).toBe(3);
  });

  it('filters a nested index and rebuilds its parent to name the new inner index', async () => {
    const inner = multiPlatform();
    const innerIndex = nth(inner.manifests, inner.manifests.length - 1);
    const outer = createImageIndex({ manifests: [innerIndex.descriptor] });
    const graph = {
      blobs: inner.blobs,
      manifests: [...inner.manifests, outer],
      root: outer.descriptor,
    };
    const from = new MemoryStore();
    await load(from, graph);
    const to = new MemoryStore();
    const result = await copy({ from, to, reference: graph.root }, { platforms: ['linux/s390x'] });
    const pushedOuter = parseManifest(await fetchBytes(to, result.root));
    if (pushedOuter.kind !== 'index') throw new Error('not an index');
    const [innerEntry] = pushedOuter.value.manifests;
    expect(innerEntry?.digest).not.toBe(innerIndex.digest);
    const pushedInner = parseManifest(await fetchBytes(to, innerEntry as Descriptor));
    if (pushedInner.kind !== 'index') throw new Error('not an index');
    expect(pushedInner.value.manifests.map((m) => m.platform?.architecture)).toEqual(['s390x']);
    expect(result.manifests).toBe(3);
  });

  it('fails with PLATFORM_NOT_FOUND when no entry matches, and PLATFORM_INVALID for a bad specifier', async () => {
    const graph = multiPlatform();
    const from = new MemoryStore();
    await load(from, graph);
    const to = new MemoryStore();
    const none = await ociFailure(
      copy({ from, to, reference: graph.root }, { platforms: ['windows/amd64'] }),
    );
    expect(none).toBeInstanceOf(TransferError);
    expect(none).toMatchObject({ code: 'PLATFORM_NOT_FOUND', origin: 'source' });
    expect(await to.exists(graph.root)).toBe(false);
    const bad = await ociFailure(
      copy({ from, to, reference: graph.root }, { platforms: ['linux//x'] }),
    );
    expect(bad.code).toBe('PLATFORM_INVALID');
  });
});

describe('copy of referrers', () => {
  it('copies referrers of the root and of every child, recursively, filtered by artifactType', async () => {
    const graph = multiPlatform();
    const child = nth(graph.manifests, 0).descriptor;
    const rootSig = referrer(graph.root, 'application/vnd.example.signature');
    const childSbom = referrer(child, 'application/vnd.example.sbom');
    const sbomSig = referrer(childSbom.root, 'application/vnd.example.signature');
    const from = new MemoryStore();
    for (const g of [graph, rootSig, childSbom, sbomSig]) await load(from, g);
    const everything = new MemoryStore();
    const all = await copy({ from, to: everything, reference: graph.root }, { referrers: true });
    expect(all.referrers).toBe(3);
    for (const g of [rootSig, childSbom, sbomSig]) await expectHolds(everything, g);
    const signatures = new MemoryStore();
    const some = await copy(
      { from, to: signatures, reference: graph.root },
      { referrers: { artifactType: 'application/vnd.example.signature' } },
    );
    expect(some.referrers).toBe(1);
    expect(await signatures.exists(rootSig.root)).toBe(true);
    expect(await signatures.exists(childSbom.root)).toBe(false);
  });

  it('refuses referrers from a source that cannot list them', async () => {
    const fetcher: Fetcher = new MemoryStore();
    const source = { fetch: fetcher.fetch.bind(fetcher) };
    const error = await ociFailure(
      copy(
        { from: source, to: new MemoryStore(), reference: image([1]).root },
        { referrers: true },
      ),
    );
    expect(error.code).toBe('OPTION_INVALID');
  });
});

describe('copy of bad input', () => {
  it('fails with BLOB_UNKNOWN from the source for a missing child and pushes no parent', async () => {
    const graph = image([100, 200]);
    const from = new MemoryStore();
    await load(from, { ...graph, blobs: graph.blobs.slice(0, 2) });
    const to = new MemoryStore();
    const error = await ociFailure(copy({ from, to, reference: graph.root }));
    expect(error).toMatchObject({ code: 'BLOB_UNKNOWN', origin: 'source' });
    expect(error.message).toContain(nth(graph.blobs, 2).descriptor.digest);
    expect(await to.exists(graph.root)).toBe(false);
  });

  it('fails with DIGEST_MISMATCH for tampered blob bytes and commits nothing of that blob', async () => {
    const graph = image([4096]);
    const from = new MemoryStore();
    await load(from, graph);
    const layer = nth(graph.blobs, 1);
    const tampered = layer.bytes.slice();
    tampered[2000] = (tampered[2000] ?? 0) ^ 1;
    const lying: Fetcher = {
      async fetch(descriptor) {
        if (descriptor.digest !== layer.descriptor.digest) return from.fetch(descriptor);
        return streamFromBytes(tampered, 1000).pipeThrough(createVerifyStream(descriptor));
      },
    };
    const to = new MemoryStore();
    const error = await ociFailure(copy({ from: lying, to, reference: graph.root }));
    expect(error).toMatchObject({ code: 'DIGEST_MISMATCH', origin: 'source' });
    expect(await to.exists(layer.descriptor)).toBe(false);
    expect(await to.exists(graph.root)).toBe(false);
  });

  it('fails with DIGEST_MISMATCH when a fetcher answers a child digest with its parent (no cycle is followed)', async () => {
    const graph = index([{ graph: image([10]), platform: 'linux/amd64' }]);
    const from = new MemoryStore();
    await load(from, graph);
    const child = nth(graph.manifests, 0).descriptor;
    const parentBytes = nth(graph.manifests, 1).bytes;
    const cyclic: Fetcher = {
      async fetch(descriptor) {
        return descriptor.digest === child.digest
          ? streamFromBytes(parentBytes)
          : from.fetch(descriptor);
      },
    };
    const error = await ociFailure(
      copy({ from: cyclic, to: new MemoryStore(), reference: graph.root }),
    );
    expect(error).toMatchObject({ code: 'DIGEST_MISMATCH', origin: 'source' });
  });

  it('fails with SIZE_EXCEEDED for a manifest over maxManifestSize before fetching it', async () => {
    const graph = image([10]);
    let fetched = 0;
    const from = new MemoryStore();
    await load(from, graph);
    const counting: Fetcher = {
      fetch: (descriptor, options) => {
        fetched += 1;
        return from.fetch(descriptor, options);
      },
    };
    const error = await ociFailure(
      copy(
        { from: counting, to: new MemoryStore(), reference: graph.root },
        { maxManifestSize: graph.root.size - 1 },
      ),
    );
    expect(error).toMatchObject({ code: 'SIZE_EXCEEDED', origin: 'source' });
    expect(fetched).toBe(0);
  });

  it('fails with UNSUPPORTED_MEDIA_TYPE for a root that is not a manifest', async () => {
    const blob = randomBlob(10);
    const from = new MemoryStore();
    await from.push(blob.descriptor, streamFromBytes(blob.bytes));
    const error = await ociFailure(
      copy({ from, to: new MemoryStore(), reference: blob.descriptor }),
    );
    expect(error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('rejects bad options, and tags for a destination that cannot tag', async () => {
    const from = new MemoryStore();
    const reference = image([1]).root;
    const files = await fileStore();
    const cases: [string, () => Promise<unknown>][] = [
      ['concurrency 0', () => copy({ from, to: new MemoryStore(), reference }, { concurrency: 0 })],
      [
        'maxManifestSize 0.5',
        () => copy({ from, to: new MemoryStore(), reference }, { maxManifestSize: 0.5 }),
      ],
      [
        'empty platforms',
        () => copy({ from, to: new MemoryStore(), reference }, { platforms: [] }),
      ],
      [
        'foreignLayers',
        () => copy({ from, to: new MemoryStore(), reference }, { foreignLayers: 'x' as never }),
      ],
      ['tags on FileStore', () => copy({ from, to: files, reference }, { tags: ['v1'] })],
    ];
    for (const [label, run] of cases) {
      expect((await ociFailure(run())).code, label).toBe('OPTION_INVALID');
    }
  });
});

describe('copy cancelled', () => {
  it('fails with ABORTED when aborted before it starts', async () => {
    const graph = image([10]);
    const from = new MemoryStore();
    await load(from, graph);
    const error = await ociFailure(
      copy({ from, to: new MemoryStore(), reference: graph.root }, { signal: AbortSignal.abort() }),
    );
    expect(error.code).toBe('ABORTED');
  });

  it('stops promptly when aborted mid-blob and leaves no blob or manifest of it behind', async () => {
    const graph = image([1 << 20, 1 << 20]);
    const from = new MemoryStore();
    await load(from, graph);
    const stalled = nth(graph.blobs, 2);
    const slow: Fetcher = {
      async fetch(descriptor, options) {
        if (descriptor.digest !== stalled.descriptor.digest) return from.fetch(descriptor, options);
        let sent = false;
        return new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent) return new Promise(() => {});
            sent = true;
            controller.enqueue(stalled.bytes.subarray(0, 1000));
          },
        }).pipeThrough(createVerifyStream(descriptor));
      },
    };
    for (const dest of [new MemoryStore(), await fileStore()]) {
      const controller = new AbortController();
      const error = await ociFailure(
        copy(
          { from: slow, to: dest, reference: graph.root },
          {
            tags: [],
            signal: controller.signal,
            onProgress: (event) => {
              if (event.type === 'bytes' && event.descriptor.digest === stalled.descriptor.digest) {
                controller.abort();
              }
            },
          },
        ),
      );
      expect(error.code).toBe('ABORTED');
      expect(await dest.exists(stalled.descriptor)).toBe(false);
      expect(await dest.exists(graph.root)).toBe(false);
    }
  });
});

describe('TransferError', () => {
  it('keeps the code and status of the cause and says the side', () => {
    const cause = new OciError('DENIED', 'no push', { status: 403 });
    const error = new TransferError('destination', cause, 'push x');
    expect(error).toBeInstanceOf(OciError);
    expect(error).toMatchObject({ code: 'DENIED', status: 403, origin: 'destination', cause });
    expect(error.message).toContain('no push');
  });
});
