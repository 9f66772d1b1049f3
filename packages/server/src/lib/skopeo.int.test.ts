import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  makeImage,
  makeMultiPlatformImage,
  pushImage,
  skopeoCopy,
  skopeoInspect,
  umoci,
  writeOciLayout,
} from '@ocikit/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryRegistryStorage } from './directory-storage.node.ts';
import { createRegistryHandler } from './handler.ts';
import { listen, type RunningRegistry } from './node-adapter.node.ts';

let server: RunningRegistry;
let dir: string;

beforeAll(async () => {
  server = await listen(createRegistryHandler());
  dir = await mkdtemp(join(tmpdir(), 'ocikit-server-skopeo-'));
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function layoutDigest(root: string, tag: string): Promise<string | undefined> {
  const index = JSON.parse(await readFile(join(root, 'index.json'), 'utf8')) as {
    manifests: { digest: string; annotations?: Record<string, string> }[];
  };
  return index.manifests.find(
    (entry) => entry.annotations?.['org.opencontainers.image.ref.name'] === tag,
  )?.digest;
}

describe('skopeo against the embedded server (node:http, plain HTTP)', () => {
  it('copies a multi-platform OCI index in (--all), inspects it, and copies it out unchanged', async () => {
    const multi = await makeMultiPlatformImage({ seed: 'server-skopeo-oci' });
    const source = join(dir, 'oci-source');
    await writeOciLayout(source, [{ node: multi, tag: 'multi' }]);
    const remote = `docker://${server.host}/apps/multi:v1`;

    await skopeoCopy(`oci:${source}:multi`, remote, { all: true });
    const raw = (await skopeoInspect(remote, { raw: true })) as { manifests: unknown[] };
    expect(raw.manifests).toHaveLength(2);
    const inspected = (await skopeoInspect(remote)) as { Os: string; Architecture: string };
    expect(inspected.Os).toBe('linux');

    const out = join(dir, 'oci-out');
    await skopeoCopy(remote, `oci:${out}:copy`, { all: true });
    expect(await layoutDigest(out, 'copy')).toBe(multi.manifest.digest);
  });

  it('reads a Docker manifest list and copies it (--all) between two repositories of the server', async () => {
    const multi = await makeMultiPlatformImage({ seed: 'server-skopeo-docker', format: 'docker' });
    await pushImage({ url: server.url.origin }, 'docker/first', multi, { tag: 'v1' });
    const first = `docker://${server.host}/docker/first:v1`;
    const second = `docker://${server.host}/docker/second:v1`;

    await skopeoCopy(first, second, { all: true });
    const raw = await skopeoInspect(second, { raw: true });
    expect(raw).toEqual(JSON.parse(new TextDecoder().decode(multi.manifest.bytes)));
    const head = await fetch(new URL('/v2/docker/second/manifests/v1', server.url), {
      method: 'HEAD',
      headers: { accept: multi.manifest.mediaType },
    });
    expect(head.headers.get('docker-content-digest')).toBe(multi.manifest.digest);
    const inspected = (await skopeoInspect(second)) as { Layers: string[] };
    expect(inspected.Layers.length).toBeGreaterThan(0);
  });

  it('copies a single image in without --preserve-digests (skopeo compresses the layers on the way)', async () => {
    const image = await makeImage({ seed: 'server-skopeo-single' });
    const source = join(dir, 'single-source');
    await writeOciLayout(source, [{ node: image, tag: 'one' }]);
    const remote = `docker://${server.host}/single/app:latest`;
    await skopeoCopy(`oci:${source}:one`, remote, { preserveDigests: false });
    const inspected = (await skopeoInspect(remote)) as { Layers: string[] };
    expect(inspected.Layers).toHaveLength(image.layers.length);
  });

  it('pushes into a directory storage that skopeo and umoci then read as plain OCI layouts', async () => {
    const root = join(dir, 'served');
    const storage = new DirectoryRegistryStorage(root);
    const served = await listen(createRegistryHandler({ storage }));
    try {
      const multi = await makeMultiPlatformImage({ seed: 'server-skopeo-dir' });
      const image = await makeImage({ seed: 'server-skopeo-dir-single' });
      const source = join(dir, 'dir-source');
      await writeOciLayout(source, [
        { node: multi, tag: 'multi' },
        { node: image, tag: 'single' },
      ]);
      await skopeoCopy(`oci:${source}:multi`, `docker://${served.host}/team/multi:v1`, {
        all: true,
      });
      await skopeoCopy(`oci:${source}:single`, `docker://${served.host}/team/single:v1`);

      const raw = (await skopeoInspect(`oci:${join(root, 'team/multi')}:v1`, { raw: true })) as {
        manifests: unknown[];
      };
      expect(raw.manifests).toHaveLength(2);
      expect(await layoutDigest(join(root, 'team/multi'), 'v1')).toBe(multi.manifest.digest);
      const stat = JSON.parse(
        (await umoci(['stat', '--image', `${join(root, 'team/single')}:v1`, '--json'])).stdout,
      ) as { history: unknown[] };
      expect(Array.isArray(stat.history)).toBe(true);
    } finally {
      await served.close();
    }
  });
});
