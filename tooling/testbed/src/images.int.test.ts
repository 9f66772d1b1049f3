import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestBytes } from '@ocikit/digest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fetchManifest,
  getTestbed,
  MediaType,
  makeArtifact,
  makeImage,
  makeMultiPlatformImage,
  pushImage,
  randomLayer,
  skopeoCopy,
  skopeoInspect,
  type TestImage,
  type TestIndex,
  umoci,
  uniqueRepo,
  writeOciLayout,
} from './index.ts';

const { anonymous, basic, token } = getTestbed();

let dir: string;
let layout: string;
let single: TestImage;
let multi: TestIndex;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocikit-testbed-images-'));
  layout = join(dir, 'layout');
  single = await makeImage({ seed: 'layout-single' });
  multi = await makeMultiPlatformImage({
    seed: 'layout-multi',
    platforms: ['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7'],
  });
  await writeOciLayout(layout, [
    { node: single, tag: 'single' },
    { node: multi, tag: 'multi' },
  ]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('test images', () => {
  it('write an OCI layout that umoci reads and unpacks', async () => {
    const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8'));
    expect(index.manifests.map((entry: { digest: string }) => entry.digest)).toEqual([
      single.manifest.digest,
      multi.manifest.digest,
    ]);
    const { stdout: tags } = await umoci(['ls', '--layout', layout]);
    expect(tags.trim().split('\n').sort()).toEqual(['multi', 'single']);
    const { stdout: stat } = await umoci(['stat', '--image', `${layout}:single`, '--json']);
    expect(JSON.parse(stat).history).toHaveLength(1);
    const bundle = join(dir, 'bundle');
    await umoci(['unpack', '--image', `${layout}:single`, bundle]);
    expect(await readFile(join(bundle, 'rootfs', 'layout-single.txt'), 'utf8')).toBe(
      'layout-single linux/amd64\n',
    );
  });

  it('copy from the layout with skopeo to registries with the same digests', async () => {
    const repo = uniqueRepo('testbed/skopeo');
    const target = `docker://${anonymous.host}/${repo}`;
    await skopeoCopy(`oci:${layout}:single`, `${target}:single`);
    const raw = (await skopeoInspect(`${target}:single`, { raw: true })) as { mediaType: string };
    expect(raw.mediaType).toBe(MediaType.ociManifest);
    expect((await fetchManifest({ url: anonymous.url }, repo, 'single')).digest).toBe(
      single.manifest.digest,
    );
    const summary = (await skopeoInspect(`${target}:single`)) as Record<string, unknown>;
    expect(summary).toMatchObject({
      Digest: single.manifest.digest,
      Architecture: 'amd64',
      Os: 'linux',
    });

    const credentials = token.users.push;
    const tokenTarget = `docker://${token.host}/${repo}:multi`;
    await skopeoCopy(`oci:${layout}:multi`, tokenTarget, { all: true, destCreds: credentials });
    const index = await fetchManifest({ url: token.url, credentials }, repo, 'multi');
    expect(index.digest).toBe(multi.manifest.digest);
    for (const child of multi.manifests) {
      const fetched = await fetchManifest(
        { url: token.url, credentials },
        repo,
        child.manifest.digest,
      );
      expect(fetched.digest).toBe(child.manifest.digest);
    }
  });

  it('push Docker schema2 images, OCI artifacts and streamed layers with plain fetch', async () => {
    const repo = uniqueRepo('testbed/formats');
    const credentials = basic.users.push;
    const endpoint = { url: basic.url, credentials };
    const dockerImage = await makeImage({
      format: 'docker',
      seed: repo,
      platform: 'linux/arm64/v8',
    });
    await pushImage(endpoint, repo, dockerImage, { tag: 'docker' });
    const inspected = (await skopeoInspect(`docker://${basic.host}/${repo}:docker`, {
      raw: true,
      creds: credentials,
    })) as { mediaType: string; config: { mediaType: string } };
    expect(inspected.mediaType).toBe(MediaType.dockerManifest);
    expect(inspected.config.mediaType).toBe(MediaType.dockerConfig);

    const artifact = makeArtifact({
      artifactType: 'application/vnd.example.sbom+json',
      subject: dockerImage,
      blobs: [{ mediaType: 'application/vnd.example.sbom+json', content: '{"sbom":true}' }],
    });
    await pushImage(endpoint, repo, artifact, { tag: 'sbom' });
    const fetched = await fetchManifest(endpoint, repo, 'sbom');
    expect(JSON.parse(new TextDecoder().decode(fetched.bytes))).toMatchObject({
      artifactType: 'application/vnd.example.sbom+json',
      config: { mediaType: MediaType.ociEmpty, size: 2 },
      subject: { digest: dockerImage.manifest.digest, mediaType: MediaType.dockerManifest },
    });

    const big = await randomLayer({ size: 16 * 1024 * 1024, seed: repo });
    const streamed = await makeImage({ seed: repo, layers: [big] });
    await pushImage(endpoint, repo, streamed, { tag: 'big' });
    const authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    const head = await fetch(`${basic.url}/v2/${repo}/blobs/${big.digest}`, {
      method: 'HEAD',
      headers: { authorization },
    });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(big.size));
    const layer = await fetch(`${basic.url}/v2/${repo}/blobs/${big.digest}`, {
      headers: { authorization },
    });
    expect(digestBytes(new Uint8Array(await layer.arrayBuffer()))).toBe(big.digest);
  });
});
