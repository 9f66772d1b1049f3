import { lstat, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isOciError } from '@ocikit/digest';
import { OciLayout } from '@ocikit/layout/fs';
import {
  getTestbed,
  makeImage,
  makeMultiPlatformImage,
  pushImage,
  skopeoCopy,
  skopeoInspect,
  umoci,
  uniqueRepo,
  writeDockerArchive,
  writeOciLayout,
} from '@ocikit/testbed';
import { describe, expect, it, onTestFinished } from 'vitest';
import { Client } from './client.node.ts';
import { exportLayout, gcLayout, importArchive, listLayout } from './layout-tools.node.ts';

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ocikit-layout-tools-test-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

describe('layout tools', () => {
  it('imports the docker-archive and oci-archive skopeo writes into one layout that umoci and skopeo read', async () => {
    const image = await makeImage({ seed: 'layout-import' });
    const dir = await tempDir();
    await writeDockerArchive(image, join(dir, 'docker.tar'), 'example.com/app:v1');
    await writeOciLayout(join(dir, 'source'), [{ node: image, tag: 'v2' }]);
    await skopeoCopy(`oci:${dir}/source:v2`, `oci-archive:${dir}/oci.tar:v2`);
    const layout = join(dir, 'layout');

    const fromDocker = await importArchive(join(dir, 'docker.tar'), layout);
    expect(fromDocker.format).toBe('docker-archive');
    expect(fromDocker.images.map((entry) => entry.tags)).toEqual([['v1']]);
    const fromOci = await importArchive(join(dir, 'oci.tar'), layout);
    expect(fromOci).toEqual({
      format: 'oci-archive',
      images: [
        { descriptor: expect.objectContaining({ digest: image.manifest.digest }), tags: ['v2'] },
      ],
    });

    const listed = (await umoci(['ls', '--layout', layout])).stdout.split('\n').filter(Boolean);
    expect(listed.sort()).toEqual(['v1', 'v2']);
    const stat = JSON.parse((await umoci(['stat', '--image', `${layout}:v1`, '--json'])).stdout);
    expect(stat.history).toBeDefined();
    const inspected = (await skopeoInspect(`oci:${layout}:v2`)) as { Digest: string };
    expect(inspected.Digest).toBe(image.manifest.digest);
    const config = (await skopeoInspect(`oci:${layout}:v1`, { config: true })) as {
      rootfs: { diff_ids: string[] };
    };
    const original = JSON.parse(new TextDecoder().decode(image.config.bytes));
    expect(config.rootfs.diff_ids).toEqual(original.rootfs.diff_ids);
  });

  it('imports the Docker 25+ archive ocikit writes (an OCI layout inside a docker save tar) with its tag', async () => {
    const image = await makeImage({ seed: 'layout-import-docker25' });
    const dir = await tempDir();
    await writeOciLayout(join(dir, 'source'), [{ node: image, tag: 'v1' }]);
    const client = new Client({ env: { HOME: '/nonexistent' } });
    await client.copy(
      `oci:${dir}/source:v1`,
      `docker-archive:${dir}/docker.tar:example.com/app:v3`,
    );
    const layout = join(dir, 'layout');

    const imported = await importArchive(join(dir, 'docker.tar'), layout);
    expect(imported.format, 'the OCI layout inside is read').toBe('oci-archive');
    expect(imported.images.map((entry) => entry.tags)).toEqual([['v3']]);
    expect((await umoci(['ls', '--layout', layout])).stdout.trim()).toBe('v3');
    const inspected = (await skopeoInspect(`oci:${layout}:v3`)) as { Digest: string };
    expect(inspected.Digest).toBe(imported.images[0]?.descriptor.digest);
  });

  it('refuses a file that is neither kind of archive, leaving no layout directory behind', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'junk.tar'), new Uint8Array(4096).fill(7));
    const error = await importArchive(join(dir, 'junk.tar'), join(dir, 'layout')).catch(
      (caught: unknown) => caught,
    );
    expect(isOciError(error) ? error.code : error).toBe('TAR_INVALID');
    expect(await exists(join(dir, 'layout'))).toBe(false);
  });

  it('lists tags, platforms and sizes, exports an archive skopeo reads, and collects exactly the untagged blobs', async () => {
    const { anonymous } = getTestbed();
    const repo = uniqueRepo('client/layout-ls');
    const index = await makeMultiPlatformImage({ seed: 'layout-ls' });
    await pushImage({ url: anonymous.url }, repo, index, { tag: 'multi' });
    const single = await makeImage({ seed: 'layout-ls-single' });
    await pushImage({ url: anonymous.url }, repo, single, { tag: 'single' });
    const dir = join(await tempDir(), 'layout');
    const client = new Client({ env: { HOME: '/nonexistent' } });
    await client.copy(`${anonymous.host}/${repo}:multi`, `oci:${dir}:multi`);
    await client.copy(`${anonymous.host}/${repo}:single`, `oci:${dir}:single`);

    const entries = await listLayout(dir);
    expect(entries.map((entry) => [entry.tag, entry.kind, entry.platforms])).toEqual([
      ['multi', 'index', ['linux/amd64', 'linux/arm64']],
      ['single', 'manifest', ['linux/amd64']],
    ]);
    const singleSize =
      single.manifest.bytes.byteLength +
      single.config.size +
      single.layers.reduce((sum, layer) => sum + layer.size, 0);
    expect(entries[1]?.totalSize).toBe(singleSize);

    const file = join(await tempDir(), 'export.tar');
    const exported = await exportLayout(dir, file);
    expect(exported.manifests).toBe(2);
    const fromArchive = (await skopeoInspect(`oci-archive:${file}:single`)) as { Digest: string };
    expect(fromArchive.Digest).toBe(single.manifest.digest);

    await (await OciLayout.open(dir)).untag('single');
    const dry = await gcLayout(dir, { dryRun: true });
    const singleBlobs = [single.manifest, single.config, ...single.layers].map(
      (node) => node.digest,
    );
    expect(dry.removed.map((blob) => blob.digest).sort()).toEqual([...singleBlobs].sort());
    expect(dry.freedBytes).toBe(singleSize);
    for (const digest of singleBlobs) {
      expect(await exists(join(dir, 'blobs/sha256', digest.slice(7))), 'dry run').toBe(true);
    }
    const real = await gcLayout(dir);
    expect(real.freedBytes).toBe(singleSize);
    for (const digest of singleBlobs) {
      expect(await exists(join(dir, 'blobs/sha256', digest.slice(7))), digest).toBe(false);
    }
    expect((await umoci(['ls', '--layout', dir])).stdout.trim()).toBe('multi');
  });
});
