import { execFileSync } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isOciError } from '@ocikit/digest';
import {
  getTestbed,
  makeImage,
  pushImage,
  skopeoCopy,
  skopeoInspect,
  tempDirs,
  uniqueRepo,
} from '@ocikit/testbed';
import { describe, expect, it } from 'vitest';
import { Client } from './client.node.ts';

const newDir = tempDirs('ocikit-client-gz-');

/** An image pushed to the real registry, then written by skopeo as an `oci:` layout directory. */
async function skopeoLayout(dir: string) {
  const repo = uniqueRepo('client/compressed-archive');
  const image = await makeImage({ seed: repo });
  await pushImage({ url: getTestbed().anonymous.url }, repo, image, { tag: 'v1' });
  const layout = join(dir, 'layout');
  await skopeoCopy(`docker://${getTestbed().anonymous.host}/${repo}:v1`, `oci:${layout}:v1`);
  return { image, layout };
}

describe('oci-archive sources compressed with gzip', () => {
  it('reads a layout skopeo wrote, packed by GNU tar -z, named .tar (detected by magic bytes, not by name): the copy into a layout keeps the digest and skopeo reads the result', async () => {
    const dir = await newDir();
    const { image, layout } = await skopeoLayout(dir);
    const archive = join(dir, 'image.tar'); // gzip inside, whatever the name says
    execFileSync('tar', ['-C', layout, '-czf', archive, '.']);
    expect([...(await readFile(archive)).subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    const tempDir = await newDir();
    const client = new Client({ env: { HOME: '/nonexistent' }, tempDir });
    const result = await client.copy(`oci-archive:${archive}:v1`, `oci:${join(dir, 'out')}:v1`);
    expect(result.digest).toBe(image.manifest.digest);
    const info = (await skopeoInspect(`oci:${join(dir, 'out')}:v1`)) as { Digest: string };
    expect(info.Digest).toBe(image.manifest.digest);
    expect(await readdir(tempDir)).toEqual([]); // the staging layout is gone
  });

  it('reads a .tar.gz made by gzip of a GNU tar into the real registry, and inspects it (to the digest skopeo reads from it too) and lists its tags like an uncompressed one', async () => {
    const dir = await newDir();
    const { image, layout } = await skopeoLayout(dir);
    const archive = join(dir, 'image.tar.gz');
    execFileSync('sh', ['-c', 'tar -C "$1" -cf - . | gzip -9 > "$2"', 'sh', layout, archive]);
    const client = new Client({ env: { HOME: '/nonexistent' } });
    const inspected = await client.inspect(`oci-archive:${archive}`);
    expect(inspected.digest).toBe(image.manifest.digest);
    // skopeo (containers/image) reads the same compressed archive to the same digest.
    const bySkopeo = (await skopeoInspect(`oci-archive:${archive}:v1`)) as { Digest: string };
    expect(bySkopeo.Digest).toBe(image.manifest.digest);
    expect(await client.tags(`oci-archive:${archive}`)).toEqual(['v1']);
    const target = `${getTestbed().anonymous.host}/${uniqueRepo('client/from-gz')}:v1`;
    const result = await client.copy(`oci-archive:${archive}:v1`, `docker://${target}`);
    expect(result.digest).toBe(image.manifest.digest);
    const info = (await skopeoInspect(`docker://${target}`)) as { Digest: string };
    expect(info.Digest).toBe(image.manifest.digest);
  });

  it('refuses a truncated .tar.gz and a file that starts with zstd’s magic bytes with TAR_INVALID naming the file, leaving no staging directory', async () => {
    const dir = await newDir();
    const { layout } = await skopeoLayout(dir);
    const whole = join(dir, 'whole.tar.gz');
    execFileSync('tar', ['-C', layout, '-czf', whole, '.']);
    const bytes = await readFile(whole);
    const truncated = join(dir, 'truncated.tar.gz');
    await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.byteLength / 2)));
    const zstd = join(dir, 'image.tar.zst');
    await writeFile(zstd, Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), bytes]));
    const tempDir = await newDir();
    const client = new Client({ env: { HOME: '/nonexistent' }, tempDir });
    for (const [label, file] of [
      ['truncated gzip', truncated],
      ['zstd', zstd],
    ] as const) {
      const error = await client
        .copy(`oci-archive:${file}:v1`, `oci:${join(dir, `out-${label}`)}:v1`)
        .then(
          () => undefined,
          (caught: unknown) => caught,
        );
      expect(isOciError(error, 'TAR_INVALID'), label).toBe(true);
      expect((error as Error).message, label).toContain(file);
      expect(await readdir(tempDir), label).toEqual([]);
    }
  });
});
