import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchBytes, MemoryStore, pushBytes } from '@ocikit/content';
import { artifactFor, smallImage } from '@ocikit/contracts';
import { digestBytes, isOciError, readBytes, streamFromBytes } from '@ocikit/digest';
import { type Descriptor, MediaType, parseManifest } from '@ocikit/spec';
import {
  collectContent,
  errorCode,
  makeImage,
  makeMultiPlatformImage,
  type TestImage,
  type TestNode,
  tarLayer,
} from '@ocikit/testbed';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDockerArchive, parseDockerArchiveManifest } from './docker-archive.ts';
import { importDockerArchive } from './docker-import.node.ts';
import { OciLayout } from './layout.node.ts';
import { type RawEntry, rawTar } from './raw-tar.testing.ts';
import { readLayoutArchive } from './tar-read.ts';

const encoder = new TextEncoder();

async function storeOf(...nodes: TestNode[]): Promise<MemoryStore> {
  const store = new MemoryStore();
  const { blobs, manifests } = collectContent(nodes);
  for (const blob of [...blobs, ...manifests]) {
    await store.push(
      { mediaType: blob.mediaType, digest: blob.digest, size: blob.size },
      blob.stream(),
    );
  }
  return store;
}

function descriptorOf(node: TestNode): Descriptor {
  const { mediaType, digest, size } = node.manifest;
  return { mediaType, digest, size };
}

async function archiveFiles(stream: ReadableStream<Uint8Array>): Promise<Map<string, Uint8Array>> {
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  const { createTarDecoder } = await import('modern-tar');
  const files = new Map<string, Uint8Array>();
  const reader = streamFromBytes(bytes)
    .pipeThrough(createTarDecoder({ strict: true }))
    .getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    files.set(next.value.header.name, await readBytes(next.value.body, { maxBytes: 1e7 }));
  }
  files.set('<archive>', bytes);
  return files;
}

const json = (bytes: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(bytes));

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const compressed = streamFromBytes(bytes).pipeThrough(
    new CompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>,
  );
  return new Uint8Array(await new Response(compressed).arrayBuffer());
}

/** A Docker archive in the format of Docker before 25: `<id>/layer.tar` links to layer files named by diff_id. */
async function legacyArchive(
  options: { link?: string; layerBytes?: Uint8Array; before?: RawEntry[] } = {},
) {
  const layer = await tarLayer({ 'hello.txt': 'hello\n' }, { gzip: false });
  const layerBytes = options.layerBytes ?? (layer.bytes as Uint8Array);
  const config = encoder.encode(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [layer.diffId] },
    }),
  );
  const configName = `${digestBytes(config).slice(7)}.json`;
  const id = 'a'.repeat(64);
  const entries: RawEntry[] = [
    ...(options.before ?? []),
    { name: `${layer.diffId.slice(7)}.tar`, content: layerBytes },
    { name: configName, content: config },
    {
      name: `${id}/layer.tar`,
      type: '2',
      linkname: options.link ?? `../${layer.diffId.slice(7)}.tar`,
    },
    { name: `${id}/VERSION`, content: '1.0' },
    {
      name: 'manifest.json',
      content: JSON.stringify([
        { Config: configName, RepoTags: ['example.com/app:v1'], Layers: [`${id}/layer.tar`] },
      ]),
    },
    { name: 'repositories', content: JSON.stringify({ 'example.com/app': { v1: id } }) },
  ];
  return { bytes: rawTar(entries), layer, config };
}

describe('createDockerArchive', () => {
  it('writes what docker load, skopeo and ctr import read, as an OCI layout too', async () => {
    const image = await makeImage({ seed: 'docker' });
    const store = await storeOf(image);
    const files = await archiveFiles(
      await createDockerArchive(store, descriptorOf(image), {
        repoTags: ['example.com/app:v1', 'alpine:3.20', 'docker.io/library/alpine:3.20'],
      }),
    );
    const layer = image.layers[0] as TestImage['layers'][number];
    expect(json(files.get('manifest.json'))).toEqual([
      {
        Config: `blobs/sha256/${image.config.digest.slice(7)}`,
        RepoTags: ['example.com/app:v1', 'alpine:3.20'],
        Layers: [`blobs/sha256/${layer.digest.slice(7)}`],
      },
    ]);
    expect(json(files.get('repositories'))).toEqual({
      'example.com/app': { v1: layer.digest.slice(7) },
      alpine: { '3.20': layer.digest.slice(7) },
    });
    expect(json(files.get('index.json')).manifests).toEqual([
      {
        ...descriptorOf(image),
        annotations: {
          'io.containerd.image.name': 'example.com/app:v1',
          'org.opencontainers.image.ref.name': 'v1',
        },
      },
      {
        ...descriptorOf(image),
        annotations: {
          'io.containerd.image.name': 'docker.io/library/alpine:3.20',
          'org.opencontainers.image.ref.name': '3.20',
        },
      },
    ]);
    expect(files.get(`blobs/sha256/${layer.digest.slice(7)}`)).toEqual(layer.bytes);
    const kinds: string[] = [];
    for await (const entry of readLayoutArchive(
      streamFromBytes(files.get('<archive>') as Uint8Array),
    )) {
      if (entry.kind === 'blob') await entry.body.cancel();
      kinds.push(entry.kind);
    }
    expect(kinds.sort()).toEqual(['blob', 'blob', 'blob', 'index', 'oci-layout']);
  });

  it('picks a platform from an index, and refuses what Docker cannot load', async () => {
    const multi = await makeMultiPlatformImage({ platforms: ['linux/amd64', 'linux/arm64'] });
    const contract = smallImage();
    const artifact = artifactFor(contract.manifest.descriptor, 'application/vnd.example.sig');
    const store = await storeOf(multi);
    for (const node of [contract, artifact]) {
      for (const blob of node.blobs) await pushBytes(store, blob.bytes, blob.descriptor.mediaType);
      await pushBytes(store, node.manifest.bytes, node.manifest.mediaType);
    }
    const files = await archiveFiles(
      await createDockerArchive(store, descriptorOf(multi), { platform: 'linux/arm64' }),
    );
    const arm = multi.manifests[1] as TestImage;
    expect(json(files.get('manifest.json'))[0].Config).toBe(
      `blobs/sha256/${arm.config.digest.slice(7)}`,
    );
    expect(json(files.get('manifest.json'))[0].RepoTags).toEqual([]);
    expect(files.has('repositories')).toBe(false);
    const cases: [string, () => Promise<unknown>, string][] = [
      [
        'an index without platform',
        () => createDockerArchive(store, descriptorOf(multi)),
        'OPTION_INVALID',
      ],
      [
        'no such platform',
        () => createDockerArchive(store, descriptorOf(multi), { platform: 'linux/s390x' }),
        'PLATFORM_NOT_FOUND',
      ],
      [
        'an artifact',
        () => createDockerArchive(store, artifact.manifest.descriptor),
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      [
        'diff_ids that do not match',
        () => createDockerArchive(store, contract.manifest.descriptor),
        'MANIFEST_INVALID',
      ],
      [
        'a name without tag',
        () => createDockerArchive(store, descriptorOf(arm), { repoTags: ['app'] }),
        'OPTION_INVALID',
      ],
      [
        'a malformed name',
        () => createDockerArchive(store, descriptorOf(arm), { repoTags: ['Bad:1'] }),
        'REFERENCE_INVALID',
      ],
      [
        'a missing image',
        () => createDockerArchive(store, smallImage().manifest.descriptor),
        'MANIFEST_UNKNOWN',
      ],
    ];
    for (const [label, run, code] of cases) expect(await errorCode(run()), label).toBe(code);
  });
});

describe('parseDockerArchiveManifest', () => {
  it('reads manifest.json and refuses other shapes with TAR_INVALID', () => {
    expect(
      parseDockerArchiveManifest(
        encoder.encode('[{"Config":"c.json","RepoTags":null,"Layers":["l.tar"]}]'),
      ),
    ).toEqual([{ Config: 'c.json', RepoTags: [], Layers: ['l.tar'] }]);
    const bad = [
      'not json',
      '{}',
      '[]',
      '[{"Layers":[]}]',
      '[{"Config":"c","Layers":"x"}]',
      '[{"Config":"c","Layers":[],"RepoTags":[1]}]',
    ];
    for (const text of bad) {
      let code = 'no error';
      try {
        parseDockerArchiveManifest(encoder.encode(text));
      } catch (error) {
        code = isOciError(error) ? error.code : String(error);
      }
      expect(code, text).toBe('TAR_INVALID');
    }
  });
});

describe('importDockerArchive', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocikit-docker-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('imports an archive it wrote, from a file, a stream and a gzip file, with honest digests', async () => {
    const image = await makeImage({ seed: 'round-trip' });
    const archive = await archiveFiles(
      await createDockerArchive(await storeOf(image), descriptorOf(image), {
        repoTags: ['app:v1'],
      }),
    );
    const file = join(dir, 'image.tar');
    await writeFile(file, archive.get('<archive>') as Uint8Array);
    const target = new MemoryStore();
    const [imported] = await importDockerArchive(file, target);
    expect(imported?.repoTags).toEqual(['docker.io/library/app:v1']);
    expect((await target.resolve('v1')).digest).toBe(imported?.descriptor.digest);
    const manifest = parseManifest(await fetchBytes(target, imported?.descriptor as Descriptor));
    expect(manifest.kind === 'manifest' && manifest.value).toMatchObject({
      config: { mediaType: MediaType.OciImageConfig, digest: image.config.digest },
      layers: [{ mediaType: MediaType.OciLayerGzip, digest: image.layers[0]?.digest }],
    });
    const docker = new MemoryStore();
    const [asDocker] = await importDockerArchive(
      streamFromBytes(await readFile(file), 1000),
      docker,
      {
        format: 'docker',
        tag: false,
      },
    );
    expect(asDocker?.descriptor.mediaType).toBe(MediaType.DockerManifest);
    expect(await errorCode(docker.resolve('v1'))).toBe('MANIFEST_UNKNOWN');
    const gzipFile = join(dir, 'image.tar.gz');
    await writeFile(gzipFile, await gzip(await readFile(file)));
    const layout = await OciLayout.open(join(dir, 'layout'), { create: true, fsync: false });
    const [inLayout] = await importDockerArchive(gzipFile, layout, { tempDir: dir });
    expect(inLayout?.descriptor).toEqual(imported?.descriptor);
    const index = JSON.parse(await readFile(join(dir, 'layout', 'index.json'), 'utf8'));
    expect(index.manifests[0].annotations['io.containerd.image.name']).toBe(
      'docker.io/library/app:v1',
    );
    const spools = (await readdir(dir)).filter((name) => name.startsWith('ocikit-docker-archive-'));
    expect(spools).toEqual([]);
  });

  it('follows the links of a pre-25 docker save, with the uncompressed layer as it is', async () => {
    const { bytes, layer, config } = await legacyArchive();
    const file = join(dir, 'legacy.tar');
    await writeFile(file, bytes);
    const target = new MemoryStore();
    const [imported] = await importDockerArchive(file, target);
    const manifest = parseManifest(await fetchBytes(target, imported?.descriptor as Descriptor));
    expect(manifest.kind === 'manifest' && manifest.value).toMatchObject({
      config: { digest: digestBytes(config), size: config.byteLength },
      layers: [{ mediaType: MediaType.OciLayer, digest: layer.diffId, size: layer.size }],
    });
    expect((await target.resolve('v1')).digest).toBe(imported?.descriptor.digest);
  });

  it('pushes nothing into the target when a layer does not match its diff_id', async () => {
    const other = await tarLayer({ 'other.txt': 'x' }, { gzip: false });
    const { bytes, config } = await legacyArchive({ layerBytes: other.bytes as Uint8Array });
    const file = join(dir, 'bad.tar');
    await writeFile(file, bytes);
    const configDescriptor = {
      mediaType: MediaType.OciImageConfig,
      digest: digestBytes(config),
      size: config.byteLength,
    };
    const store = new MemoryStore();
    expect(await errorCode(importDockerArchive(file, store))).toBe('DIGEST_MISMATCH');
    expect(await store.exists(configDescriptor)).toBe(false);
    const layout = await OciLayout.open(join(dir, 'layout'), { create: true, fsync: false });
    expect(await errorCode(importDockerArchive(file, layout))).toBe('DIGEST_MISMATCH');
    expect(await layout.exists(configDescriptor)).toBe(false);
  });

  it('refuses broken and hostile archives with typed errors', async () => {
    const other = await tarLayer({ 'other.txt': 'x' }, { gzip: false });
    const image = await makeImage({ seed: 'named' });
    const good = await archiveFiles(
      await createDockerArchive(await storeOf(image), descriptorOf(image)),
    );
    const renamed = [...good]
      .filter(([name]) => name !== '<archive>' && !name.endsWith('/'))
      .map(
        ([name, content]): RawEntry => ({
          name,
          content:
            name === `blobs/sha256/${image.layers[0]?.digest.slice(7)}`
              ? encoder.encode('tampered')
              : content,
        }),
      );
    const cases: [string, Uint8Array, string][] = [
      [
        'a link that escapes',
        (await legacyArchive({ link: '../../../etc/passwd' })).bytes,
        'PATH_INVALID',
      ],
      ['an absolute link', (await legacyArchive({ link: '/etc/passwd' })).bytes, 'PATH_INVALID'],
      ['a link to nothing', (await legacyArchive({ link: '../missing.tar' })).bytes, 'TAR_INVALID'],
      [
        'a layer that is not its diff_id',
        (await legacyArchive({ layerBytes: other.bytes as Uint8Array })).bytes,
        'DIGEST_MISMATCH',
      ],
      ['a blob that is not its name', rawTar(renamed), 'DIGEST_MISMATCH'],
      ['no manifest.json', rawTar([{ name: 'repositories', content: '{}' }]), 'TAR_INVALID'],
      ['a broken manifest.json', rawTar([{ name: 'manifest.json', content: '[{' }]), 'TAR_INVALID'],
      [
        'a missing config',
        rawTar([{ name: 'manifest.json', content: '[{"Config":"c.json","Layers":[]}]' }]),
        'TAR_INVALID',
      ],
      ['an entry that escapes', rawTar([{ name: '../x', content: 'x' }]), 'PATH_INVALID'],
      ['a device', rawTar([{ name: 'dev', type: '3' }]), 'TAR_INVALID'],
      [
        'a duplicate',
        rawTar([
          { name: 'a', content: 'x' },
          { name: './a', content: 'y' },
        ]),
        'TAR_INVALID',
      ],
      ['a truncated archive', (await legacyArchive()).bytes.subarray(0, 700), 'TAR_INVALID'],
      [
        'a gzip archive cut short',
        (await gzip((await legacyArchive()).bytes)).subarray(0, 300),
        'TAR_INVALID',
      ],
      [
        'a gzip layer cut short',
        (
          await legacyArchive({
            layerBytes: (await gzip(other.bytes as Uint8Array)).subarray(0, 40),
          })
        ).bytes,
        'TAR_INVALID',
      ],
      [
        'a symbolic link holding data (GNU tar skips it, Go reads it as headers)',
        (
          await legacyArchive({
            before: [
              {
                name: 'link',
                type: '2',
                linkname: 'repositories',
                content: rawTar([{ name: 'hidden', content: 'h' }], { end: false }),
              },
            ],
          })
        ).bytes,
        'TAR_INVALID',
      ],
    ];
    for (const [label, bytes, code] of cases) {
      const file = join(dir, 'bad.tar');
      await writeFile(file, bytes);
      expect(await errorCode(importDockerArchive(file, new MemoryStore())), label).toBe(code);
    }
    expect(
      await errorCode(
        importDockerArchive(join(dir, 'bad.tar'), new MemoryStore(), {
          signal: AbortSignal.abort(),
        }),
      ),
    ).toBe('ABORTED');
  });
});
