import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestStream } from '@ocikit/digest';
import { manifestChildren } from '@ocikit/spec';
import {
  makeImage,
  makeMultiPlatformImage,
  randomLayer,
  skopeoCopy,
  skopeoInspect,
  tarLayer,
  writeOciLayout,
} from '@ocikit/testbed';
import { afterEach, describe, expect, it } from 'vitest';
import { on, PEERS, pushNode } from './testbed.testing.node.ts';

const dirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ocikit-registry-interop-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe.each(PEERS)('interoperability with skopeo, on %s', (peer) => {
  const { registries: testbed, freshRepository } = on(peer);
  const creds = testbed.token.users.push;
  it('pushes an image that skopeo inspects and copies to an oci: layout with the same blobs', async () => {
    const repo = freshRepository('token', 'interop/push');
    const image = await makeImage({
      seed: repo.name,
      layers: [
        await randomLayer({ size: 2 * 1024 * 1024, seed: repo.name }),
        await tarLayer({ 'hello.txt': 'hello\n' }, { gzip: true }),
      ],
    });
    await pushNode(repo, image, 'v1');
    const location = `docker://${testbed.token.host}/${repo.name}:v1`;
    const raw = await skopeoInspect(location, { raw: true, creds });
    expect(raw).toEqual(JSON.parse(new TextDecoder().decode(image.manifest.bytes)));
    const summary = (await skopeoInspect(location, { creds })) as {
      Digest: string;
      Layers: string[];
    };
    expect(summary.Digest).toBe(image.manifest.digest);
    expect(summary.Layers).toEqual(image.layers.map((layer) => layer.digest));

    const dir = await tempDir();
    await skopeoCopy(location, `oci:${dir}:v1`, { srcCreds: creds });
    const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as {
      manifests: { digest: string }[];
    };
    expect(index.manifests.map((entry) => entry.digest)).toEqual([image.manifest.digest]);
    for (const blob of [image.manifest, image.config, ...image.layers]) {
      const bytes = await readFile(
        join(dir, 'blobs', 'sha256', blob.digest.slice('sha256:'.length)),
      );
      expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`).toBe(blob.digest);
      expect(bytes.byteLength).toBe(blob.size);
    }
  });

  it('reads an index that skopeo pushed, verifying every manifest and blob', async () => {
    const repo = freshRepository('token', 'interop/pull');
    const index = await makeMultiPlatformImage({ seed: repo.name });
    const dir = await tempDir();
    await writeOciLayout(dir, [{ node: index, tag: 'multi' }]);
    await skopeoCopy(`oci:${dir}:multi`, `docker://${testbed.token.host}/${repo.name}:multi`, {
      all: true,
      destCreds: creds,
    });
    const root = await repo.getManifest('multi');
    expect(root.digest).toBe(index.manifest.digest);
    let blobs = 0;
    for (const child of manifestChildren(root)) {
      const manifest = await repo.getManifest(child.digest);
      expect(manifest.digest).toBe(child.digest);
      for (const blob of manifestChildren(manifest)) {
        expect(await digestStream(await repo.fetch(blob))).toEqual({
          digest: blob.digest,
          size: blob.size,
        });
        blobs += 1;
      }
    }
    expect(blobs).toBe(4);
  });
});
