import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { staticCredentials } from '@ocikit/auth';
import { fetchBytes, MemoryStore, type Storage } from '@ocikit/content';
import { OciLayout } from '@ocikit/layout/fs';
import { Repository } from '@ocikit/registry';
import { createImageManifest, type Descriptor } from '@ocikit/spec';
import {
  faultClient,
  getTestbed,
  ociFailure,
  skopeoInspect,
  tempDirs,
  umoci,
  uniqueRepo,
} from '@ocikit/testbed';
import type { TraceEvent } from '@ocikit/transport';
import { createNodeTransport } from '@ocikit/transport/node';
import { describe, expect, it } from 'vitest';
import { copy } from './copy.ts';
import { type Graph, image, index, load, nth, referrer } from './graphs.testing.ts';

const tempDir = tempDirs('ocikit-transfer-layout-');

async function layout(): Promise<OciLayout> {
  return OciLayout.open(await tempDir(), { create: true });
}

/** A new repository on the anonymous registry of the test bed, recording its requests. */
function repository(requests: { method: string; url: string; status?: number }[] = []): Repository {
  const { host } = getTestbed().anonymous;
  const transport = createNodeTransport({
    onTrace: (event: TraceEvent) => {
      if (event.type === 'response') {
        requests.push({ method: event.method, url: event.url, status: event.status });
      }
    },
  });
  return new Repository({ registry: host, repository: uniqueRepo('transfer/copy') }, { transport });
}

/** A new repository holding a graph, tagged `v1`, pushed with copy. */
async function inRegistry(
  graph: Graph,
  requests?: { method: string; url: string; status?: number }[],
): Promise<Repository> {
  const memory = new MemoryStore();
  await load(memory, graph);
  const repo = repository(requests);
  await copy({ from: memory, to: repo, reference: graph.root }, { tags: ['v1'] });
  return repo;
}

/**
 * A new repository holding {@link multiPlatform} tagged `v1`, a signature of
 * its index and an SBOM of its child manifest number `child`, pushed with copy.
 */
async function signedInRegistry(child: number) {
  const graph = multiPlatform();
  const signature = referrer(graph.root, 'application/vnd.example.signature');
  const sbom = referrer(nth(graph.manifests, child).descriptor, 'application/vnd.example.sbom');
  const memory = new MemoryStore();
  for (const g of [graph, signature, sbom]) await load(memory, g);
  const from = repository();
  await copy({ from: memory, to: from, reference: graph.root }, { referrers: true, tags: ['v1'] });
  return { graph, from, signature, sbom };
}

async function expectHolds(store: Storage, graph: Graph): Promise<void> {
  for (const blob of graph.blobs) {
    expect(await fetchBytes(store, blob.descriptor, { maxBytes: Infinity })).toEqual(blob.bytes);
  }
  for (const manifest of graph.manifests) {
    expect(await fetchBytes(store, manifest.descriptor)).toEqual(manifest.bytes);
  }
}

function multiPlatform(): Graph {
  return index([
    { graph: image([3000, 2000]), platform: 'linux/amd64' },
    { graph: image([4000]), platform: 'linux/arm64/v8' },
  ]);
}

/** Requests of one kind: method and a path fragment. */
function count(
  requests: readonly { method: string; url: string }[],
  method: string,
  path: string,
): number {
  return requests.filter((r) => r.method === method && new URL(r.url).pathname.includes(path))
    .length;
}

describe('copy between the real registry and OCI layouts', () => {
  it('memory → registry → layout → registry keeps every digest, read back by skopeo and umoci', async () => {
    const graph = multiPlatform();
    const first = await inRegistry(graph);
    const dir = await layout();
    const pulled = await copy({ from: first, to: dir, reference: 'v1' });
    expect(pulled.root).toEqual(graph.root);
    await expectHolds(dir, graph);
    const single = await layout();
    const child = graph.manifests[0]?.descriptor;
    if (!child) throw new Error('no child');
    await copy({ from: first, to: single, reference: child }, { tags: ['img'] });
    const stat = JSON.parse(
      (await umoci(['stat', '--image', `${single.root}:img`, '--json'])).stdout,
    );
    expect(stat.history).toBeDefined();
    const second = repository();
    const pushed = await copy({ from: dir, to: second, reference: 'v1' }, { tags: ['v2'] });
    expect(pushed.root).toEqual(graph.root);
    const { host } = getTestbed().anonymous;
    const raw = await skopeoInspect(`docker://${host}/${second.name}:v2`, { raw: true });
    expect(raw).toEqual(JSON.parse(new TextDecoder().decode(graph.manifests.at(-1)?.bytes)));
    await expectHolds(second, graph);
  });

  it('copies a Docker manifest list of schema 2 images registry → layout → registry, bytes unchanged', async () => {
    const graph = index(
      [
        { graph: image([3000], { docker: true }), platform: 'linux/amd64' },
        { graph: image([2000], { docker: true }), platform: 'linux/arm64' },
      ],
      { docker: true },
    );
    const from = await inRegistry(graph);
    const dir = await layout();
    expect((await copy({ from, to: dir, reference: 'v1' })).root).toEqual(graph.root);
    const back = repository();
    expect((await copy({ from: dir, to: back, reference: 'v1' })).root).toEqual(graph.root);
    await expectHolds(back, graph);
  });

  it('registry → registry on one registry mounts every blob: one POST each, no HEAD, no upload, no blob read', async () => {
    const graph = image([5000, 6000]);
    const sourceRequests: { method: string; url: string }[] = [];
    const from = await inRegistry(graph, sourceRequests);
    sourceRequests.length = 0;
    const requests: { method: string; url: string; status?: number }[] = [];
    const to = repository(requests);
    const result = await copy({ from, to, reference: graph.root }, { tags: ['v1'] });
    expect(result).toMatchObject({ blobsMounted: 3, blobsCopied: 0, bytesCopied: 0, manifests: 1 });
    expect(count(requests, 'HEAD', '/blobs/')).toBe(0);
    expect(count(requests, 'POST', '/blobs/uploads/')).toBe(3);
    expect(count(requests, 'PATCH', '/blobs/')).toBe(0);
    expect(count(requests, 'PUT', '/blobs/')).toBe(0);
    expect(count(sourceRequests, 'GET', '/blobs/')).toBe(0);
    await expectHolds(to, graph);
  });

  it('registry → registry on one registry: one HEAD and one GET of the source manifest, one HEAD of the destination manifest, a POST per blob, one PUT', async () => {
    const graph = image([5000, 6000, 7000]);
    const sourceRequests: { method: string; url: string; status?: number }[] = [];
    const from = await inRegistry(graph, sourceRequests);
    sourceRequests.length = 0;
    const requests: { method: string; url: string; status?: number }[] = [];
    const to = repository(requests);
    await copy({ from, to, reference: 'v1' }, { tags: ['v1'] });
    const digest = graph.root.digest;
    const exchange = (list: typeof requests) =>
      list.map((r) => {
        const path = new URL(r.url).pathname.replace(/^\/v2\/.*?\/(manifests|blobs)\//, '$1/');
        return `${r.method} ${r.status} ${path}`;
      });
    // No /v2/ ping, no token, no tag listing, no blob HEAD, the manifest fetched once.
    expect(exchange(sourceRequests)).toEqual([
      'HEAD 200 manifests/v1',
      `GET 200 manifests/${digest}`,
    ]);
    expect(exchange(requests).sort()).toEqual(
      [
        `HEAD 404 manifests/${digest}`,
        ...graph.blobs.map(() => 'POST 201 blobs/uploads/'),
        'PUT 201 manifests/v1',
      ].sort(),
    );
  });

  it('registry → registry on one registry sends its mounts beside each other, beyond concurrency: 4 POSTs in flight at concurrency 1', async () => {
    const graph = image([1000, 2000, 3000]);
    const from = await inRegistry(graph);
    let inFlight = 0;
    let peak = 0;
    const transport = createNodeTransport({
      onTrace: (event: TraceEvent) => {
        if (event.type === 'request' && event.method === 'POST') {
          inFlight += 1;
          peak = Math.max(peak, inFlight);
        }
        if (event.type === 'response' && event.method === 'POST') inFlight -= 1;
      },
    });
    const to = new Repository(
      { registry: getTestbed().anonymous.host, repository: uniqueRepo('transfer/mounts-at-once') },
      { transport },
    );
    const result = await copy({ from, to, reference: 'v1' }, { concurrency: 1 });
    expect(result).toMatchObject({ blobsMounted: 4, blobsCopied: 0 });
    expect(peak).toBe(4);
    await expectHolds(to, graph);
  });

  it('registry → registry on one registry: a mount the registry refuses (202, the source read through a mirror) cancels its session and sends the bytes', async () => {
    const { anonymous, basic } = getTestbed();
    const graph = image([3000, 4000]);
    // The image is only on the mirror (the basic-auth registry), under the same name.
    const name = uniqueRepo('transfer/mirrored');
    const basicTransport = createNodeTransport({
      credentials: staticCredentials({ [basic.host]: basic.users.push }),
    });
    const memory = new MemoryStore();
    await load(memory, graph);
    const onMirror = new Repository(
      { registry: basic.host, repository: name },
      { transport: basicTransport },
    );
    await copy({ from: memory, to: onMirror, reference: graph.root }, { tags: ['v1'] });
    const requests: { method: string; url: string; status?: number }[] = [];
    const transport = createNodeTransport({
      credentials: staticCredentials({ [basic.host]: basic.users.push }),
      hosts: { [anonymous.host]: { mirrors: [basic.host] } },
      onTrace: (event: TraceEvent) => {
        if (event.type === 'response') {
          requests.push({ method: event.method, url: event.url, status: event.status });
        }
      },
    });
    const from = new Repository({ registry: anonymous.host, repository: name }, { transport });
    const to = new Repository(
      { registry: anonymous.host, repository: uniqueRepo('transfer/refused-mount') },
      { transport },
    );
    const result = await copy({ from, to, reference: 'v1' });
    expect(result).toMatchObject({ blobsMounted: 0, blobsCopied: 3 });
    const onRegistry = requests.filter((r) => new URL(r.url).host === anonymous.host);
    expect(count(onRegistry, 'POST', '/blobs/uploads/')).toBe(6);
    expect(count(onRegistry, 'DELETE', '/blobs/uploads/')).toBe(3);
    await expectHolds(to, graph);
  });

  it('registry → registry on the token-auth registry mounts every blob across repositories', async () => {
    const { host, users } = getTestbed().token;
    const transport = createNodeTransport({
      credentials: staticCredentials({ [host]: users.push }),
    });
    const open = (name: string) =>
      new Repository({ registry: host, repository: uniqueRepo(name) }, { transport });
    const graph = image([4000, 5000]);
    const memory = new MemoryStore();
    await load(memory, graph);
    const from = open('transfer/token-source');
    await copy({ from: memory, to: from, reference: graph.root }, { tags: ['v1'] });
    const to = open('transfer/token-destination');
    const result = await copy({ from, to, reference: 'v1' });
    expect(result).toMatchObject({ blobsMounted: 3, blobsCopied: 0, bytesCopied: 0 });
    await expectHolds(to, graph);
  });

  it('layout → registry: a blob the repository has costs one HEAD and no upload', async () => {
    const shared = image([7000, 8000]);
    const dir = await layout();
    await load(dir, shared);
    const requests: { method: string; url: string; status?: number }[] = [];
    const to = repository(requests);
    await copy({ from: dir, to, reference: shared.root });
    // A second image with the same layers and another config.
    const [config] = image([1], { platform: { os: 'linux', architecture: 'riscv64' } }).blobs;
    if (!config) throw new Error('no config');
    const layers = shared.blobs.slice(1);
    const manifest = createImageManifest({
      config: config.descriptor,
      layers: layers.map((layer) => layer.descriptor),
    });
    const graph = { blobs: [config, ...layers], manifests: [manifest], root: manifest.descriptor };
    await load(dir, graph);
    requests.length = 0;
    const result = await copy({ from: dir, to, reference: manifest.descriptor });
    expect(result).toMatchObject({ blobsSkipped: 2, blobsCopied: 1 });
    for (const layer of layers) {
      const path = `/blobs/${layer.descriptor.digest}`;
      expect(
        requests.filter((r) => new URL(r.url).pathname.endsWith(path)).map((r) => r.method),
      ).toEqual(['HEAD']);
    }
    expect(count(requests, 'POST', '/blobs/uploads/')).toBe(1);
  });

  it('registry → layout copies referrers of the root and of a child, via the registry referrers listing', async () => {
    const { from, signature, sbom } = await signedInRegistry(0);
    const dir = await layout();
    const result = await copy({ from, to: dir, reference: 'v1' }, { referrers: true });
    expect(result.referrers).toBe(2);
    await expectHolds(dir, signature);
    await expectHolds(dir, sbom);
  });

  it('registry → layout of a platform subset pushes a new index of that subset', async () => {
    const graph = multiPlatform();
    const from = await inRegistry(graph);
    const dir = await layout();
    const result = await copy({ from, to: dir, reference: 'v1' }, { platforms: ['linux/arm64'] });
    expect(result.root.digest).not.toBe(graph.root.digest);
    expect(await dir.resolve('v1')).toMatchObject({ digest: result.root.digest });
    const [amd64, arm64] = graph.manifests.map((manifest) => manifest.descriptor as Descriptor);
    expect(await dir.exists(amd64 as Descriptor)).toBe(false);
    expect(await dir.exists(arm64 as Descriptor)).toBe(true);
  });

  it('memory → registry with three tags pushes the root once by digest with ?tag= and, as distribution 2.8 sets none, once per tag: no manifest GET', async () => {
    const graph = multiPlatform();
    const memory = new MemoryStore();
    await load(memory, graph);
    // Through the fault proxy (no faults), whose request log keeps the query the trace redacts.
    const to = new Repository(
      { registry: getTestbed().faults.host, repository: uniqueRepo('transfer/tags') },
      { transport: createNodeTransport() },
    );
    const result = await copy(
      { from: memory, to, reference: graph.root },
      { tags: ['a', 'b', 'c'] },
    );
    expect(result.tags).toEqual(['a', 'b', 'c']);
    expect(result.manifests).toBe(3);
    const manifestRequests = await faultClient(getTestbed().faults.controlUrl).requests(
      `^/v2/${to.name}/manifests/`,
    );
    const children = graph.manifests.slice(0, -1).map((m) => m.digest);
    const rootRequests = manifestRequests
      .map((r) => `${r.method} ${r.path.split('/manifests/')[1]}`)
      .filter((line) => !children.some((digest) => line.endsWith(digest)));
    expect(rootRequests).toEqual([
      `HEAD ${graph.root.digest}`,
      `PUT ${graph.root.digest}?tag=a&tag=b&tag=c`,
      'PUT a',
      'PUT b',
      'PUT c',
    ]);
    for (const tag of ['a', 'b', 'c']) {
      expect(await to.resolve(tag)).toMatchObject({ digest: graph.root.digest });
    }
  });

  it('memory → registry with one tag pushes the root in one PUT by that tag; a second copy with two tags, the root there, sets them by tag without pushing it again', async () => {
    const graph = image([1000]);
    const memory = new MemoryStore();
    await load(memory, graph);
    const requests: { method: string; url: string; status?: number }[] = [];
    const to = repository(requests);
    const manifestPuts = () =>
      requests
        .filter((r) => r.method === 'PUT' && new URL(r.url).pathname.includes('/manifests/'))
        .map((r) => new URL(r.url).pathname.split('/manifests/')[1]);
    await copy({ from: memory, to, reference: graph.root }, { tags: ['v1'] });
    expect(manifestPuts()).toEqual(['v1']);
    requests.length = 0;
    const again = await copy({ from: memory, to, reference: graph.root }, { tags: ['v2', 'v3'] });
    expect(again.tags).toEqual(['v2', 'v3']);
    expect(manifestPuts()).toEqual(['v2', 'v3']);
    for (const tag of ['v1', 'v2', 'v3']) {
      expect(await to.resolve(tag)).toMatchObject({ digest: graph.root.digest });
    }
  });

  it('registry → registry of a platform subset with referrers leaves out the referrers of the rewritten index, keeps those of a kept child', async () => {
    // The SBOM refers to the arm64 image, the signature to the index.
    const { graph, from, signature, sbom } = await signedInRegistry(1);
    const to = repository();
    const result = await copy(
      { from, to, reference: 'v1' },
      { platforms: ['linux/arm64'], referrers: true },
    );
    expect(result.root.digest).not.toBe(graph.root.digest);
    expect(result.referrers).toBe(1);
    await expectHolds(to, sbom);
    // The signature names the original index as its subject, which the destination does not hold.
    expect(await to.exists(signature.root)).toBe(false);
    expect(await to.exists(graph.root)).toBe(false);
    const listed = [];
    for await (const found of to.referrers(result.root)) listed.push(found);
    expect(listed).toEqual([]);
  });
});

/**
 * Every blob under a layout's blobs/sha256 hashes to its name (nothing
 * unverified was committed); partial writes kept for a resume are dot-files.
 */
async function expectOnlyVerifiedBlobs(dir: OciLayout): Promise<void> {
  const folder = join(dir.root, 'blobs', 'sha256');
  const names = await readdir(folder).catch(() => []);
  for (const name of names.filter((entry) => !entry.startsWith('.'))) {
    const bytes = await readFile(join(folder, name));
    expect(createHash('sha256').update(bytes).digest('hex'), name).toBe(name);
  }
}

describe('copy from the real registry through the fault proxy', () => {
  async function seeded(layerSizes: number[]) {
    const graph = image(layerSizes);
    const direct = await inRegistry(graph);
    const { host } = getTestbed().faults;
    const viaProxy = new Repository(
      { registry: host, repository: direct.name },
      { transport: createNodeTransport({ retry: { minDelayMs: 1, maxDelayMs: 5 } }) },
    );
    return { graph, viaProxy, faults: faultClient(getTestbed().faults.controlUrl) };
  }

  it('fails with DIGEST_MISMATCH from the source for a flipped byte and commits nothing unverified', async () => {
    const { graph, viaProxy, faults } = await seeded([50_000]);
    const layer = graph.blobs[1]?.descriptor.digest;
    const rule = await faults.add({
      method: 'GET',
      path: `/v2/${viaProxy.name}/blobs/${layer}`,
      times: 'always',
      fault: { type: 'corrupt', offset: 20_000 },
    });
    try {
      const dir = await layout();
      const error = await ociFailure(copy({ from: viaProxy, to: dir, reference: 'v1' }));
      expect(error).toMatchObject({ code: 'DIGEST_MISMATCH', origin: 'source' });
      expect(await dir.exists(graph.blobs[1]?.descriptor as Descriptor)).toBe(false);
      expect(await dir.exists(graph.root)).toBe(false);
      await expectOnlyVerifiedBlobs(dir);
    } finally {
      await rule.remove();
    }
  });

  it('completes bit-exact when a blob download breaks off midway, continued from the last byte (a 206 follows the cut response)', async () => {
    const { graph, viaProxy, faults } = await seeded([200_000]);
    const layer = graph.blobs[1]?.descriptor.digest;
    const path = `/v2/${viaProxy.name}/blobs/${layer}`;
    const rule = await faults.add({
      method: 'GET',
      path,
      fault: { type: 'drop-body', afterBytes: 70_000 },
    });
    try {
      const dir = await layout();
      const result = await copy({ from: viaProxy, to: dir, reference: 'v1' });
      expect(await rule.hits()).toBe(1);
      // The proxy records a cut response as 0; the continuation is a 206 (a Range request).
      expect((await faults.requests(path)).map((request) => request.status)).toEqual([0, 206]);
      // Each byte reached the destination once: nothing of the cut response was sent twice.
      const total = graph.blobs.reduce((sum, blob) => sum + blob.descriptor.size, 0);
      expect(result.bytesCopied).toBe(total);
      expect(result.root).toEqual(graph.root);
      await expectHolds(dir, graph);
    } finally {
      await rule.remove();
    }
  });

  it('stops promptly with ABORTED while a blob response is held back, leaving no blob of it', async () => {
    const { graph, viaProxy, faults } = await seeded([10_000, 20_000]);
    const slow = graph.blobs[2]?.descriptor as Descriptor;
    const rule = await faults.add({
      method: 'GET',
      path: `/v2/${viaProxy.name}/blobs/${slow.digest}`,
      fault: { type: 'delay', ms: 3_000 },
    });
    try {
      const dir = await layout();
      const controller = new AbortController();
      const copying = ociFailure(
        copy({ from: viaProxy, to: dir, reference: 'v1' }, { signal: controller.signal }),
      );
      // Abort once the proxy holds the request for the slow blob.
      while ((await rule.hits()) === 0) await faults.rules();
      controller.abort();
      const error = await copying;
      expect(error.code).toBe('ABORTED');
      expect(await dir.exists(slow)).toBe(false);
      expect(await dir.exists(graph.root)).toBe(false);
      await expectOnlyVerifiedBlobs(dir);
    } finally {
      await rule.remove();
    }
  });
});
