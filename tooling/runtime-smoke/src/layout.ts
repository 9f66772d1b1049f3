import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchBytes, MemoryStore, pushBytes } from '@ocikit/content';
import { digestBytes, readBytes, streamFromBytes } from '@ocikit/digest';
import {
  createDockerArchive,
  createLayoutArchive,
  createLayoutIndex,
  isLayoutTag,
  layoutTags,
  readLayoutArchive,
  setLayoutTag,
} from '@ocikit/layout';
import { extractArchive, importDockerArchive, OciArchive, OciLayout } from '@ocikit/layout/fs';
import { createImageManifest, MediaType } from '@ocikit/spec';
import { check, rejectsWith } from './check.ts';

/** Reads an archive with `readLayoutArchive`, every blob to its end: the kinds of its entries, sorted. */
async function readArchiveKinds(archive: Uint8Array): Promise<string> {
  const kinds: string[] = [];
  for await (const entry of readLayoutArchive(streamFromBytes(archive, 777))) {
    if (entry.kind === 'blob') await readBytes(entry.body, { maxBytes: entry.descriptor.size });
    kinds.push(entry.kind);
  }
  return kinds.sort().join();
}

/** Writes, reads and archives layouts through the built @ocikit/layout, in a temp dir. */
export async function smokeLayout(): Promise<void> {
  check(isLayoutTag('example.com/app:v1') && !isLayoutTag('bad tag!'), 'isLayoutTag');
  const store = new MemoryStore();
  const tar = new Uint8Array(1024);
  const layer = await pushBytes(store, tar, MediaType.OciLayer);
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
  check(layoutTags(index).join() === 'v1', 'setLayoutTag');

  // The core: an archive from a memory store, read back as a stream.
  const archive = new Uint8Array(
    await new Response(await createLayoutArchive(store, index)).arrayBuffer(),
  );
  const kinds = 'blob,blob,blob,index,oci-layout';
  check((await readArchiveKinds(archive)) === kinds, 'readLayoutArchive');
  // The same archive gzip-compressed, through the runtime's DecompressionStream; cut short, it is TAR_INVALID.
  const gzipped = new Uint8Array(
    await new Response(
      streamFromBytes(archive).pipeThrough(
        new CompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>,
      ),
    ).arrayBuffer(),
  );
  check((await readArchiveKinds(gzipped)) === kinds, 'readLayoutArchive (gzip)');
  await rejectsWith(
    readArchiveKinds(gzipped.subarray(0, gzipped.byteLength >> 1)),
    'TAR_INVALID',
    'readLayoutArchive (gzip cut short)',
  );

  // The filesystem entry: a layout, its archive read in place and extracted.
  const dir = await mkdtemp(join(tmpdir(), 'ocikit-smoke-layout-'));
  try {
    const file = join(dir, 'image.tar');
    await writeFile(file, archive);
    const opened = await OciArchive.open(file);
    check((await opened.resolve('v1')).digest === image.digest, 'OciArchive.resolve');
    await opened.close();
    const layout = await extractArchive(streamFromBytes(archive), join(dir, 'layout'), {
      imageName: 'example.com/app',
    });
    const other = createImageManifest({ config, layers: [layer], annotations: { smoke: '1' } });
    await pushBytes(layout, other.bytes, other.mediaType);
    await layout.tag(other.descriptor, 'v2');
    const tags: string[] = [];
    for await (const tag of layout.tags()) tags.push(tag);
    check(tags.join() === 'v1,v2', 'OciLayout.tags');
    check((await fetchBytes(layout, config)).byteLength === config.size, 'OciLayout.fetch');
    await layout.writeArchive(join(dir, 'again.tar'));
    const docker = await createDockerArchive(layout, image.descriptor, { repoTags: ['app:v1'] });
    await writeFile(
      join(dir, 'docker.tar'),
      new Uint8Array(await new Response(docker).arrayBuffer()),
    );
    const [imported] = await importDockerArchive(join(dir, 'docker.tar'), new MemoryStore());
    check(imported?.descriptor.digest === image.digest, 'importDockerArchive');
    await mkdir(join(dir, 'empty'));
    await rejectsWith(OciLayout.open(join(dir, 'empty')), 'LAYOUT_INVALID', 'OciLayout.open');
    // A lock left without an owner (by a crash) is taken over at once.
    const created = await OciLayout.open(join(dir, 'created'), { create: true, lockTimeoutMs: 0 });
    await writeFile(join(created.root, 'index.json.lock'), '');
    await pushBytes(created, other.bytes, other.mediaType);
    await created.tag(other.descriptor, 'v1');
    check((await created.resolve('v1')).digest === other.digest, 'OciLayout ownerless lock');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
