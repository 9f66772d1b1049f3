// Interop with containerd (Debian package `containerd`, the test bed's own
// daemon): `ctr images import` reads the oci-archive and docker-archive tars
// ocikit writes, and ocikit reads what `ctr images export` writes.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchBytes } from '@ocikit/content';
import { digestStream } from '@ocikit/digest';
import { createDockerArchive } from '@ocikit/layout';
import { importDockerArchive, OciArchive, OciLayout } from '@ocikit/layout/fs';
import { type Descriptor, manifestChildren, parseManifest } from '@ocikit/spec';
import {
  collectContent,
  ctr,
  descriptorOf,
  getTestbed,
  makeImage,
  makeMultiPlatformImage,
  type TestNode,
  uniqueRepo,
} from '@ocikit/testbed';
import { afterEach, describe, expect, it } from 'vitest';

const { socket } = getTestbed().containerd;
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ocikit-layout-containerd-'));
  dirs.push(dir);
  return dir;
}

/** A containerd namespace and an image name no other test uses. */
function names(prefix: string): { namespace: string; name: string } {
  const repo = uniqueRepo(`layout/${prefix}`);
  return { namespace: repo.replaceAll('/', '-'), name: `example.com/${repo}` };
}

async function layoutWith(dir: string, node: TestNode, imageName: string): Promise<OciLayout> {
  const layout = await OciLayout.open(dir, { create: true, imageName });
  const { blobs, manifests } = collectContent([node]);
  for (const blob of [...blobs, ...manifests]) await layout.push(descriptorOf(blob), blob.stream());
  await layout.tag(descriptorOf(node.manifest), 'v1');
  return layout;
}

/**
 * A multi-platform index in a new layout, written as an oci-archive and
 * imported by `ctr images import --all-platforms` into a namespace of its own.
 */
async function importedIndex(prefix: string) {
  const { namespace, name } = names(prefix);
  const index = await makeMultiPlatformImage({ seed: name });
  const dir = await tempDir();
  const layout = await layoutWith(join(dir, 'layout'), index, name);
  await layout.writeArchive(join(dir, 'app.tar'));
  await ctr(socket, ['images', 'import', '--no-unpack', '--all-platforms', join(dir, 'app.tar')], {
    namespace,
  });
  return { namespace, name, index, dir };
}

/** `ctr images ls` as name → target digest. */
async function containerdImages(namespace: string): Promise<Map<string, string>> {
  const { stdout } = await ctr(socket, ['images', 'ls'], { namespace });
  const images = new Map<string, string>();
  for (const line of stdout.trim().split('\n').slice(1)) {
    const [name, , digest] = line.split(/\s+/);
    if (name && digest) images.set(name, digest);
  }
  return images;
}

/** Reads every manifest and blob an archive's root reaches, each verified; returns their digests. */
async function readAll(archive: OciArchive, root: Descriptor): Promise<string[]> {
  const read: string[] = [];
  const queue: Descriptor[] = [root];
  for (let node = queue.shift(); node; node = queue.shift()) {
    if (/manifest|index/.test(node.mediaType)) {
      const manifest = parseManifest(await fetchBytes(archive, node), {
        expectedDigest: node.digest,
      });
      queue.push(...manifestChildren(manifest));
    } else {
      expect(await digestStream(await archive.fetch(node))).toEqual({
        digest: node.digest,
        size: node.size,
      });
    }
    read.push(node.digest);
  }
  return read.sort();
}

const digestsOf = (node: TestNode) => {
  const { blobs, manifests } = collectContent([node]);
  return [...blobs, ...manifests].map((blob) => blob.digest).sort();
};

describe('containerd (ctr) and the tars ocikit writes', () => {
  it('ctr images import takes an oci-archive from OciLayout.writeArchive under its io.containerd.image.name', async () => {
    const { namespace, name, index } = await importedIndex('ctr-oci');
    expect(await containerdImages(namespace)).toEqual(
      new Map([[`${name}:v1`, index.manifest.digest]]),
    );
    // Every blob of every platform arrived (plus, until containerd's GC runs, the archive's
    // index.json, which the import stores as a blob of its own).
    const { stdout } = await ctr(socket, ['content', 'ls', '--quiet'], { namespace });
    expect(stdout.trim().split('\n')).toEqual(expect.arrayContaining(digestsOf(index)));
  });

  it('ctr images import unpacks a docker-archive from createDockerArchive (Docker 25+ form), under its name', async () => {
    const { namespace, name } = names('ctr-docker');
    const image = await makeImage({ seed: name, format: 'docker' });
    const dir = await tempDir();
    const layout = await layoutWith(join(dir, 'layout'), image, name);
    const saved = createDockerArchive(layout, descriptorOf(image.manifest), {
      repoTags: [`${name}:v1`],
    });
    await writeFile(
      join(dir, 'docker.tar'),
      new Uint8Array(await new Response(await saved).arrayBuffer()),
    );
    // Unpacking into the overlayfs snapshotter checks each layer against the config's diff_ids.
    await ctr(socket, ['images', 'import', join(dir, 'docker.tar')], { namespace });
    expect(await containerdImages(namespace)).toEqual(
      new Map([[`${name}:v1`, image.manifest.digest]]),
    );
    const { stdout } = await ctr(socket, ['images', 'check'], { namespace });
    expect(stdout).toMatch(/complete \(2\/2\).* true\s*$/m); // config + layer, unpacked
  });

  it('reads back what ctr images export writes: the OCI layout and its Docker manifest.json', async () => {
    const { namespace, name, index, dir } = await importedIndex('ctr-export');
    const exported = join(dir, 'out.tar');
    await ctr(socket, ['images', 'export', '--all-platforms', exported, `${name}:v1`], {
      namespace,
    });

    const archive = await OciArchive.open(exported);
    try {
      const root = await archive.resolve('v1');
      expect(root.digest).toBe(index.manifest.digest);
      expect(await readAll(archive, root)).toEqual(digestsOf(index));
    } finally {
      await archive.close();
    }

    // The same tar as `docker load` reads it: manifest.json names one image per platform it kept.
    const loaded = await OciLayout.open(join(dir, 'loaded'), { create: true });
    const images = await importDockerArchive(exported, loaded, { format: 'docker' });
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) expect(image.repoTags).toEqual([`${name}:v1`]);
  });
});
