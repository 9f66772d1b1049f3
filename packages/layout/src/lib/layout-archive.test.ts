import { type Fetcher, MemoryStore, pushBytes } from '@ocikit/content';
import { configBlob, multiPlatformImage, randomBlob, smallImage } from '@ocikit/contracts';
import { createVerifyStream, digestBytes, readBytes, streamFromBytes } from '@ocikit/digest';
import { createImageManifest, type Descriptor, MediaType } from '@ocikit/spec';
import { errorCode } from '@ocikit/testbed';
import { createTarDecoder } from 'modern-tar';
import { describe, expect, it } from 'vitest';
import { createLayoutIndex, serializeLayoutIndex, setLayoutTag } from './index-json.ts';
import { createLayoutArchive } from './layout-archive.ts';
import { readLayoutArchive } from './tar-read.ts';

async function bytesOf(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The headers modern-tar reads back (the oracle for the writer). */
async function headers(archive: Uint8Array) {
  const out: Record<string, unknown>[] = [];
  const reader = streamFromBytes(archive)
    .pipeThrough(createTarDecoder({ strict: true }))
    .getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    const { header, body } = next.value;
    await body.cancel();
    const { name, type, size, mode, uid, gid, mtime, uname, gname } = header;
    out.push({ name, type, size, mode, uid, gid, mtime: mtime?.getTime(), uname, gname });
  }
  return out;
}

async function storeWith(...images: ReturnType<typeof smallImage>[]): Promise<MemoryStore> {
  const store = new MemoryStore();
  for (const image of images) {
    for (const blob of image.blobs) await pushBytes(store, blob.bytes, blob.descriptor.mediaType);
    await pushBytes(store, image.manifest.bytes, image.manifest.mediaType);
  }
  return store;
}

describe('createLayoutArchive', () => {
  it('writes the reachable content of any store, deterministically', async () => {
    const image = smallImage(2000);
    const unrelated = smallImage(10);
    const store = await storeWith(image, unrelated);
    const index = setLayoutTag(createLayoutIndex(), image.manifest.descriptor, 'v1');
    const first = await bytesOf(await createLayoutArchive(store, index));
    const second = await bytesOf(await createLayoutArchive(store, index));
    expect(Buffer.compare(first, second)).toBe(0);
    const read = await headers(first);
    const blobNames = [...image.blobs.map((blob) => blob.descriptor), image.manifest.descriptor]
      .map((descriptor) => `blobs/sha256/${descriptor.digest.slice(7)}`)
      .sort();
    expect(read.map((header) => header.name)).toEqual([
      'blobs/',
      'blobs/sha256/',
      ...blobNames,
      'index.json',
      'oci-layout',
    ]);
    for (const header of read) {
      expect(header).toMatchObject({ uid: 0, gid: 0, mtime: 0 });
      expect(header.mode).toBe(header.type === 'directory' ? 0o755 : 0o644);
      expect(header.uname ?? '').toBe('');
    }
    const files = new Map<string, Uint8Array>();
    for await (const entry of readLayoutArchive(streamFromBytes(first))) {
      files.set(
        entry.path,
        entry.kind === 'blob' ? await readBytes(entry.body, { maxBytes: 1e6 }) : entry.bytes,
      );
    }
    expect(files.get('index.json')).toEqual(serializeLayoutIndex(index));
    expect(new TextDecoder().decode(files.get('oci-layout'))).toBe(
      '{"imageLayoutVersion":"1.0.0"}',
    );
  });

  it('includes the children of an index, and sha512 blobs under a PAX name', async () => {
    const { images, index: multi } = multiPlatformImage();
    const store = await storeWith(...images);
    await pushBytes(store, multi.bytes, multi.mediaType);
    const data = randomBlob(100).bytes;
    const layer: Descriptor = {
      mediaType: MediaType.OciLayer,
      digest: digestBytes(data, 'sha512'),
      size: 100,
    };
    await store.push(layer, streamFromBytes(data));
    const config = configBlob();
    const manifest = createImageManifest({ config: config.descriptor, layers: [layer] });
    await pushBytes(store, manifest.bytes, manifest.mediaType);
    let index = setLayoutTag(createLayoutIndex(), multi.descriptor, 'multi');
    index = setLayoutTag(index, manifest.descriptor, 'sha512');
    const archive = await bytesOf(await createLayoutArchive(store, index));
    const paths: string[] = [];
    for await (const entry of readLayoutArchive(streamFromBytes(archive))) {
      if (entry.kind === 'blob') await readBytes(entry.body, { maxBytes: 1e6 });
      paths.push(entry.path);
    }
    expect(paths).toContain(`blobs/sha512/${layer.digest.slice(7)}`);
    for (const image of images) {
      expect(paths).toContain(`blobs/sha256/${image.manifest.digest.slice(7)}`);
    }
  });

  it('reads each blob only when the consumer gets to it', async () => {
    const image = smallImage(5000);
    const store = await storeWith(image);
    const fetched: string[] = [];
    const spy: Fetcher & Pick<MemoryStore, 'exists'> = {
      fetch: (descriptor, options) => {
        fetched.push(descriptor.digest);
        return store.fetch(descriptor, options);
      },
      exists: (descriptor, options) => store.exists(descriptor, options),
    };
    const index = setLayoutTag(createLayoutIndex(), image.manifest.descriptor, 'v1');
    const stream = await createLayoutArchive(spy, index);
    const layer = image.blobs[1]?.descriptor.digest;
    expect(fetched).not.toContain(layer);
    await bytesOf(stream);
    expect(fetched).toContain(layer);
  });

  it('fails on missing or corrupt content, skips foreign layers, and stops when aborted', async () => {
    const image = smallImage();
    const store = await storeWith(image);
    const layer = image.blobs[1]?.descriptor as Descriptor;
    const foreign: Descriptor = {
      ...randomBlob(10).descriptor,
      mediaType: MediaType.OciLayerNondistributableGzip,
      urls: ['https://example.com/l'],
    };
    const withForeign = createImageManifest({
      config: image.blobs[0]?.descriptor as Descriptor,
      layers: [layer, foreign],
    });
    await pushBytes(store, withForeign.bytes, withForeign.mediaType);
    const foreignIndex = setLayoutTag(createLayoutIndex(), withForeign.descriptor, 'foreign');
    const paths: string[] = [];
    for await (const entry of readLayoutArchive(await createLayoutArchive(store, foreignIndex))) {
      if (entry.kind === 'blob') await entry.body.cancel();
      paths.push(entry.path);
    }
    expect(paths).not.toContain(`blobs/sha256/${foreign.digest.slice(7)}`);
    const missing = setLayoutTag(createLayoutIndex(), smallImage().manifest.descriptor, 'gone');
    expect(await errorCode(createLayoutArchive(store, missing))).toBe('MANIFEST_UNKNOWN');
    const liar: Fetcher & Pick<MemoryStore, 'exists'> = {
      fetch: async (descriptor, options) =>
        descriptor.digest === layer.digest
          ? streamFromBytes(new Uint8Array(layer.size)).pipeThrough(createVerifyStream(descriptor))
          : store.fetch(descriptor, options),
      exists: (descriptor, options) => store.exists(descriptor, options),
    };
    const index = setLayoutTag(createLayoutIndex(), image.manifest.descriptor, 'v1');
    expect(await errorCode(bytesOf(await createLayoutArchive(liar, index)))).toBe(
      'DIGEST_MISMATCH',
    );
    const signal = AbortSignal.abort();
    expect(await errorCode(createLayoutArchive(store, index, { signal }))).toBe('ABORTED');
  });
});
