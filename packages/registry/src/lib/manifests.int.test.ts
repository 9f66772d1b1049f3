import { digestBytes, isOciError } from '@ocikit/digest';
import { parse, type Reference } from '@ocikit/reference';
import { MediaType } from '@ocikit/spec';
import {
  collect,
  errorCode,
  makeImage,
  makeMultiPlatformImage,
  fetchManifest as oracleManifest,
  pushImage,
  uniqueRepo,
} from '@ocikit/testbed';
import { describe, expect, it } from 'vitest';
import { Repository } from './repository.ts';
import { on, PEERS, pushNode } from './testbed.testing.node.ts';

describe.each(PEERS)('on %s', (peer) => {
  const { registries: testbed, endpoint, freshRepository, transportFor } = on(peer);

  describe('manifests', () => {
    it('reads OCI and Docker images and indexes pushed by an independent client, verified', async () => {
      for (const format of ['oci', 'docker'] as const) {
        const repo = freshRepository('token', `manifests/${format}`);
        const index = await makeMultiPlatformImage({ format, seed: repo.name });
        await pushImage(endpoint('token'), repo.name, index, { tag: 'multi' });
        const parsed = await repo.getManifest('multi');
        expect(parsed.kind, format).toBe('index');
        expect(parsed.digest).toBe(index.manifest.digest);
        expect(parsed.mediaType).toBe(
          format === 'oci' ? MediaType.OciImageIndex : MediaType.DockerManifestList,
        );
        for (const child of index.manifests) {
          const fetched = await repo.fetchManifest(child.manifest.digest);
          expect(digestBytes(fetched.bytes)).toBe(child.manifest.digest);
          expect(fetched.descriptor.mediaType).toBe(child.manifest.mediaType);
        }
        expect(await repo.resolve('multi')).toEqual({
          mediaType: index.manifest.mediaType,
          digest: index.manifest.digest,
          size: index.manifest.size,
        });
      }
    });

    it('pushes under several tags, which an independent client reads back byte for byte', async () => {
      const repo = freshRepository('basic', 'manifests/tags');
      const image = await makeImage({ seed: repo.name });
      await pushNode(repo, image);
      const descriptor = await repo.putManifest(image.manifest, {
        tags: ['1.2.3', '1.2', 'latest'],
      });
      expect(descriptor.digest).toBe(image.manifest.digest);
      expect(await collect(repo.tags())).toEqual(['1.2', '1.2.3', 'latest']);
      for (const tag of ['1.2.3', '1.2', 'latest']) {
        const read = await oracleManifest(endpoint('basic'), repo.name, tag);
        expect(read.digest).toBe(image.manifest.digest);
        expect(read.mediaType).toBe(MediaType.OciImageManifest);
      }
    });

    it('answers MANIFEST_UNKNOWN and NAME_UNKNOWN, and MANIFEST_BLOB_UNKNOWN for a manifest without its blobs', async () => {
      const repo = freshRepository('anonymous', 'manifests/missing');
      // The repository does not exist: distribution says so as MANIFEST_UNKNOWN, ocikit as
      // NAME_UNKNOWN; the spec's error table allows either for a 404 here.
      const unknownManifest = peer === 'distribution' ? 'MANIFEST_UNKNOWN' : 'NAME_UNKNOWN';
      expect(await errorCode(repo.fetchManifest('nope'))).toBe(unknownManifest);
      expect(await errorCode(repo.resolve('nope'))).toBe('MANIFEST_UNKNOWN');
      expect(await errorCode(collect(repo.tags()))).toBe('NAME_UNKNOWN');
      const image = await makeImage({ seed: repo.name });
      expect(await errorCode(repo.putManifest(image.manifest))).toBe('MANIFEST_BLOB_UNKNOWN');
    });

    it('deletes a manifest by digest (with its tags) with the delete permission only', async () => {
      const repo = freshRepository('token', 'manifests/delete');
      const image = await makeImage({ seed: repo.name });
      await pushNode(repo, image, 'v1');
      const pullOnly = new Repository(
        { registry: repo.registry, repository: repo.name },
        { transport: transportFor('token', testbed.token.users.pull) },
      );
      expect(await errorCode(pullOnly.delete(image.manifest))).toBe('DENIED');
      expect(await errorCode(pullOnly.putManifest(image.manifest, { tags: ['v2'] }))).toBe(
        'DENIED',
      );
      await repo.delete(image.manifest);
      expect(await errorCode(repo.resolve('v1'))).toBe('MANIFEST_UNKNOWN');
      expect(await errorCode(repo.delete(image.manifest))).toBe('MANIFEST_UNKNOWN');
    });
  });

  describe('tag removal', () => {
    // Deleting a tag is optional in distribution-spec 1.1: distribution 2.8 refuses it, ocikit does it.
    if (peer === 'distribution') {
      it('is refused by the registry (400 DIGEST_INVALID): UNSUPPORTED without the fallback', async () => {
        const repo = freshRepository('token', 'untag/refused');
        const image = await makeImage({ seed: repo.name });
        await pushNode(repo, image, 'v1');
        const error = await repo.untag('v1').catch((caught: unknown) => caught);
        expect(error).toMatchObject({ code: 'UNSUPPORTED', status: 400 });
        expect(await collect(repo.tags())).toEqual(['v1']);
      });
    } else {
      it('deletes the tag alone with DELETE on the tag, without the fallback', async () => {
        const repo = freshRepository('token', 'untag/direct');
        const image = await makeImage({ seed: repo.name });
        await pushNode(repo, image, 'v1');
        await repo.putManifest(image.manifest, { tags: ['v2'] });
        await repo.untag('v1');
        expect(await collect(repo.tags())).toEqual(['v2']);
        expect((await repo.resolve(image.manifest.digest)).digest).toBe(image.manifest.digest);
      });
    }

    it('goes through a throwaway manifest with the fallback, keeping the image and its other tags', async () => {
      const repo = freshRepository('token', 'untag/fallback', { untagFallback: true });
      const image = await makeImage({ seed: repo.name });
      await pushNode(repo, image, 'keep');
      await repo.putManifest(image.manifest, { tags: ['drop', 'also'] });
      await repo.untag('drop');
      expect(await collect(repo.tags())).toEqual(['also', 'keep']);
      expect((await repo.resolve('keep')).digest).toBe(image.manifest.digest);
      expect(
        (await oracleManifest(endpoint('token'), repo.name, image.manifest.digest)).digest,
      ).toBe(image.manifest.digest);
      expect(await errorCode(repo.untag('drop'))).toBe('MANIFEST_UNKNOWN');
    });

    it('needs the delete permission', async () => {
      const name = uniqueRepo('registry/untag/denied');
      const image = await makeImage({ seed: name });
      await pushImage(endpoint('token'), name, image, { tag: 'v1' });
      const pullOnly = new Repository(
        { registry: testbed.token.host, repository: name },
        { transport: transportFor('token', testbed.token.users.pull), untagFallback: true },
      );
      expect(await errorCode(pullOnly.untag('v1'))).toBe('DENIED');
    });
  });

  describe('a repository named by a full reference', () => {
    it('opens from a reference with its tag or digest, refuses one in the constructor saying what to pass, and names its host in errors', async () => {
      const { host } = endpoint('anonymous');
      const path = uniqueRepo('registry/manifests/reference');
      const transport = transportFor('anonymous');
      const plain = new Repository(`${host}/${path}`, { transport });
      const image = await makeImage({ seed: path });
      await pushNode(plain, image, 'v1');
      const digest = image.manifest.digest;
      const cases: [label: string, input: string | Reference, reference: string][] = [
        ['tag', `${host}/${path}:v1`, 'v1'],
        ['digest', `${host}/${path}@${digest}`, digest],
        ['tag and digest: the digest wins', `${host}/${path}:v1@${digest}`, digest],
        ['parsed reference', parse(`${host}/${path}:v1`), 'v1'],
        ['no tag: latest', `${host}/${path}`, 'latest'],
      ];
      for (const [label, input, expected] of cases) {
        const { repository, reference } = Repository.fromReference(input, { transport });
        expect(reference, label).toBe(expected);
        expect(String(repository), label).toBe(`${host}/${path}`);
        if (expected !== 'latest') {
          expect((await repository.resolve(reference)).digest, label).toBe(digest);
        }
      }
      for (const input of [`${host}/${path}:v1`, parse(`${host}/${path}:v1`)]) {
        const error = (() => {
          try {
            return new Repository(input, { transport });
          } catch (caught) {
            return caught;
          }
        })();
        expect(isOciError(error, 'REFERENCE_INVALID'), String(error)).toBe(true);
        expect((error as Error).message).toContain(`"${host}/${path}"`);
        expect((error as Error).message).toContain('Repository.fromReference');
      }
      const missing = await plain.fetchManifest('nope').catch((caught: unknown) => caught);
      expect((missing as Error).message).toContain(`of ${host}/${path}`);
      const bytes = new TextEncoder().encode('not what the descriptor says');
      const other = digestBytes(new TextEncoder().encode('other bytes'));
      const wrong = {
        mediaType: 'application/octet-stream',
        digest: other,
        size: bytes.byteLength,
      };
      const mismatch = await plain.pushBlob(wrong, bytes).catch((caught: unknown) => caught);
      expect(isOciError(mismatch, 'DIGEST_MISMATCH'), String(mismatch)).toBe(true);
      expect((mismatch as Error).message).toContain(`Cannot push ${other} to ${host}/${path}`);
    });
  });
});
