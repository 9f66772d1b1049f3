import { describeTarget, multiPlatformImage, randomBlob, smallImage } from '@ocikit/contracts';
import { digestBytes, isOciError, readBytes, streamFromBytes } from '@ocikit/digest';
import { Registry, Repository } from '@ocikit/registry';
import { createImageManifest, EMPTY_DESCRIPTOR, MediaType } from '@ocikit/spec';
import { collect } from '@ocikit/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistryHandler } from './handler.ts';
import { listen, type RunningRegistry } from './node-adapter.node.ts';

// The registry client of this project against the embedded server over real HTTP (127.0.0.1).

let server: RunningRegistry | undefined;
let started: Promise<RunningRegistry> | undefined;
let count = 0;

function running(): Promise<RunningRegistry> {
  started ??= listen(createRegistryHandler({ chunkMinLength: 1024 })).then((s) => {
    server = s;
    return s;
  });
  return started;
}

async function freshRepository(prefix: string, options = {}): Promise<Repository> {
  const { host } = await running();
  count += 1;
  return new Repository(`${host}/${prefix}/repo-${count}`, options);
}

beforeAll(async () => {
  await running();
});
afterAll(async () => {
  await server?.close();
});

describeTarget(
  'Registry Repository on the embedded server (node:http)',
  async () => ({ subject: await freshRepository('contract') }),
  { tagLister: true, referrerLister: true, untagger: true, deleter: true },
);

describe('the registry client against the embedded server over HTTP', () => {
  it('pings /v2/ and reads the API version header', async () => {
    const registry = new Registry((await running()).host);
    expect(await registry.ping()).toMatchObject({ status: 200, apiVersion: 'registry/2.0' });
  });

  it('pushes an image in PATCH chunks and pulls it back byte for byte', async () => {
    const repo = await freshRepository('chunked', { chunkSize: 4096, streamUploads: false });
    const image = smallImage(50_000);
    for (const blob of image.blobs)
      await repo.pushBlob(blob.descriptor, streamFromBytes(blob.bytes));
    const pushed = await repo.putManifest(image.manifest, { tags: ['v1'] });
    expect(pushed.digest).toBe(image.manifest.digest);
    const layer = image.blobs[1];
    if (!layer) throw new Error('fixture without a layer');
    const read = await readBytes(await repo.fetch(layer.descriptor), { maxBytes: 60_000 });
    expect(read).toEqual(layer.bytes);
    const fetched = await repo.fetchManifest('v1');
    expect(fetched.bytes).toEqual(image.manifest.bytes);
    expect(fetched.descriptor.mediaType).toBe(MediaType.OciImageManifest);
  });

  it('pushes a blob through a session it resumes from the upload status', async () => {
    const repo = await freshRepository('resume');
    const blob = randomBlob(10_000);
    const session = await repo.startUpload();
    expect(session.minChunkSize).toBe(1024);
    await session.append(blob.bytes.subarray(0, 4000));
    const resumed = await repo.resumeUpload(session.location);
    expect(resumed.offset).toBe(4000);
    await repo.pushBlob(blob.descriptor, streamFromBytes(blob.bytes.subarray(4000)), {
      session: resumed,
    });
    expect(await repo.exists(blob.descriptor)).toBe(true);
  });

  it('reads a blob from the middle with a Range request', async () => {
    const repo = await freshRepository('range');
    const blob = randomBlob(5000);
    await repo.pushBlob(blob.descriptor, streamFromBytes(blob.bytes));
    const tail = await readBytes(await repo.fetchRange(blob.descriptor, { offset: 1234 }), {
      maxBytes: 5000,
    });
    expect(tail).toEqual(blob.bytes.subarray(1234));
  });

  it('mounts a blob across repositories, and uploads through the session when the source lacks it', async () => {
    const source = await freshRepository('mount');
    const target = await freshRepository('mount');
    const blob = randomBlob(3000);
    await source.pushBlob(blob.descriptor, streamFromBytes(blob.bytes));
    expect(await target.mountBlob(blob.descriptor, source.name)).toMatchObject({ mounted: true });
    expect(await target.exists(blob.descriptor)).toBe(true);

    const missing = randomBlob(100);
    const refused = await target.mountBlob(missing.descriptor, source.name);
    expect(refused.mounted).toBe(false);
    if (refused.mounted) return;
    await target.pushBlob(missing.descriptor, streamFromBytes(missing.bytes), {
      session: refused.session,
    });
    expect(await target.exists(missing.descriptor)).toBe(true);
  });

  it('pushes a multi-platform index after its children and lists tags page by page', async () => {
    const repo = await freshRepository('index');
    const { images, index } = multiPlatformImage();
    for (const image of images) {
      for (const blob of image.blobs)
        await repo.pushBlob(blob.descriptor, streamFromBytes(blob.bytes));
      await repo.putManifest(image.manifest);
    }
    const tags = ['a', 'b', 'c', 'd', 'e'];
    await repo.putManifest(index, { tags });
    expect(await collect(repo.tags({ pageSize: 2 }))).toEqual(tags);
    expect((await repo.resolve('c')).mediaType).toBe(MediaType.OciImageIndex);
  });

  it('finds a referrer through the referrers API, filtered by artifactType', async () => {
    const repo = await freshRepository('referrers', { referrers: 'api' });
    await repo.pushBlob(EMPTY_DESCRIPTOR, streamFromBytes(new TextEncoder().encode('{}')));
    const layerBytes = new TextEncoder().encode('layer');
    const layer = { mediaType: MediaType.OciLayer, digest: digestBytes(layerBytes), size: 5 };
    await repo.pushBlob(layer, streamFromBytes(layerBytes));
    const subject = await repo.putManifest(
      createImageManifest({
        artifactType: 'application/vnd.example.image',
        config: EMPTY_DESCRIPTOR,
        layers: [layer],
      }),
      { tags: ['v1'] },
    );
    const signature = createImageManifest({
      artifactType: 'application/vnd.example.signature',
      config: EMPTY_DESCRIPTOR,
      layers: [EMPTY_DESCRIPTOR],
      subject,
    });
    const sbom = createImageManifest({
      artifactType: 'application/vnd.example.sbom',
      config: EMPTY_DESCRIPTOR,
      layers: [EMPTY_DESCRIPTOR],
      subject,
    });
    await repo.putManifest(signature);
    await repo.putManifest(sbom);
    const found = [];
    for await (const referrer of repo.referrers(subject, {
      artifactType: 'application/vnd.example.signature',
    })) {
      found.push(referrer.digest);
    }
    expect(found).toEqual([signature.digest]);
  });

  it('deletes a tag without the image, then the image by digest', async () => {
    const repo = await freshRepository('delete');
    const image = smallImage(100);
    for (const blob of image.blobs)
      await repo.pushBlob(blob.descriptor, streamFromBytes(blob.bytes));
    await repo.putManifest(image.manifest, { tags: ['keep', 'drop'] });
    await repo.untag('drop');
    expect(await collect(repo.tags())).toEqual(['keep']);
    await repo.delete(image.manifest.descriptor);
    const error = await repo.resolve('keep').catch((e: unknown) => e);
    expect(isOciError(error, 'MANIFEST_UNKNOWN')).toBe(true);
  });

  it('lists the catalog page by page', async () => {
    const registry = new Registry((await running()).host);
    const names: string[] = [];
    for await (const name of registry.catalog({ pageSize: 2 })) names.push(name);
    expect(names.length).toBeGreaterThan(2);
    expect(names).toEqual([...names].sort());
  });
});
