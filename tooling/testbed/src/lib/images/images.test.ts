import { gunzipSync } from 'node:zlib';
import { digestBytes } from '@ocikit/digest';
import { unpackTar } from 'modern-tar';
import { describe, expect, it } from 'vitest';
import { makeArtifact, makeImage } from './image.ts';
import { makeIndex, makeMultiPlatformImage } from './image-index.ts';
import { MediaType } from './media-types.ts';
import { randomBlob, randomLayer } from './random.ts';
import { tarLayer } from './tar-layer.ts';

async function read(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const json = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes));

describe('tarLayer', () => {
  it('is deterministic: ustar, mtime 0, root owner, fixed modes, gzip without name or mtime', async () => {
    const entries = [
      { path: 'etc', type: 'directory' as const },
      { path: 'etc/motd', content: 'hello\n' },
      { path: 'bin/tool', content: new Uint8Array([1, 2, 3]), mode: 0o755 },
      { path: 'motd', type: 'symlink' as const, linkname: 'etc/motd' },
    ];
    const first = await tarLayer(entries);
    const second = await tarLayer(entries);
    expect(second.digest).toBe(first.digest);
    const gz = first.bytes ?? new Uint8Array(0);
    expect(Buffer.from(gz.subarray(0, 10)).toString('hex')).toBe('1f8b0800000000000003');
    const tar = new Uint8Array(gunzipSync(gz));
    expect(digestBytes(tar)).toBe(first.diffId);
    expect(first.mediaType).toBe(MediaType.ociLayerGzip);
    expect(new TextDecoder().decode(tar.subarray(257, 265))).toBe('ustar\u000000');
    const unpacked = await unpackTar(tar, { strict: true });
    expect(
      unpacked.map(({ header }) => [
        header.name,
        header.type,
        header.mode,
        header.uid,
        header.gid,
        header.mtime?.getTime(),
      ]),
    ).toEqual([
      ['etc/', 'directory', 0o755, 0, 0, 0],
      ['etc/motd', 'file', 0o644, 0, 0, 0],
      ['bin/tool', 'file', 0o755, 0, 0, 0],
      ['motd', 'symlink', 0o777, 0, 0, 0],
    ]);
    const plain = await tarLayer({ b: 'b', a: 'a' }, { gzip: false });
    expect(plain.digest).toBe(plain.diffId);
    expect(plain.mediaType).toBe(MediaType.ociLayer);
    expect(
      (await unpackTar(plain.bytes ?? new Uint8Array(0))).map(({ header }) => header.name),
    ).toEqual(['a', 'b']);
  });
});

describe('randomBlob and randomLayer', () => {
  it('stream the same bytes for the same seed, of the requested size', async () => {
    const cases = [0, 1, 300_000];
    for (const size of cases) {
      const blob = await randomBlob({ size, seed: 's' });
      const bytes = await read(blob.stream());
      expect(bytes.byteLength, `size ${size}`).toBe(size);
      expect(digestBytes(bytes), `size ${size}`).toBe(blob.digest);
      expect(blob.bytes).toBeUndefined();
    }
    const [a, b, c] = await Promise.all([
      randomBlob({ size: 64, seed: 'x' }),
      randomBlob({ size: 64, seed: 'x' }),
      randomBlob({ size: 64, seed: 'y' }),
    ]);
    expect(a.digest).toBe(b.digest);
    expect(c.digest).not.toBe(a.digest);
    await expect(randomBlob({ size: -1 })).rejects.toThrow(/Invalid size/);
  });

  it('wraps the random bytes in a valid tar, rounded up to 512-byte blocks', async () => {
    const cases = [
      { size: 0, total: 1536, file: 0 },
      { size: 5000, total: 5120, file: 3584 },
      { size: 1024 * 1024, total: 1024 * 1024, file: 1024 * 1024 - 1536 },
    ];
    for (const { size, total, file } of cases) {
      const layer = await randomLayer({ size, seed: 'tar' });
      const tar = await read(layer.stream());
      expect(tar.byteLength, `size ${size}`).toBe(total);
      expect(layer.size, `size ${size}`).toBe(total);
      expect(digestBytes(tar), `size ${size}`).toBe(layer.digest);
      const [entry] = await unpackTar(tar, { strict: true });
      expect(entry?.header.name, `size ${size}`).toBe('random.bin');
      expect(entry?.header.size, `size ${size}`).toBe(file);
    }
  });
});

describe('makeImage, makeIndex, makeArtifact', () => {
  it('build OCI and Docker manifests whose descriptors match the content', async () => {
    for (const format of ['oci', 'docker'] as const) {
      const image = await makeImage({ format, platform: 'linux/arm64/v8', seed: format });
      const manifest = json(image.manifest.bytes);
      const config = json(image.config.bytes ?? new Uint8Array(0));
      expect(manifest.mediaType, format).toBe(image.manifest.mediaType);
      expect(manifest.config, format).toEqual({
        mediaType: format === 'oci' ? MediaType.ociConfig : MediaType.dockerConfig,
        digest: image.config.digest,
        size: image.config.size,
      });
      expect(manifest.layers[0].mediaType, format).toBe(
        format === 'oci' ? MediaType.ociLayerGzip : MediaType.dockerLayerGzip,
      );
      expect(config, format).toMatchObject({ os: 'linux', architecture: 'arm64', variant: 'v8' });
      expect(config.rootfs.diff_ids, format).toHaveLength(1);
    }
    await expect(makeImage({ format: 'docker', annotations: { a: 'b' } })).rejects.toThrow();
  });

  it('list platforms in an index, and refuse OCI manifests in a Docker list', async () => {
    const index = await makeMultiPlatformImage({ platforms: ['linux/amd64', 'linux/arm64/v8'] });
    const manifest = json(index.manifest.bytes);
    expect(manifest.manifests.map((entry: { platform: unknown }) => entry.platform)).toEqual([
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
    ]);
    const docker = await makeMultiPlatformImage({ format: 'docker' });
    expect(docker.manifest.mediaType).toBe(MediaType.dockerManifestList);
    expect(() => makeIndex(index.manifests, { format: 'docker' })).toThrow(/Docker manifest list/);
  });

  it('make artifacts with the empty config, a subject and an artifactType', async () => {
    const subject = await makeImage();
    const bare = makeArtifact({ artifactType: 'application/vnd.example', subject });
    const manifest = json(bare.manifest.bytes);
    expect(manifest).toMatchObject({
      artifactType: 'application/vnd.example',
      config: { mediaType: MediaType.ociEmpty, size: 2 },
      layers: [{ mediaType: MediaType.ociEmpty, size: 2 }],
      subject: { digest: subject.manifest.digest, size: subject.manifest.size },
    });
    expect(manifest.config.digest).toBe(digestBytes('{}'));
  });
});
