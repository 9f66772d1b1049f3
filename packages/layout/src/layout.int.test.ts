// Interop with independent tools: skopeo and umoci read what ocikit writes,
// and ocikit reads what they write (layouts, oci-archive and docker-archive
// tars). A missing tool fails the run with its install hint.
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  type ExistenceChecker,
  type Fetcher,
  fetchBytes,
  MemoryStore,
  pushBytes,
  type Resolver,
} from '@ocikit/content';
import { digestBytes, digestStream, streamFromBytes } from '@ocikit/digest';
import {
  createDockerArchive,
  createLayoutArchive,
  createLayoutIndex,
  setLayoutTag,
} from '@ocikit/layout';
import { extractArchive, importDockerArchive, OciArchive, OciLayout } from '@ocikit/layout/fs';
import {
  createImageManifest,
  type Descriptor,
  MediaType,
  manifestChildren,
  parseImageConfig,
  parseManifest,
} from '@ocikit/spec';
import {
  collectContent,
  makeArtifact,
  makeImage,
  makeMultiPlatformImage,
  skopeoCopy,
  skopeoInspect,
  type TestNode,
  tarLayer,
  umoci,
} from '@ocikit/testbed';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consecutivePaxArchive, MANIFEST_B_DESCRIPTOR } from './lib/bad-archives.testing.ts';

type Source = Fetcher & ExistenceChecker & Resolver;

function descriptorOf(node: TestNode): Descriptor {
  const { mediaType, digest, size } = node.manifest;
  return { mediaType, digest, size };
}

async function pushNodes(layout: OciLayout, ...nodes: TestNode[]): Promise<void> {
  const { blobs, manifests } = collectContent(nodes);
  for (const blob of [...blobs, ...manifests]) {
    await layout.push(
      { mediaType: blob.mediaType, digest: blob.digest, size: blob.size },
      blob.stream(),
    );
  }
}

/**
 * Reads a whole image graph from a source, every blob verified against its
 * digest (and hashed again here, as a second opinion).
 *
 * @returns the digests read
 */
async function readGraph(source: Source, reference: string): Promise<string[]> {
  const read: string[] = [];
  const queue = [await source.resolve(reference)];
  for (let node = queue.shift(); node; node = queue.shift()) {
    if (node.mediaType.includes('manifest') || node.mediaType.includes('index')) {
      const manifest = parseManifest(await fetchBytes(source, node), {
        expectedDigest: node.digest,
      });
      queue.push(...manifestChildren(manifest));
    } else {
      const { digest } = await digestStream(await source.fetch(node));
      expect(digest).toBe(node.digest);
    }
    read.push(node.digest);
  }
  return read;
}

function stream(path: string): ReadableStream<Uint8Array> {
  return Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>;
}

describe('OCI layouts with skopeo and umoci', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocikit-layout-int-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes layouts that skopeo inspects and copies and umoci stats and unpacks', async () => {
    const layer = await tarLayer({ 'etc/motd': 'hello from ocikit\n', 'bin/tool': 'x' });
    const image = await makeImage({ seed: 'int-write', layers: [layer] });
    const multi = await makeMultiPlatformImage({ seed: 'int-multi' });
    const signature = makeArtifact({ artifactType: 'application/vnd.example.sig', subject: image });
    const root = join(dir, 'ours');
    const layout = await OciLayout.open(root, { create: true, imageName: 'example.com/app' });
    await pushNodes(layout, image, multi, signature);
    await layout.tag(descriptorOf(image), 'v1');
    await layout.tag(descriptorOf(image), 'v1');
    await layout.tag(descriptorOf(multi), 'multi');

    const inspected = (await skopeoInspect(`oci:${root}:v1`)) as {
      Digest: string;
      Layers: string[];
    };
    expect(inspected.Digest).toBe(image.manifest.digest);
    expect(inspected.Layers).toEqual([layer.digest]);
    const raw = (await skopeoInspect(`oci:${root}:multi`, { raw: true })) as {
      manifests: unknown[];
    };
    expect(raw.manifests).toHaveLength(2);

    await skopeoCopy(`oci:${root}:v1`, `oci:${join(dir, 'copy')}:v1`);
    await skopeoCopy(`oci:${root}:multi`, `oci:${join(dir, 'copy')}:multi`, { all: true });
    const copy = await OciLayout.open(join(dir, 'copy'), { readOnly: true });
    expect((await copy.resolve('v1')).digest).toBe(image.manifest.digest);
    expect(await readGraph(copy, 'multi')).toEqual(await readGraph(layout, 'multi'));

    const stat = JSON.parse((await umoci(['stat', '--image', `${root}:v1`, '--json'])).stdout);
    expect(stat.history).toHaveLength(1);
    const bundle = join(dir, 'bundle');
    await umoci(['unpack', '--rootless', '--image', `${root}:v1`, bundle]);
    expect(await readFile(join(bundle, 'rootfs', 'etc', 'motd'), 'utf8')).toBe(
      'hello from ocikit\n',
    );
  });

  it('reads layouts that umoci and skopeo write, and keeps their tags when it adds its own', async () => {
    const root = join(dir, 'umoci');
    await umoci(['init', '--layout', root]);
    await umoci(['new', '--image', `${root}:base`]);
    const source = join(dir, 'files');
    await mkdir(join(source, 'etc'), { recursive: true });
    await writeFile(join(source, 'etc', 'greeting'), 'hi\n');
    await umoci(['insert', '--rootless', '--image', `${root}:base`, join(source, 'etc'), '/etc']);
    const fromUmoci = await OciLayout.open(root);
    const read = await readGraph(fromUmoci, 'base');
    expect(read.length).toBeGreaterThanOrEqual(3);

    await skopeoCopy(`oci:${root}:base`, `oci:${join(dir, 'skopeo')}:first`);
    const fromSkopeo = await OciLayout.open(join(dir, 'skopeo'));
    expect(await readGraph(fromSkopeo, 'first')).toEqual(read);
    const base = await fromSkopeo.resolve('first');
    await fromSkopeo.tag(base, 'ours');
    await skopeoCopy(`oci:${root}:base`, `oci:${join(dir, 'skopeo')}:second`);
    await fromUmoci.tag(await fromUmoci.resolve('base'), 'also');
    const tags: string[] = [];
    for await (const tag of fromSkopeo.tags()) tags.push(tag);
    expect(tags).toEqual(['first', 'ours', 'second']);
    const stat = JSON.parse((await umoci(['stat', '--image', `${root}:also`, '--json'])).stdout);
    expect(stat.history.length).toBeGreaterThan(0);
  });
});

describe('oci-archive and docker-archive tars with skopeo', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocikit-archive-int-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes oci-archive tars skopeo copies, and reads the ones it writes', async () => {
    const image = await makeImage({ seed: 'int-archive' });
    const layout = await OciLayout.open(join(dir, 'ours'), { create: true });
    await pushNodes(layout, image);
    await layout.tag(descriptorOf(image), 'v1');
    const file = join(dir, 'ours.tar');
    await layout.writeArchive(file);
    await skopeoCopy(`oci-archive:${file}:v1`, `oci:${join(dir, 'from-tar')}:v1`);
    const fromTar = await OciLayout.open(join(dir, 'from-tar'));
    expect(await readGraph(fromTar, 'v1')).toEqual(await readGraph(layout, 'v1'));

    const theirs = join(dir, 'theirs.tar');
    await skopeoCopy(`oci:${join(dir, 'ours')}:v1`, `oci-archive:${theirs}:latest`);
    const archive = await OciArchive.open(theirs);
    try {
      expect(await readGraph(archive, 'latest')).toEqual(await readGraph(layout, 'v1'));
    } finally {
      await archive.close();
    }
    const extracted = await extractArchive(stream(theirs), join(dir, 'extracted'));
    expect(await readGraph(extracted, 'latest')).toEqual(await readGraph(layout, 'v1'));
  });

  it('resolves a tag of an archive with consecutive PAX headers as skopeo (Go) does, both ways', async () => {
    const file = join(dir, 'pax.tar');
    await writeFile(file, consecutivePaxArchive());
    const raw = (await skopeoInspect(`oci-archive:${file}:v1`, { raw: true })) as {
      layers: unknown[];
    };
    // The second image is the one without layers.
    expect(raw.layers).toEqual([]);
    const archive = await OciArchive.open(file);
    try {
      expect(await archive.resolve('v1')).toEqual(MANIFEST_B_DESCRIPTOR);
    } finally {
      await archive.close();
    }
    const extracted = await extractArchive(stream(file), join(dir, 'pax'));
    expect(await extracted.resolve('v1')).toEqual(MANIFEST_B_DESCRIPTOR);
  });

  it('writes long names (a sha512 blob) as PAX records that skopeo reads', async () => {
    const store = new MemoryStore();
    const tar = (await tarLayer({ 'sha512.txt': 'long names\n' }, { gzip: false }))
      .bytes as Uint8Array;
    const layer: Descriptor = {
      mediaType: MediaType.OciLayer,
      digest: digestBytes(tar, 'sha512'),
      size: tar.byteLength,
    };
    await store.push(layer, streamFromBytes(tar));
    const configBytes = new TextEncoder().encode(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: [digestBytes(tar)] },
      }),
    );
    const config = await pushBytes(store, configBytes, MediaType.OciImageConfig);
    const image = createImageManifest({ config, layers: [layer] });
    await pushBytes(store, image.bytes, image.mediaType);
    const index = setLayoutTag(createLayoutIndex(), image.descriptor, 'v1');
    const file = join(dir, 'sha512.tar');
    await writeFile(
      file,
      new Uint8Array(await new Response(await createLayoutArchive(store, index)).arrayBuffer()),
    );
    // skopeo 1.9 reads the PAX-named blob, but stores blobs as sha256 only (and gzips them).
    await skopeoCopy(`oci-archive:${file}:v1`, `oci:${join(dir, 'sha512')}:v1`, {
      preserveDigests: false,
    });
    const copied = await OciLayout.open(join(dir, 'sha512'));
    await readGraph(copied, 'v1');
    const manifest = parseManifest(await fetchBytes(copied, await copied.resolve('v1')));
    const copiedLayer = manifest.kind === 'manifest' ? manifest.value.layers[0] : undefined;
    expect(copiedLayer?.mediaType).toBe(MediaType.OciLayerGzip);
    const unzipped = (await copied.fetch(copiedLayer as Descriptor)).pipeThrough(
      new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>,
    );
    expect((await digestStream(unzipped)).digest).toBe(digestBytes(tar));
  });

  it('writes docker-archive tars skopeo reads, and imports the ones skopeo writes', async () => {
    const layer = await tarLayer({ 'docker.txt': 'for docker\n' });
    const image = await makeImage({ seed: 'int-docker', layers: [layer] });
    const layout = await OciLayout.open(join(dir, 'ours'), { create: true });
    await pushNodes(layout, image);
    const file = join(dir, 'docker.tar');
    await writeFile(
      file,
      new Uint8Array(
        await new Response(
          await createDockerArchive(layout, descriptorOf(image), {
            repoTags: ['example.com/app:v1'],
          }),
        ).arrayBuffer(),
      ),
    );
    // skopeo finds the image by its RepoTags name, and reads the config and every layer.
    const named = `docker-archive:${file}:example.com/app:v1`;
    const config = (await skopeoInspect(named, { config: true })) as {
      rootfs: { diff_ids: string[] };
    };
    expect(config.rootfs.diff_ids).toEqual([layer.diffId]);
    const inspected = (await skopeoInspect(named)) as { Layers: string[] };
    expect(inspected.Layers).toEqual(config.rootfs.diff_ids);
    await skopeoCopy(named, `oci:${join(dir, 'from-docker')}:v1`, {
      preserveDigests: false,
    });
    const fromDocker = await OciLayout.open(join(dir, 'from-docker'));
    const copied = parseManifest(await fetchBytes(fromDocker, await fromDocker.resolve('v1')));
    expect(copied.kind === 'manifest' && copied.value.config.digest).toBe(image.config.digest);

    const theirs = join(dir, 'theirs.tar');
    await skopeoCopy(
      `oci:${join(dir, 'from-docker')}:v1`,
      `docker-archive:${theirs}:example.com/zz:v9`,
      {
        preserveDigests: false,
      },
    );
    const target = await OciLayout.open(join(dir, 'imported'), { create: true });
    const [imported] = await importDockerArchive(theirs, target);
    expect(imported?.repoTags).toEqual(['example.com/zz:v9']);
    const manifest = parseManifest(await fetchBytes(target, await target.resolve('v9')));
    expect(manifest.kind).toBe('manifest');
    if (manifest.kind !== 'manifest') return;
    const importedConfig = parseImageConfig(await fetchBytes(target, manifest.value.config));
    expect(manifest.value.layers.map((layer) => layer.digest)).toEqual(
      importedConfig.rootfs.diff_ids,
    );
    expect(digestBytes(await fetchBytes(target, manifest.value.config))).toBe(
      manifest.value.config.digest,
    );
    const index = JSON.parse(await readFile(join(dir, 'imported', 'index.json'), 'utf8'));
    expect(index.manifests[0].annotations).toEqual({
      'io.containerd.image.name': 'example.com/zz:v9',
      'org.opencontainers.image.ref.name': 'v9',
    });
    await skopeoCopy(`oci:${join(dir, 'imported')}:v9`, `oci:${join(dir, 'again')}:v9`);
  });
});
