import { artifactFor, randomBlob, smallImage, type TestImage } from '@ocikit/contracts';
import { digestBytes, readBytes, streamFromBytes } from '@ocikit/digest';
import { createImageManifest, type Descriptor, EMPTY_DESCRIPTOR, MediaType } from '@ocikit/spec';
import { collect, errorCode, ociFailure } from '@ocikit/testbed';
import { Transport } from '@ocikit/transport';
import { describe, expect, it, vi } from 'vitest';
import { FakeRegistry, type FakeRegistryOptions } from './fake-registry.testing.ts';
import type { RepositoryOptions } from './options.ts';
import { referrersTag } from './referrers-fallback.ts';
import { Registry } from './registry.ts';
import { Repository } from './repository.ts';

const NAME = 'ns/app';

function setup(options: FakeRegistryOptions = {}, repository: RepositoryOptions = {}) {
  const fake = new FakeRegistry(options);
  const transport = new Transport({ fetch: fake.fetch, retry: { minDelayMs: 1, maxDelayMs: 2 } });
  const repo = new Repository(
    { registry: fake.host, repository: NAME },
    { transport, ...repository },
  );
  return { fake, repo, transport };
}

async function pushImage(repo: Repository, image: TestImage, tags: string[] = []) {
  for (const blob of image.blobs) await repo.push(blob.descriptor, streamFromBytes(blob.bytes));
  return repo.putManifest(image.manifest, { tags });
}

/** A body that sends `bytes` and then breaks the connection. */
function breakingBody(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream({
    pull(controller) {
      if (sent) {
        controller.error(new TypeError('terminated'));
        return;
      }
      sent = true;
      controller.enqueue(bytes);
    },
  });
}

describe('Repository manifests', () => {
  it('pushes under several tags in one request where the registry answers OCI-Tag', async () => {
    const image = smallImage();
    const plain = setup();
    await pushImage(plain.repo, image, ['a', 'b', 'c']);
    expect(plain.fake.seen('PUT', /\/manifests\//).map((r) => r.path)).toEqual([
      `/v2/${NAME}/manifests/${image.manifest.digest}?tag=a&tag=b&tag=c`,
      `/v2/${NAME}/manifests/a`,
      `/v2/${NAME}/manifests/b`,
      `/v2/${NAME}/manifests/c`,
    ]);
    const oci = setup({ multiTag: true });
    await pushImage(oci.repo, image, ['a', 'b', 'c']);
    expect(oci.fake.seen('PUT', /\/manifests\//)).toHaveLength(1);
    expect(await collect(oci.repo.tags())).toEqual(['a', 'b', 'c']);
    const single = setup();
    await pushImage(single.repo, image, ['only']);
    expect(single.fake.seen('PUT', /\/manifests\//).map((r) => r.path)).toEqual([
      `/v2/${NAME}/manifests/only`,
    ]);
  });

  it('sends the media type as Content-Type and every manifest type in Accept', async () => {
    const { fake, repo } = setup();
    const image = smallImage();
    await pushImage(repo, image, ['v1']);
    const put = fake.seen('PUT', /\/manifests\//)[0];
    expect(put?.headers.get('content-type')).toBe(MediaType.OciImageManifest);
    const manifest = await repo.getManifest('v1');
    expect(manifest.digest).toBe(image.manifest.digest);
    const accept = fake.seen('GET', /\/manifests\/v1$/)[0]?.headers.get('accept') ?? '';
    for (const type of [
      MediaType.OciImageIndex,
      MediaType.DockerManifestList,
      MediaType.DockerManifest,
    ]) {
      expect(accept).toContain(type);
    }
  });

  it('verifies manifests: by the digest asked for, else by Docker-Content-Digest', async () => {
    const { fake, repo } = setup();
    const image = smallImage();
    const other = smallImage();
    await pushImage(repo, image, ['v1']);
    fake.intercept((request, url) =>
      request.method === 'GET' && url.pathname.includes('/manifests/')
        ? new Response(other.manifest.bytes as Uint8Array<ArrayBuffer>, {
            headers: {
              'content-type': MediaType.OciImageManifest,
              'docker-content-digest': image.manifest.digest,
            },
          })
        : undefined,
    );
    expect(await errorCode(repo.fetchManifest('v1'))).toBe('DIGEST_MISMATCH');
    expect(await errorCode(repo.fetchManifest(image.manifest.digest))).toBe('DIGEST_MISMATCH');
    expect(await errorCode(repo.fetch(image.manifest.descriptor))).toBe('DIGEST_MISMATCH');
  });

  it('resolves with HEAD, and with GET when HEAD leaves out the digest', async () => {
    const image = smallImage();
    for (const headDigest of [true, false]) {
      const { fake, repo } = setup({ headDigest });
      await pushImage(repo, image, ['v1']);
      const descriptor = await repo.resolve('v1');
      expect(descriptor).toEqual(image.manifest.descriptor);
      expect(fake.seen('GET', /\/manifests\//).length, `digest on HEAD: ${headDigest}`).toBe(
        headDigest ? 0 : 1,
      );
    }
  });

  it('caps manifests: a Content-Length over the limit fails before reading, a long body is cut off', async () => {
    const { fake, repo } = setup({}, { maxManifestSize: 1024 });
    let pulled = 0;
    const endless = () =>
      new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled += 1;
          controller.enqueue(new Uint8Array(512));
        },
      });
    fake.intercept((_request, url) => {
      if (url.pathname.endsWith('/declared')) {
        return new Response(endless(), {
          headers: { 'content-type': MediaType.OciImageManifest, 'content-length': '5000000' },
        });
      }
      if (url.pathname.endsWith('/endless')) {
        return new Response(endless(), { headers: { 'content-type': MediaType.OciImageManifest } });
      }
      return undefined;
    });
    const declared = await ociFailure(repo.fetchManifest('declared'));
    expect(declared.code).toBe('SIZE_EXCEEDED');
    expect(declared.message).toContain('5000000');
    expect(pulled).toBeLessThanOrEqual(1);
    expect(await errorCode(repo.fetchManifest('endless'))).toBe('SIZE_EXCEEDED');
    expect(pulled).toBeLessThan(10);
  });

  it('refuses invalid manifests, tags and digests before sending anything', async () => {
    const { fake, repo } = setup();
    const bytes = new TextEncoder().encode('{"schemaVersion":2}');
    expect(
      await errorCode(repo.putManifest({ bytes, mediaType: MediaType.OciImageManifest })),
    ).toBe('MANIFEST_INVALID');
    const image = smallImage();
    expect(await errorCode(repo.putManifest(image.manifest, { tags: ['bad tag'] }))).toBe(
      'TAG_INVALID',
    );
    expect(await errorCode(repo.fetchManifest('sha256:nope'))).toBe('DIGEST_INVALID');
    expect(await errorCode(repo.resolve('-bad'))).toBe('TAG_INVALID');
    expect(fake.requests).toHaveLength(0);
  });
});

describe('Repository.untag', () => {
  it('deletes a tag with the OCI 1.1 tag DELETE', async () => {
    const { fake, repo } = setup({ tagDelete: 'oci' });
    const image = smallImage();
    await pushImage(repo, image, ['keep', 'drop']);
    await repo.untag('drop');
    expect(await collect(repo.tags())).toEqual(['keep']);
    expect(fake.seen('DELETE', /./).map((r) => r.path)).toEqual([`/v2/${NAME}/manifests/drop`]);
    expect(await errorCode(repo.untag('drop'))).toBe('MANIFEST_UNKNOWN');
  });

  it('says UNSUPPORTED where the registry refuses, unless the fallback is on', async () => {
    for (const tagDelete of ['refuse-400', 'refuse-405'] as const) {
      const { repo } = setup({ tagDelete });
      await pushImage(repo, smallImage(), ['v1']);
      const error = await ociFailure(repo.untag('v1'));
      expect(error.code, tagDelete).toBe('UNSUPPORTED');
      expect(error.message).toContain('untagFallback');
      expect(await collect(repo.tags())).toEqual(['v1']);
    }
  });

  it('falls back to a throwaway manifest, leaving the image and its other tags alone', async () => {
    const { fake, repo } = setup({ tagDelete: 'refuse-400' }, { untagFallback: true });
    const image = smallImage();
    await pushImage(repo, image, ['keep', 'drop']);
    await repo.untag('drop');
    expect(await collect(repo.tags())).toEqual(['keep']);
    expect((await repo.resolve('keep')).digest).toBe(image.manifest.digest);
    expect(await repo.exists(image.manifest.descriptor)).toBe(true);
    const manifests = fake.manifests.get(NAME);
    expect(manifests?.size).toBe(1);
    expect(await errorCode(repo.untag('nothing'))).toBe('MANIFEST_UNKNOWN');
  });
});

describe('Repository referrers', () => {
  async function withReferrers(options: FakeRegistryOptions, repository: RepositoryOptions = {}) {
    const context = setup(options, repository);
    const image = smallImage();
    await pushImage(context.repo, image, ['v1']);
    const signature = artifactFor(image.manifest.descriptor, 'application/vnd.example.signature');
    const sbom = artifactFor(image.manifest.descriptor, 'application/vnd.example.sbom');
    await pushImage(context.repo, signature);
    await pushImage(context.repo, sbom);
    return { ...context, image, signature, sbom };
  }

  it('reads the referrers API, filtering here when the registry did not, across pages', async () => {
    for (const filtersApplied of [true, false]) {
      const { fake, repo, image, signature, sbom } = await withReferrers({
        referrersApi: true,
        filtersApplied,
        referrersPageSize: 1,
      });
      const all = await collect(repo.referrers(image.manifest.descriptor));
      expect(all.map((r) => r.digest).sort()).toEqual(
        [signature.manifest.digest, sbom.manifest.digest].sort(),
      );
      const sboms = await collect(
        repo.referrers(image.manifest.descriptor, { artifactType: 'application/vnd.example.sbom' }),
      );
      expect(
        sboms.map((r) => r.digest),
        `filters applied: ${filtersApplied}`,
      ).toEqual([sbom.manifest.digest]);
      expect(fake.tags.get(NAME)?.has(referrersTag(image.manifest.digest))).toBe(false);
    }
  });

  it('keeps the referrers tag schema where the registry has no API', async () => {
    const { fake, repo, image, signature, sbom } = await withReferrers({});
    const tag = referrersTag(image.manifest.digest);
    expect(fake.tags.get(NAME)?.has(tag)).toBe(true);
    const index = await repo.getManifest(tag);
    expect(index.kind).toBe('index');
    const all = await collect(repo.referrers(image.manifest.descriptor));
    expect(all.map((r) => r.digest)).toEqual([signature.manifest.digest, sbom.manifest.digest]);
    expect(all[1]?.artifactType).toBe('application/vnd.example.sbom');
    expect(all[1]?.annotations?.['org.example.kind']).toBe('application/vnd.example.sbom');
    await repo.putManifest(signature.manifest);
    expect(await collect(repo.referrers(image.manifest.descriptor))).toHaveLength(2);
    await repo.delete(signature.manifest.descriptor);
    const left = await collect(repo.referrers(image.manifest.descriptor));
    expect(left.map((r) => r.digest)).toEqual([sbom.manifest.digest]);
  });

  it('keeps concurrent pushes from one client in the referrers index', async () => {
    const { repo } = setup();
    const image = smallImage();
    await pushImage(repo, image);
    const artifacts = Array.from({ length: 6 }, (_, i) =>
      artifactFor(image.manifest.descriptor, `application/vnd.example.kind${i}`),
    );
    for (const artifact of artifacts) {
      for (const blob of artifact.blobs)
        await repo.push(blob.descriptor, streamFromBytes(blob.bytes));
    }
    await Promise.all(artifacts.map((artifact) => repo.putManifest(artifact.manifest)));
    expect(await collect(repo.referrers(image.manifest.descriptor))).toHaveLength(6);
  });

  it('treats a referrers tag that holds no index as no referrers, and refuses to update it', async () => {
    const { fake, repo } = setup();
    const image = smallImage();
    await pushImage(repo, image);
    const squatter = smallImage();
    await pushImage(repo, squatter, [referrersTag(image.manifest.digest)]);
    expect(await collect(repo.referrers(image.manifest.descriptor))).toEqual([]);
    const artifact = artifactFor(image.manifest.descriptor, 'application/vnd.example.signature');
    for (const blob of artifact.blobs)
      await repo.push(blob.descriptor, streamFromBytes(blob.bytes));
    expect(await errorCode(repo.putManifest(artifact.manifest))).toBe('MANIFEST_INVALID');
    expect(fake.manifests.get(NAME)?.has(artifact.manifest.digest)).toBe(true);
  });

  it('says UNSUPPORTED in api mode on a registry without the API', async () => {
    const { repo } = setup({}, { referrers: 'api' });
    const subject = smallImage().manifest.descriptor;
    expect(await errorCode(collect(repo.referrers(subject)))).toBe('UNSUPPORTED');
  });
});

describe('Repository blobs', () => {
  it('resumes a broken download with Range, and copes with a server that ignores Range', async () => {
    const blob = randomBlob(50_000);
    for (const ranges of [true, false]) {
      const { fake, repo } = setup({ ranges });
      fake.addBlob(NAME, blob.bytes);
      let broken = false;
      fake.intercept((request, url) => {
        if (broken || request.method !== 'GET' || !url.pathname.includes('/blobs/'))
          return undefined;
        broken = true;
        return new Response(breakingBody(blob.bytes.subarray(0, 20_000)), {
          headers: { 'content-length': String(blob.bytes.byteLength) },
        });
      });
      const bytes = await readBytes(await repo.fetch(blob.descriptor), { maxBytes: 60_000 });
      expect(digestBytes(bytes), `ranges: ${ranges}`).toBe(blob.descriptor.digest);
      expect(fake.seen('GET', /\/blobs\//).map((r) => r.headers.get('range'))).toEqual([
        null,
        'bytes=20000-',
      ]);
    }
  });

  it('reads a bounded range (fetchRange length) as Range: bytes=start-last, also from a server that ignores Range', async () => {
    const blob = randomBlob(1000);
    for (const ranges of [true, false]) {
      const { fake, repo } = setup({ ranges });
      fake.addBlob(NAME, blob.bytes);
      const cases: [number, number, Uint8Array][] = [
        [100, 200, blob.bytes.subarray(100, 300)],
        [0, 10, blob.bytes.subarray(0, 10)],
        [990, 50, blob.bytes.subarray(990)],
      ];
      for (const [offset, length, expected] of cases) {
        const part = await readBytes(await repo.fetchRange(blob.descriptor, { offset, length }), {
          maxBytes: 1000,
        });
        expect(part, `ranges: ${ranges}, ${offset}+${length}`).toEqual(expected);
      }
      expect(fake.seen('GET', /\/blobs\//).map((r) => r.headers.get('range'))).toEqual([
        'bytes=100-299',
        'bytes=0-9',
        'bytes=990-',
      ]);
      expect(await errorCode(repo.fetchRange(blob.descriptor, { offset: 0, length: -1 }))).toBe(
        'RANGE_INVALID',
      );
    }
  });

  it('refuses a 206 that covers other bytes, and serves ranges', async () => {
    const blob = randomBlob(1000);
    const { fake, repo } = setup();
    fake.addBlob(NAME, blob.bytes);
    const tail = await readBytes(await repo.fetchRange(blob.descriptor, { offset: 900 }), {
      maxBytes: 100,
    });
    expect(tail).toEqual(blob.bytes.subarray(900));
    fake.intercept((request) =>
      request.headers.get('range')
        ? new Response(blob.bytes.subarray(100) as Uint8Array<ArrayBuffer>, {
            status: 206,
            headers: { 'content-range': 'bytes 100-999/1000' },
          })
        : undefined,
    );
    expect(await errorCode(repo.fetchRange(blob.descriptor, { offset: 900 }))).toBe(
      'RANGE_INVALID',
    );
    expect(await errorCode(repo.fetchRange(blob.descriptor, { offset: 1001 }))).toBe(
      'RANGE_INVALID',
    );
  });

  it('uploads in chunks of at least OCI-Chunk-Min-Length, the last one in the closing PUT', async () => {
    const blob = randomBlob(10_000);
    const { fake, repo } = setup({ minChunkSize: 3000 }, { chunkSize: 1000, streamUploads: false });
    await repo.pushBlob(blob.descriptor, streamFromBytes(blob.bytes, 777));
    expect(fake.seen('PATCH', /./).map((r) => r.headers.get('content-range'))).toEqual([
      '0-2999',
      '3000-5999',
      '6000-8999',
    ]);
    const put = fake.seen('PUT', /\/blobs\/uploads\//);
    expect(put.map((r) => [r.bodySize, r.headers.get('content-range')])).toEqual([
      [1000, '9000-9999'],
    ]);
    expect(await repo.exists(blob.descriptor)).toBe(true);
  });

  it('sends a blob that fits the buffer in one PUT, or streams it when asked', async () => {
    const blob = randomBlob(10_000);
    for (const streamed of [false, true]) {
      const { fake, repo } = setup();
      await repo.pushBlob(blob.descriptor, streamFromBytes(blob.bytes, 999), { streamed });
      expect(fake.seen('PATCH', /./), `streamed: ${streamed}`).toHaveLength(0);
      const put = fake.seen('PUT', /\/blobs\/uploads\//);
      expect(put.map((r) => [r.bodySize, r.headers.get('content-length')])).toEqual([
        [10_000, '10000'],
      ]);
      expect(await repo.exists(blob.descriptor)).toBe(true);
    }
  });

  it('streams a blob larger than a chunk in one PUT by default', async () => {
    const blob = randomBlob(10_000);
    const { fake, repo } = setup({}, { chunkSize: 1000 });
    await repo.pushBlob(blob.descriptor, streamFromBytes(blob.bytes, 777));
    expect(fake.seen('PATCH', /./)).toHaveLength(0);
    const put = fake.seen('PUT', /\/blobs\/uploads\//);
    expect(put.map((r) => [r.bodySize, r.headers.get('content-length')])).toEqual([
      [10_000, '10000'],
    ]);
    expect(await repo.exists(blob.descriptor)).toBe(true);
  });

  it('recovers a chunk the registry took only part of, from the session status', async () => {
    const blob = randomBlob(4000);
    const { fake, repo } = setup({}, { chunkSize: 2000, streamUploads: false });
    let failed = false;
    fake.intercept(async (request, url) => {
      if (failed || request.method !== 'PATCH') return undefined;
      failed = true;
      const state = fake.uploads.get(url.pathname.split('/').pop() ?? '');
      const body = new Uint8Array(await request.clone().arrayBuffer());
      state?.chunks.push(body.subarray(0, 500));
      if (state) state.size += 500;
      return new Response(null, { status: 500 });
    });
    await repo.pushBlob(blob.descriptor, streamFromBytes(blob.bytes));
    expect(fake.seen('PATCH', /./).map((r) => r.headers.get('content-range'))).toEqual([
      '0-1999',
      '500-1999',
    ]);
    expect(await repo.exists(blob.descriptor)).toBe(true);
  });

  it('recovers a chunk whose answer was lost (416 on the repeat)', async () => {
    const blob = randomBlob(3000);
    const { fake, repo } = setup({}, { chunkSize: 2000 });
    let lost = false;
    fake.intercept(async (request) => {
      if (lost || request.method !== 'PATCH') return undefined;
      lost = true;
      await fake.handle(request.clone());
      return new Response(null, { status: 502 });
    });
    await repo.pushBlob(blob.descriptor, streamFromBytes(blob.bytes));
    expect(await repo.exists(blob.descriptor)).toBe(true);
  });

  it('exposes sessions: append, resume from the location, complete, cancel', async () => {
    const blob = randomBlob(5000);
    const { fake, repo } = setup();
    const session = await repo.startUpload();
    expect(session.offset).toBe(0);
    await session.append(blob.bytes.subarray(0, 1234));
    const resumed = await repo.resumeUpload(session.location);
    expect(resumed.offset).toBe(1234);
    await repo.pushBlob(blob.descriptor, streamFromBytes(blob.bytes.subarray(1234)), {
      session: resumed,
    });
    expect(await repo.exists(blob.descriptor)).toBe(true);
    const dropped = await repo.startUpload();
    await dropped.cancel();
    expect(fake.uploads.size).toBe(0);
    expect(await errorCode(dropped.status())).toBe('BLOB_UPLOAD_UNKNOWN');
    expect(
      await errorCode(
        repo.pushBlob(blob.descriptor, streamFromBytes(blob.bytes), {
          session: { ...session } as never,
        }),
      ),
    ).toBe('OPTION_INVALID');
  });

  it('fails a push of wrong content, cancels the session and consumes the content', async () => {
    const blob = randomBlob(5000);
    for (const mode of [{ streamUploads: true }, { chunkSize: 1000 }, {}]) {
      const chunkSize = JSON.stringify(mode);
      const { fake, repo } = setup({}, mode);
      const cases: [string, Uint8Array, string][] = [
        ['other bytes', randomBlob(5000).bytes, 'DIGEST_MISMATCH'],
        ['short', blob.bytes.subarray(0, 4000), 'SIZE_MISMATCH'],
        ['long', Uint8Array.of(...blob.bytes, 1), 'SIZE_EXCEEDED'],
      ];
      for (const [label, bytes, code] of cases) {
        let settled = false;
        const source = streamFromBytes(bytes, 700).getReader();
        const content = new ReadableStream<Uint8Array>({
          pull: async (controller) => {
            const { done, value } = await source.read();
            if (done) {
              settled = true;
              controller.close();
            } else controller.enqueue(value);
          },
          cancel: () => {
            settled = true;
          },
        });
        expect(
          await errorCode(repo.pushBlob(blob.descriptor, content)),
          `${label}, chunks ${chunkSize}`,
        ).toBe(code);
        expect(settled, `${label}: the content is read to its end or cancelled`).toBe(true);
      }
      expect(fake.uploads.size).toBe(0);
      expect(await repo.exists(blob.descriptor)).toBe(false);
    }
  });

  it('mounts from a repository of the same registry, or uploads through the session it opens', async () => {
    const { fake, repo, transport } = setup();
    const source = new Repository({ registry: fake.host, repository: 'other/src' }, { transport });
    const blob = randomBlob(3000);
    await source.pushBlob(blob.descriptor, streamFromBytes(blob.bytes));
    expect(await repo.mountBlob(blob.descriptor, 'other/src')).toEqual({ mounted: true });
    const missing = randomBlob(10);
    const result = await repo.mountBlob(missing.descriptor, 'other/src');
    expect(result.mounted).toBe(false);
    if (!result.mounted) await result.session.cancel();
    const second = randomBlob(2000);
    const elsewhere = new Repository(
      { registry: fake.host, repository: 'other/second' },
      { transport },
    );
    await elsewhere.pushBlob(second.descriptor, streamFromBytes(second.bytes));
    fake.intercept((_request, url) =>
      url.searchParams.has('mount') && url.searchParams.get('mount') === second.descriptor.digest
        ? new Response(null, {
            status: 202,
            headers: { location: `/v2/${NAME}/blobs/uploads/x` },
          })
        : undefined,
    );
    fake.uploads.set('x', { repository: NAME, chunks: [], size: 0 });
    expect(await repo.mount(second.descriptor, elsewhere)).toBe(true);
    expect(await repo.exists(second.descriptor)).toBe(true);
    const foreign = new Repository({ registry: 'elsewhere.test', repository: 'x' }, { transport });
    expect(await repo.mount(blob.descriptor, foreign)).toBe(false);
    expect(await repo.mount(blob.descriptor, {})).toBe(false);
  });

  it('states and deletes blobs', async () => {
    const { repo } = setup();
    const blob = randomBlob(100);
    await repo.pushBlob(blob.descriptor, streamFromBytes(blob.bytes));
    expect(await repo.statBlob(blob.descriptor.digest)).toEqual({
      mediaType: 'application/octet-stream',
      digest: blob.descriptor.digest,
      size: 100,
    });
    await repo.delete(blob.descriptor);
    expect(await errorCode(repo.statBlob(blob.descriptor.digest))).toBe('BLOB_UNKNOWN');
    expect(await errorCode(repo.delete(blob.descriptor))).toBe('BLOB_UNKNOWN');
  });
});

describe('Repository tags', () => {
  async function tagged(options: FakeRegistryOptions, tags: string[]) {
    const context = setup(options);
    await pushImage(context.repo, smallImage(), tags);
    return context;
  }

  it('follows Link pages, and pages by last where the registry gives no Link', async () => {
    const tags = ['e', 'b', 'a', 'd', 'c'];
    const { fake, repo } = await tagged({ multiTag: true }, tags);
    expect(await collect(repo.tags({ pageSize: 2 }))).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(fake.seen('GET', /tags\/list/)).toHaveLength(3);
    expect(await collect(repo.tags({ pageSize: 2, last: 'b' }))).toEqual(['c', 'd', 'e']);
    const noLink = await tagged({ multiTag: true }, tags);
    noLink.fake.intercept((_request, url) => {
      if (!url.pathname.endsWith('/tags/list')) return undefined;
      const all = ['a', 'b', 'c', 'd', 'e'];
      const last = url.searchParams.get('last');
      const after = last === null ? all : all.filter((tag) => tag > last);
      return Response.json({ tags: after.slice(0, Number(url.searchParams.get('n') ?? 100)) });
    });
    expect(await collect(noLink.repo.tags({ pageSize: 2 }))).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(noLink.fake.seen('GET', /tags\/list/).map((r) => r.path)).toEqual([
      `/v2/${NAME}/tags/list?n=2`,
      `/v2/${NAME}/tags/list?n=2&last=b`,
      `/v2/${NAME}/tags/list?n=2&last=d`,
    ]);
  });

  it('orders, filters and deduplicates for registries that ignore n and last', async () => {
    const { repo } = await tagged({ pagination: false }, ['v2', 'v10', 'latest', 'v1']);
    expect(await collect(repo.tags())).toEqual(['latest', 'v1', 'v10', 'v2']);
    expect(await collect(repo.tags({ pageSize: 2 }))).toEqual(['latest', 'v1', 'v10', 'v2']);
    expect(await collect(repo.tags({ last: 'v1' }))).toEqual(['v10', 'v2']);
  });

  it('ends a Link loop, bounds the pages, and refuses a Link to another host', async () => {
    const { fake, repo } = setup({}, { maxPages: 3 });
    let count = 0;
    fake.intercept((_request, url) => {
      if (!url.pathname.endsWith('/tags/list')) return undefined;
      count += 1;
      const mode = url.searchParams.get('mode');
      if (mode === 'loop') {
        return Response.json(
          { tags: ['a'] },
          { headers: { link: `<${url.pathname}?mode=loop>; rel="next"` } },
        );
      }
      if (mode === 'evil') {
        return Response.json(
          { tags: ['a'] },
          { headers: { link: '<https://evil.test/v2/x/tags/list>; rel="next"' } },
        );
      }
      return Response.json(
        { tags: [`t${count}`] },
        { headers: { link: `<${url.pathname}?page=${count}>; rel="next"` } },
      );
    });
    expect(await errorCode(collect(repo.tags()))).toBe('SIZE_EXCEEDED');
    fake.intercept(() => undefined);
    const loop = setup();
    loop.fake.intercept((_request, url) =>
      url.pathname.endsWith('/tags/list')
        ? Response.json(
            { tags: ['a', 'b'] },
            { headers: { link: `<${url.pathname}>; rel="next"` } },
          )
        : undefined,
    );
    expect(await collect(loop.repo.tags())).toEqual(['a', 'b']);
    expect(loop.fake.seen('GET', /tags\/list/)).toHaveLength(1);
    const evil = setup();
    evil.fake.intercept((_request, url) =>
      url.pathname.endsWith('/tags/list')
        ? Response.json(
            { tags: ['a'] },
            { headers: { link: '<https://evil.test/v2/x>; rel="next"' } },
          )
        : undefined,
    );
    const seen: string[] = [];
    const error = await ociFailure(
      (async () => {
        for await (const tag of evil.repo.tags()) seen.push(tag);
      })(),
    );
    expect(error.code).toBe('REDIRECT_INVALID');
    expect(seen).toEqual([]);
  });

  it('says what is wrong with a malformed page', async () => {
    const { fake, repo } = setup();
    fake.intercept((_request, url) =>
      url.pathname.endsWith('/tags/list') ? new Response('{"tags": [1, 2]}') : undefined,
    );
    expect(await errorCode(collect(repo.tags()))).toBe('RESPONSE_INVALID');
    expect(await errorCode(collect(repo.tags({ pageSize: 0 })))).toBe('OPTION_INVALID');
  });
});

describe('Registry', () => {
  it('pings, lists the catalog, and shares its client with its repositories', async () => {
    const fake = new FakeRegistry({
      warnings: ['deprecated endpoint', 'slow down'],
      rateLimit: { limit: '100;w=21600', remaining: '42;w=21600' },
    });
    const onWarning = vi.fn();
    const registry = new Registry(fake.host, {
      transport: new Transport({ fetch: fake.fetch }),
      onWarning,
    });
    expect(await registry.ping()).toEqual({ status: 200, apiVersion: undefined, challenges: [] });
    for (const name of ['b/x', 'a/y', 'c/z']) {
      await pushImage(registry.repository(name), smallImage(), ['v1']);
    }
    expect(await collect(registry.catalog({ pageSize: 2 }))).toEqual(['a/y', 'b/x', 'c/z']);
    expect(onWarning.mock.calls).toEqual([['deprecated endpoint'], ['slow down']]);
    expect(registry.repository('a/y').warnings).toEqual(['deprecated endpoint', 'slow down']);
    expect(registry.rateLimit).toEqual({
      limit: 100,
      remaining: 42,
      windowSeconds: 21600,
      source: undefined,
    });
    expect(() => registry.repository('Bad')).toThrow(
      expect.objectContaining({ code: 'NAME_INVALID' }),
    );
  });

  it('says UNSUPPORTED for a host without the API', async () => {
    const registry = new Registry('web.test', {
      transport: new Transport({ fetch: async () => new Response('nope', { status: 404 }) }),
    });
    expect(await errorCode(registry.ping())).toBe('UNSUPPORTED');
  });
});

describe('cancellation', () => {
  it('fails with ABORTED when the signal has fired, and consumes pushed content', async () => {
    const { fake, repo } = setup();
    const signal = AbortSignal.abort();
    const blob = randomBlob(10);
    const subject: Descriptor = smallImage().manifest.descriptor;
    const calls: [string, () => Promise<unknown>][] = [
      ['resolve', () => repo.resolve('v1', { signal })],
      ['fetch', () => repo.fetch(blob.descriptor, { signal })],
      ['exists', () => repo.exists(blob.descriptor, { signal })],
      ['push', () => repo.push(blob.descriptor, streamFromBytes(blob.bytes), { signal })],
      ['push manifest', () => repo.push(subject, streamFromBytes(new Uint8Array(0)), { signal })],
      ['tags', () => collect(repo.tags({ signal }))],
      ['referrers', () => collect(repo.referrers(subject, { signal }))],
      ['untag', () => repo.untag('v1', { signal })],
      ['startUpload', () => repo.startUpload({ signal })],
      ['mountBlob', () => repo.mountBlob(blob.descriptor, 'x/y', { signal })],
      [
        'ping',
        () =>
          new Registry(fake.host, { transport: new Transport({ fetch: fake.fetch }) }).ping({
            signal,
          }),
      ],
    ];
    for (const [label, call] of calls) expect(await errorCode(call()), label).toBe('ABORTED');
    expect(fake.requests).toHaveLength(0);
  });

  it('aborts a download while it streams', async () => {
    const { fake, repo } = setup();
    const blob = randomBlob(100_000);
    fake.addBlob(NAME, blob.bytes);
    const controller = new AbortController();
    const stream = await repo.fetch(blob.descriptor, { signal: controller.signal });
    const reader = stream.getReader();
    await reader.read();
    controller.abort();
    expect(await errorCode(reader.read().then(() => reader.read()))).toBe('ABORTED');
  });
});

describe('Target through the manifest endpoint', () => {
  it('pushes and fetches manifests by descriptor, and tags them', async () => {
    const { repo } = setup();
    const image = smallImage();
    for (const blob of image.blobs) await repo.push(blob.descriptor, streamFromBytes(blob.bytes));
    await repo.push(image.manifest.descriptor, streamFromBytes(image.manifest.bytes, 10));
    await repo.tag(image.manifest.descriptor, 'v1');
    expect(await collect(repo.tags())).toEqual(['v1']);
    const bytes = await readBytes(await repo.fetch(image.manifest.descriptor), {
      maxBytes: 10_000,
    });
    expect(bytes).toEqual(image.manifest.bytes);
    const tail = await readBytes(await repo.fetchRange(image.manifest.descriptor, { offset: 10 }), {
      maxBytes: 10_000,
    });
    expect(tail).toEqual(image.manifest.bytes.subarray(10));
    const artifact = createImageManifest({
      artifactType: 'application/vnd.example',
      config: EMPTY_DESCRIPTOR,
      layers: [EMPTY_DESCRIPTOR],
    });
    expect(await errorCode(repo.tag(artifact.descriptor, 'nope'))).toBe('MANIFEST_UNKNOWN');
  });
});
