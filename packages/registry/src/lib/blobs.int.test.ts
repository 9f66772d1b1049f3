import { digestBytes, digestStream, readBytes, streamFromBytes } from '@ocikit/digest';
import {
  descriptorOf,
  errorCode,
  getTestbed,
  fetchBlob as oracleBlob,
  randomBlob,
  tokenStats,
} from '@ocikit/testbed';
import { describe, expect, it } from 'vitest';
import { on, PEERS } from './testbed.testing.node.ts';

describe.each(PEERS)('blobs on %s', (peer) => {
  const { endpoint, freshRepository, tracedRepository } = on(peer);
  it('uploads a blob that fits the chunk buffer monolithically (POST, one PUT) and reads it back as a verified stream', async () => {
    const { repo, trace } = tracedRepository('basic', 'blobs/monolithic');
    const blob = await randomBlob({ size: 3 * 1024 * 1024 + 17, seed: repo.name });
    const descriptor = descriptorOf(blob);
    await repo.pushBlob(descriptor, blob.stream());
    expect(trace).toEqual(['POST 202', 'PUT 201']);
    expect(await repo.statBlob(blob.digest)).toMatchObject({
      digest: blob.digest,
      size: blob.size,
    });
    const read = await digestStream(await repo.fetch(descriptor));
    expect(read).toEqual({ digest: blob.digest, size: blob.size });
    expect(await repo.exists(descriptor)).toBe(true);
  });

  it('streams a blob larger than the chunk buffer in one PUT (no PATCH), and refuses wrong content either way', async () => {
    const { repo, trace } = tracedRepository('token', 'blobs/streamed', { chunkSize: 256 * 1024 });
    const blob = await randomBlob({ size: 2 * 1024 * 1024, seed: repo.name });
    await repo.pushBlob(descriptorOf(blob), blob.stream());
    // Through the chunk buffer, 2 MiB would have gone in PATCHes of 256 KiB.
    expect(trace).toEqual(['POST 202', 'PUT 201']);
    expect(await digestStream(await repo.fetch(descriptorOf(blob)))).toEqual({
      digest: blob.digest,
      size: blob.size,
    });
    const small = await readBytes((await randomBlob({ size: 5000, seed: repo.name })).stream(), {
      maxBytes: 5000,
    });
    const descriptor = {
      mediaType: 'application/octet-stream',
      digest: digestBytes(small),
      size: 5000,
    };
    const cases: [string, Uint8Array, string][] = [
      ['other bytes', small.map((byte) => byte ^ 1), 'DIGEST_MISMATCH'],
      ['short', small.subarray(0, 4000), 'SIZE_MISMATCH'],
      ['long', Uint8Array.of(...small, 7), 'SIZE_EXCEEDED'],
    ];
    for (const streamed of [true, false]) {
      for (const [label, bytes, code] of cases) {
        expect(
          await errorCode(repo.pushBlob(descriptor, streamFromBytes(bytes, 1000), { streamed })),
          `${label}, streamed: ${streamed}`,
        ).toBe(code);
        expect(await repo.exists(descriptor), label).toBe(false);
      }
    }
  });

  it('uploads in chunks (PATCH with Content-Range) with streamUploads off, which an independent client reads back', async () => {
    const { repo, trace } = tracedRepository('token', 'blobs/chunked', {
      chunkSize: 256 * 1024,
      streamUploads: false,
    });
    const blob = await randomBlob({ size: 1024 * 1024 + 3, seed: repo.name });
    await repo.pushBlob(descriptorOf(blob), blob.stream());
    expect(trace).toEqual([
      'POST 202',
      'PATCH 202 0-262143',
      'PATCH 202 262144-524287',
      'PATCH 202 524288-786431',
      'PATCH 202 786432-1048575',
      'PUT 201 1048576-1048578',
    ]);
    const bytes = await oracleBlob(endpoint('token'), repo.name, blob.digest);
    expect((await digestStream(streamFromBytes(bytes))).digest).toBe(blob.digest);
  });

  it('resumes an upload session from its location: status, then the rest of the blob', async () => {
    const { repo, trace } = tracedRepository('token', 'blobs/resume');
    const blob = await randomBlob({ size: 300_000, seed: repo.name });
    const whole = await readBytes(blob.stream(), { maxBytes: blob.size });
    const session = await repo.startUpload();
    expect(session.offset).toBe(0);
    expect(await session.append(whole.subarray(0, 100_000))).toBe(100_000);
    expect(await session.append(whole.subarray(100_000, 100_001))).toBe(100_001);
    const resumed = await repo.resumeUpload(session.location);
    expect(resumed.offset).toBe(100_001);
    await repo.pushBlob(descriptorOf(blob), streamFromBytes(whole.subarray(100_001)), {
      session: resumed,
    });
    expect(trace).toEqual([
      'POST 202',
      'PATCH 202 0-99999',
      'PATCH 202 100000-100000',
      'GET 204',
      'PUT 201 100001-299999',
    ]);
    expect(await repo.exists(descriptorOf(blob))).toBe(true);
  });

  it('cancels an upload session', async () => {
    const repo = freshRepository('anonymous', 'blobs/cancel');
    const session = await repo.startUpload();
    await session.append(new Uint8Array(10));
    await session.cancel();
    expect(await errorCode(session.status())).toBe('BLOB_UPLOAD_UNKNOWN');
    await session.cancel();
  });

  it('mounts across repositories with one token for both, and uploads through the session of a failed mount', async () => {
    const source = freshRepository('token', 'blobs/mount-source');
    const { repo: target, trace } = tracedRepository('token', 'blobs/mount-target');
    const blob = await randomBlob({ size: 100_000, seed: source.name });
    await source.pushBlob(descriptorOf(blob), blob.stream());
    expect(await target.mountBlob(descriptorOf(blob), source.name)).toEqual({ mounted: true });
    expect(await target.exists(descriptorOf(blob))).toBe(true);
    if (peer === 'distribution') {
      // Only the test bed's token issuer records token requests; the ocikit peer's built-in one does not.
      const stats = await tokenStats(getTestbed().token.statsUrl, { repository: target.name });
      expect(
        stats.requests.some(
          (request) =>
            request.scopes.some((scope) => scope.startsWith(`repository:${source.name}:`)) &&
            request.repositories.includes(target.name),
        ),
      ).toBe(true);
    }
    const other = await randomBlob({ size: 5000, seed: target.name });
    const result = await target.mountBlob(descriptorOf(other), source.name);
    expect(result.mounted).toBe(false);
    if (!result.mounted) {
      await target.pushBlob(descriptorOf(other), other.stream(), { session: result.session });
    }
    expect(await target.exists(descriptorOf(other))).toBe(true);
    // A mount is one POST (201); a refused one opens a session (202) that takes the bytes.
    expect(trace).toEqual(['POST 201 mount', 'HEAD 200', 'POST 202', 'PUT 201', 'HEAD 200']);
    const third = freshRepository('token', 'blobs/mount-third');
    expect(await third.mount(descriptorOf(blob), target)).toBe(true);
    expect(await third.exists(descriptorOf(blob))).toBe(true);
  });

  it('mounts from a repository named by location, and cancels the session when the registry does not mount', async () => {
    const source = freshRepository('token', 'blobs/mount-location-source');
    const { repo: target, trace } = tracedRepository('token', 'blobs/mount-location-target');
    const blob = await randomBlob({ size: 10_000, seed: source.name });
    await source.pushBlob(descriptorOf(blob), blob.stream());
    expect(await target.mount(descriptorOf(blob), source.location)).toBe(true);
    const missing = await randomBlob({ size: 1000, seed: target.name });
    expect(await target.mount(descriptorOf(missing), source.location)).toBe(false);
    expect(
      await target.mount(descriptorOf(blob), {
        registry: 'other.example',
        repository: source.name,
      }),
    ).toBe(false);
    expect(trace).toEqual(['POST 201 mount', 'POST 202', 'DELETE 204']);
    expect(await target.exists(descriptorOf(missing))).toBe(false);
  });

  it('deletes a blob, and says BLOB_UNKNOWN for one that is not there', async () => {
    const repo = freshRepository('token', 'blobs/delete');
    const blob = await randomBlob({ size: 1000, seed: repo.name });
    await repo.pushBlob(descriptorOf(blob), blob.stream());
    await repo.delete(descriptorOf(blob));
    expect(await repo.exists(descriptorOf(blob))).toBe(false);
    expect(await errorCode(repo.fetch(descriptorOf(blob)))).toBe('BLOB_UNKNOWN');
    expect(await errorCode(repo.statBlob(blob.digest))).toBe('BLOB_UNKNOWN');
  });
});
