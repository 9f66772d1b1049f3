import { join } from 'node:path';
import { fetchBytes, MemoryStore, type RepositoryLocation } from '@ocikit/content';
import { OciLayout } from '@ocikit/layout/fs';
import { Repository } from '@ocikit/registry';
import { faultClient, getTestbed, ociFailure, tempDirs, uniqueRepo } from '@ocikit/testbed';
import type { TraceEvent } from '@ocikit/transport';
import { createNodeTransport } from '@ocikit/transport/node';
import { describe, expect, it } from 'vitest';
import { copy } from './copy.ts';
import { FileUploadSessions } from './file-upload-sessions.node.ts';
import { image, load, nth } from './graphs.testing.ts';
import type { CopyResult } from './options.ts';
import { runChild } from './run-child.testing.node.ts';
import { MemoryUploadSessions } from './upload-sessions.ts';

const tempDir = tempDirs('ocikit-transfer-upload-');
const MIB = 1024 * 1024;
const CHILD = join(import.meta.dirname, 'upload-child.testing.node.ts');

/** Upload requests (method, path, body length) of a repository, from the transport's trace. */
function tracedRepository(name: string, sent: { method: string; path: string; length: number }[]) {
  const transport = createNodeTransport({
    retry: { retries: 0 },
    onTrace: (event: TraceEvent) => {
      if (event.type !== 'request' || !event.url.includes('/blobs/uploads/')) return;
      const length = Number(event.headers['content-length'] ?? 0);
      sent.push({ method: event.method, path: new URL(event.url).pathname, length });
    },
  });
  return new Repository(
    { registry: getTestbed().faults.host, repository: name },
    { transport, chunkSize: MIB },
  );
}

/** A session store that calls `onRecord` with how many times a blob's session was recorded, once it is. */
class WatchedSessions extends MemoryUploadSessions {
  readonly #inner: MemoryUploadSessions;
  readonly #digest: string;
  readonly #onRecord: (times: number) => unknown;
  #recorded = 0;

  constructor(inner: MemoryUploadSessions, digest: string, onRecord: (times: number) => unknown) {
    super();
    this.#inner = inner;
    this.#digest = digest;
    this.#onRecord = onRecord;
  }

  override get(where: RepositoryLocation, digest: string) {
    return this.#inner.get(where, digest);
  }

  override delete(where: RepositoryLocation, digest: string) {
    return this.#inner.delete(where, digest);
  }

  override async set(where: RepositoryLocation, digest: string, location: string) {
    await this.#inner.set(where, digest, location);
    if (digest === this.#digest) await this.#onRecord(++this.#recorded);
  }
}

/** An image of one random layer of `size` bytes, in a memory store. */
async function oneLayerImage(size: number) {
  const graph = image([size]);
  const memory = new MemoryStore();
  await load(memory, graph);
  return { graph, layer: nth(graph.blobs, 1), memory };
}

describe('resumable uploads to the real registry', () => {
  it('a blob upload whose PATCH the proxy drops mid-body 3 times in a row, after 2 chunks landed, continues the same session from the offset the registry reports: one session, bit-exact, under blob + 4 chunks sent', async () => {
    const { graph, layer, memory } = await oneLayerImage(6 * MIB);
    const name = uniqueRepo('transfer/upload-resume');
    const sent: { method: string; path: string; length: number }[] = [];
    const to = tracedRepository(name, sent);
    const faults = faultClient(getTestbed().faults.controlUrl);
    let rule: Awaited<ReturnType<typeof faults.add>> | undefined;
    // Recorded at the start and after each chunk: after the second chunk, the next 3 PATCHes are cut.
    const sessions = new WatchedSessions(
      new MemoryUploadSessions(),
      layer.descriptor.digest,
      async (times) => {
        if (times !== 3) return;
        rule = await faults.add({
          method: 'PATCH',
          path: `^/v2/${name}/blobs/uploads/`,
          times: 3,
          fault: { type: 'drop-request', afterBytes: 300_000 },
        });
      },
    );
    try {
      const result = await copy(
        { from: memory, to, reference: graph.root },
        { tags: ['v1'], uploadSessions: sessions },
      );
      expect(await rule?.hits()).toBe(3);
      expect(result.root).toEqual(graph.root);
      const stored = await fetchBytes(to, layer.descriptor, { maxBytes: Infinity });
      expect(Buffer.compare(stored, layer.bytes)).toBe(0);
      // Every chunk of the layer went to one session: the POST's location, never a second POST.
      const layerRequests = sent.filter((r) => r.length > 100_000 || r.method === 'GET');
      expect(new Set(layerRequests.map((r) => r.path)).size).toBe(1);
      // The registry's recovery asked twice, the copy once more before it continued.
      expect(sent.filter((r) => r.method === 'GET')).toHaveLength(3);
      const total = layerRequests.reduce((sum, r) => sum + r.length, 0);
      expect(total).toBe(layer.descriptor.size + 3 * MIB);
      expect(total).toBeLessThan(2 * layer.descriptor.size);
      // The continued attempt read the source from 2 MiB on: 4 MiB, after the 2 MiB of the first.
      expect(result.bytesCopied).toBe(4 * MIB + nth(graph.blobs, 0).descriptor.size);
      expect(result.bytesResumed).toBe(2 * MIB);
    } finally {
      await rule?.remove();
    }
  });

  it('a second run with a store opened from the sessions file continues the upload a stopped first run left, sending only the rest', async () => {
    const { graph, layer, memory } = await oneLayerImage(5 * MIB);
    const name = uniqueRepo('transfer/upload-rerun');
    const file = join(await tempDir(), 'sessions', 'upload-sessions.json');
    const first: { method: string; path: string; length: number }[] = [];
    const controller = new AbortController();
    const stopped = await ociFailure(
      copy(
        { from: memory, to: tracedRepository(name, first), reference: graph.root },
        {
          // Stopped right after its second chunk was recorded (before the next is sent).
          uploadSessions: new WatchedSessions(
            await FileUploadSessions.open(file),
            layer.descriptor.digest,
            (times) => times === 3 && controller.abort(),
          ),
          signal: controller.signal,
        },
      ),
    );
    expect(stopped.code).toBe('ABORTED');
    const kept = (await FileUploadSessions.open(file)).entries();
    // The config's session may be kept too, when its push was under way.
    expect(kept.map(([, repository, digest]) => [repository, digest])).toContainEqual([
      name,
      layer.descriptor.digest,
    ]);

    const second: { method: string; path: string; length: number }[] = [];
    const to = tracedRepository(name, second);
    const sessions = await FileUploadSessions.open(file);
    const result = await copy(
      { from: memory, to, reference: graph.root },
      { tags: ['v1'], uploadSessions: sessions },
    );
    expect(result.root).toEqual(graph.root);
    const stored = await fetchBytes(to, layer.descriptor, { maxBytes: Infinity });
    expect(Buffer.compare(stored, layer.bytes)).toBe(0);
    // The rerun asked the registry where the session stood and sent only the rest of the layer.
    const layerSent = second.filter((r) => r.length > 100_000);
    expect(second.filter((r) => r.method === 'GET').length).toBeGreaterThanOrEqual(1);
    expect(layerSent.reduce((sum, r) => sum + r.length, 0)).toBe(layer.descriptor.size - 2 * MIB);
    expect(result.bytesCopied).toBeLessThan(layer.descriptor.size);
    // The layer's session is forgotten once it landed.
    const left = (await FileUploadSessions.open(file)).entries();
    expect(left.filter(([, , digest]) => digest === layer.descriptor.digest)).toEqual([]);
  });

  it('a rerun in a new process continues the upload of a process SIGKILLed between two chunks, from the session recorded in the file', async () => {
    const { graph, layer, memory } = await oneLayerImage(5 * MIB);
    const dir = await tempDir();
    const layout = await OciLayout.open(join(dir, 'layout'), { create: true });
    await copy({ from: memory, to: layout, reference: graph.root }, { tags: ['v1'] });
    const name = uniqueRepo('transfer/upload-kill');
    const env = {
      OCIKIT_UPLOAD_LAYOUT: layout.root,
      OCIKIT_UPLOAD_REGISTRY: getTestbed().anonymous.host,
      OCIKIT_UPLOAD_REPOSITORY: name,
      OCIKIT_UPLOAD_SESSIONS: join(dir, 'sessions', 'upload-sessions.json'),
      OCIKIT_UPLOAD_DIGEST: layer.descriptor.digest,
    };
    // Recorded at the start and after each chunk: killed after the third chunk landed.
    const killed = await runChild(CHILD, { ...env, OCIKIT_UPLOAD_HOLD_AT: '4' });
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.result).toBeUndefined();

    const rerun = await runChild(CHILD, env);
    const result = rerun.result as CopyResult;
    expect(result.root).toEqual(graph.root);
    // The layer's first 3 MiB stayed in the registry's session: only the rest moved.
    expect(result.bytesResumed).toBe(3 * MIB);
    expect(result.bytesCopied).toBeLessThanOrEqual(2 * MIB + nth(graph.blobs, 0).descriptor.size);
    const to = new Repository(
      { registry: getTestbed().anonymous.host, repository: name },
      { transport: createNodeTransport() },
    );
    const stored = await fetchBytes(to, layer.descriptor, { maxBytes: Infinity });
    expect(Buffer.compare(stored, layer.bytes)).toBe(0);
  }, 60_000);
});
