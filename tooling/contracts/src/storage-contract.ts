import { Buffer } from 'node:buffer';
import {
  type BlobContent,
  type Deleter,
  fetchBytes,
  isDeleter,
  isNotFound,
  isReferrerLister,
  isTagLister,
  isUntagger,
  type ReferrerLister,
  type Storage,
  type TagLister,
  type Target,
  type Untagger,
} from '@ocikit/content';
import {
  digestBytes,
  isOciError,
  type OciErrorCode,
  readBytes,
  streamFromBytes,
} from '@ocikit/digest';
import { type Descriptor, MediaType } from '@ocikit/spec';
import { errorCode } from '@ocikit/testbed';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type FilesystemHook,
  type FilesystemSubject,
  storageFilesystemCases,
  targetFilesystemCases,
} from './filesystem-contract.ts';
import {
  artifactFor,
  type Blob,
  chunked,
  multiPlatformImage,
  randomBlob,
  smallImage,
} from './fixtures.ts';

/**
 * Makes a fresh, empty implementation for one test, and cleans it up. A
 * filesystem-backed one also says where its files are (`filesystem`).
 */
export type Factory<T> = () => Promise<{
  subject: T;
  cleanup?: () => Promise<void>;
  filesystem?: FilesystemHook;
}>;

/** What a storage declares beyond {@link Storage}, each then tested. */
export interface StorageCapabilities {
  /**
   * Backed by files under a root (its factory returns `filesystem`): the
   * cases of links, special files and directories where files belong run.
   * @default false
   */
  filesystem?: boolean;
}

async function push(storage: Storage, blob: Blob): Promise<void> {
  await storage.push(blob.descriptor, chunked(blob.bytes));
}

async function pushManifest(
  storage: Storage,
  manifest: { descriptor: Descriptor; bytes: Uint8Array },
) {
  await storage.push(manifest.descriptor, streamFromBytes(manifest.bytes));
}

type Made<T> = Awaited<ReturnType<Factory<T>>>;

function useMade<T>(factory: Factory<T>): () => Made<T> {
  let current: Made<T> | undefined;
  beforeEach(async () => {
    current = await factory();
  });
  afterEach(async () => {
    await current?.cleanup?.();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error('contract subject used outside a test');
    return current;
  };
}

/** The subject with its filesystem hook, which a factory that declares `filesystem` must give. */
function withFilesystem(made: () => Made<Storage>): () => FilesystemSubject {
  return () => {
    const { subject, filesystem } = made();
    if (!filesystem) throw new Error('a filesystem-backed factory gave no filesystem hook');
    return { subject, filesystem };
  };
}

/**
 * The {@link Storage} contract: every implementation runs it unchanged.
 *
 * @param name - the implementation's name in the test report
 * @param factory - makes a fresh, empty store per test
 * @param capabilities - what the store offers beyond {@link Storage}
 */
export function describeStorage(
  name: string,
  factory: Factory<Storage>,
  capabilities: StorageCapabilities = {},
): void {
  describe(`${name} satisfies the Storage contract`, () => {
    const made = useMade(factory);
    const store = () => made().subject;

    it('gives a filesystem hook exactly when it declares one', () => {
      expect(made().filesystem !== undefined).toBe(capabilities.filesystem ?? false);
    });

    if (capabilities.filesystem) storageFilesystemCases(withFilesystem(made));

    it('stores blobs and manifests and gives them back verified', async () => {
      const image = smallImage(200_000);
      for (const blob of image.blobs) await push(store(), blob);
      await pushManifest(store(), image.manifest);
      for (const blob of image.blobs) {
        expect(await store().exists(blob.descriptor)).toBe(true);
        const read = await readBytes(await store().fetch(blob.descriptor), {
          maxBytes: blob.descriptor.size,
        });
        expect(digestBytes(read)).toBe(blob.descriptor.digest);
      }
      expect(await fetchBytes(store(), image.manifest.descriptor)).toEqual(image.manifest.bytes);
    });

    it('says what is missing with a not-found code', async () => {
      const blob = randomBlob(10);
      expect(await store().exists(blob.descriptor)).toBe(false);
      const failure = await store()
        .fetch(blob.descriptor)
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(isNotFound(failure), String(failure)).toBe(true);
    });

    it('refuses content that does not match its descriptor, and keeps none of it', async () => {
      const blob = randomBlob(5000);
      const cases: [label: string, bytes: Uint8Array, code: string][] = [
        ['other bytes', randomBlob(5000).bytes, 'DIGEST_MISMATCH'],
        ['truncated', blob.bytes.subarray(0, 4000), 'SIZE_MISMATCH'],
        ['too long', Uint8Array.of(...blob.bytes, 1), 'SIZE_EXCEEDED'],
      ];
      for (const [label, bytes, code] of cases) {
        const error = await store()
          .push(blob.descriptor, chunked(bytes, 1000))
          .then(
            () => undefined,
            (caught: unknown) => caught,
          );
        // A registry may report the server's verdict (DIGEST_INVALID, SIZE_INVALID) instead.
        expect([code, 'DIGEST_INVALID', 'SIZE_INVALID', 'BLOB_UPLOAD_INVALID'], label).toContain(
          (error as { code?: string }).code,
        );
        if (isOciError(error, code as OciErrorCode)) {
          // The message says it was a push, of what (where is each backend's own test).
          expect(error.message, label).toContain(`Cannot push ${blob.descriptor.digest} to `);
        }
        expect(await store().exists(blob.descriptor), label).toBe(false);
      }
    });

    it('takes content as a stream, bytes, a Node Buffer or a Blob, and refuses anything else by name', async () => {
      const forms: [label: string, content: (bytes: Uint8Array) => BlobContent][] = [
        ['stream', (bytes) => chunked(bytes)],
        ['Uint8Array', (bytes) => bytes],
        ['Uint8Array view at an offset', (bytes) => Uint8Array.of(9, ...bytes).subarray(1)],
        ['Buffer', (bytes) => Buffer.from(bytes)],
        ['Blob', (bytes) => new globalThis.Blob([new Uint8Array(bytes)])],
      ];
      for (const [label, content] of forms) {
        const image = smallImage(3000);
        for (const blob of image.blobs) {
          await store().push(blob.descriptor, content(blob.bytes));
          const read = await readBytes(await store().fetch(blob.descriptor), {
            maxBytes: blob.descriptor.size,
          });
          expect(digestBytes(read), label).toBe(blob.descriptor.digest);
        }
        const { manifest } = image;
        await store().push(manifest.descriptor, content(manifest.bytes));
        expect(await fetchBytes(store(), manifest.descriptor), label).toEqual(manifest.bytes);
      }
      const wrong: [label: string, content: unknown][] = [
        ['string', 'hello'],
        ['plain object', { bytes: [1, 2] }],
        ['ArrayBuffer', new ArrayBuffer(3)],
        ['undefined', undefined],
      ];
      for (const [label, content] of wrong) {
        const blob = randomBlob(3);
        const error = await store()
          .push(blob.descriptor, content as BlobContent)
          .then(
            () => undefined,
            (caught: unknown) => caught,
          );
        expect(isOciError(error, 'OPTION_INVALID'), `${label}: ${String(error)}`).toBe(true);
        expect((error as Error).message, label).toContain('ReadableStream');
        expect((error as Error).message, label).toContain('Uint8Array');
        expect((error as Error).message, label).toContain('Blob');
        expect(await store().exists(blob.descriptor), label).toBe(false);
      }
    });

    it('accepts a second push of the same content', async () => {
      const blob = randomBlob(3000);
      await push(store(), blob);
      await push(store(), blob);
      expect(await store().exists(blob.descriptor)).toBe(true);
    });

    it('fails with ABORTED when the signal has fired', async () => {
      const blob = randomBlob(100);
      const signal = AbortSignal.abort();
      expect(await errorCode(store().push(blob.descriptor, chunked(blob.bytes), { signal }))).toBe(
        'ABORTED',
      );
      expect(await errorCode(store().exists(blob.descriptor, { signal }))).toBe('ABORTED');
    });
  });
}

/** The optional capabilities a target declares, each then tested. */
export interface Capabilities extends StorageCapabilities {
  tagLister: boolean;
  referrerLister: boolean;
  untagger: boolean;
  deleter: boolean;
}

/**
 * The {@link Target} contract and the contract of each optional capability
 * the target declares: every implementation runs it unchanged. The target
 * must offer exactly the declared capabilities, so none goes untested.
 *
 * @param name - the implementation's name in the test report
 * @param factory - makes a fresh, empty target per test
 * @param capabilities - what the target offers beyond {@link Target}
 */
export function describeTarget(
  name: string,
  factory: Factory<Target>,
  capabilities: Capabilities,
): void {
  describeStorage(name, factory, { filesystem: capabilities.filesystem ?? false });
  describe(`${name} satisfies the Target contract`, () => {
    const made = useMade(factory);
    const target = () => made().subject;
    if (capabilities.filesystem) targetFilesystemCases(withFilesystem(made));
    const as = <T>(guard: (value: unknown) => value is T): T => {
      const subject = target();
      if (!guard(subject)) throw new Error(`${name} lost a declared capability`);
      return subject;
    };

    it('offers exactly the declared capabilities', () => {
      expect({
        tagLister: isTagLister(target()),
        referrerLister: isReferrerLister(target()),
        untagger: isUntagger(target()),
        deleter: isDeleter(target()),
        filesystem: made().filesystem !== undefined,
      }).toEqual({ filesystem: false, ...capabilities });
    });

    async function pushImage(image = smallImage()) {
      for (const blob of image.blobs) await push(target(), blob);
      await pushManifest(target(), image.manifest);
      return image;
    }

    it('tags a manifest, resolves the tag and the digest, and moves a tag', async () => {
      const first = await pushImage();
      const second = await pushImage();
      await target().tag(first.manifest.descriptor, 'v1');
      const byTag = await target().resolve('v1');
      expect(byTag.digest).toBe(first.manifest.digest);
      expect(byTag.size).toBe(first.manifest.size);
      expect(byTag.mediaType).toBe(MediaType.OciImageManifest);
      expect((await target().resolve(first.manifest.digest)).digest).toBe(first.manifest.digest);
      await target().tag(second.manifest.descriptor, 'v1');
      expect((await target().resolve('v1')).digest).toBe(second.manifest.digest);
    });

    it('resolves an index and keeps its children', async () => {
      const { images, index } = multiPlatformImage();
      for (const image of images) await pushImage(image);
      await pushManifest(target(), index);
      await target().tag(index.descriptor, 'multi');
      const resolved = await target().resolve('multi');
      expect(resolved.mediaType).toBe(MediaType.OciImageIndex);
      expect(resolved.digest).toBe(index.digest);
    });

    it('says MANIFEST_UNKNOWN for an unknown tag, and refuses an invalid one', async () => {
      expect(await errorCode(target().resolve('no-such-tag'))).toBe('MANIFEST_UNKNOWN');
      const image = await pushImage();
      expect(await errorCode(target().tag(image.manifest.descriptor, 'bad tag!'))).toBe(
        'TAG_INVALID',
      );
    });

    const itIf = (declared: boolean) => (declared ? it : () => {});

    itIf(capabilities.tagLister)('lists tags, after `last` when asked', async () => {
      const image = await pushImage();
      for (const tag of ['b', 'a', 'c']) await target().tag(image.manifest.descriptor, tag);
      const lister = as<TagLister>(isTagLister);
      const tags: string[] = [];
      for await (const tag of lister.tags()) tags.push(tag);
      expect(tags).toEqual(['a', 'b', 'c']);
      const after: string[] = [];
      for await (const tag of lister.tags({ last: 'a' })) after.push(tag);
      expect(after).toEqual(['b', 'c']);
    });

    itIf(capabilities.referrerLister)('lists referrers, filtered by artifact type', async () => {
      const image = await pushImage();
      const signature = artifactFor(image.manifest.descriptor, 'application/vnd.example.signature');
      const sbom = artifactFor(image.manifest.descriptor, 'application/vnd.example.sbom');
      await pushImage(signature);
      await pushImage(sbom);
      const lister = as<ReferrerLister>(isReferrerLister);
      const all: Descriptor[] = [];
      for await (const referrer of lister.referrers(image.manifest.descriptor)) all.push(referrer);
      expect(all.map((referrer) => referrer.digest).sort()).toEqual(
        [signature.manifest.digest, sbom.manifest.digest].sort(),
      );
      const found = all.find((referrer) => referrer.digest === sbom.manifest.digest);
      expect(found?.artifactType).toBe('application/vnd.example.sbom');
      expect(found?.annotations?.['org.example.kind']).toBe('application/vnd.example.sbom');
      const signatures: Descriptor[] = [];
      for await (const referrer of lister.referrers(image.manifest.descriptor, {
        artifactType: 'application/vnd.example.signature',
      })) {
        signatures.push(referrer);
      }
      expect(signatures.map((referrer) => referrer.digest)).toEqual([signature.manifest.digest]);
    });

    itIf(capabilities.untagger)(
      'removes a tag without touching the manifest or its other tags',
      async () => {
        const image = await pushImage();
        await target().tag(image.manifest.descriptor, 'keep');
        await target().tag(image.manifest.descriptor, 'drop');
        await as<Untagger>(isUntagger).untag('drop');
        expect(await errorCode(target().resolve('drop'))).toBe('MANIFEST_UNKNOWN');
        expect((await target().resolve('keep')).digest).toBe(image.manifest.digest);
        expect(await target().exists(image.manifest.descriptor)).toBe(true);
      },
    );

    itIf(capabilities.deleter)('deletes a manifest, and its tags with it', async () => {
      const image = await pushImage();
      await target().tag(image.manifest.descriptor, 'gone');
      await as<Deleter>(isDeleter).delete(image.manifest.descriptor);
      expect(await target().exists(image.manifest.descriptor)).toBe(false);
      expect(await errorCode(target().resolve('gone'))).toBe('MANIFEST_UNKNOWN');
    });
  });
}
