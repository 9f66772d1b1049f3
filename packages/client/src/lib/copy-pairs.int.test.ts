import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  getTestbed,
  makeImage,
  pushImage,
  skopeoInspect,
  tarLayer,
  umoci,
  uniqueRepo,
} from '@ocikit/testbed';
import { expect, it, onTestFinished } from 'vitest';
import { Client } from './client.node.ts';

type Kind = 'docker' | 'oci' | 'oci-archive' | 'docker-archive';
const KINDS: readonly Kind[] = ['docker', 'oci', 'oci-archive', 'docker-archive'];

/** A new location of a kind, holding or to hold the image under `v1`. */
function locationOf(kind: Kind, dir: string, label: string): string {
  switch (kind) {
    case 'docker':
      return `docker://${getTestbed().anonymous.host}/${uniqueRepo(`client/pairs-${label}`)}:v1`;
    case 'oci':
      return `oci:${join(dir, `${label}-layout`)}:v1`;
    case 'oci-archive':
      return `oci-archive:${join(dir, `${label}.tar`)}:v1`;
    case 'docker-archive':
      return `docker-archive:${join(dir, `${label}-docker.tar`)}:example.com/pairs:v1`;
  }
}

it('copies an OCI image over every pair of registry, oci:, oci-archive: and docker-archive: (16 pairs), keeping the manifest, config and layer digests, as ocikit, skopeo and umoci (oci:) read them back', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ocikit-client-pairs-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const image = await makeImage({
    seed: 'pairs',
    layers: [
      await tarLayer({ 'a.txt': 'first layer\n' }, { gzip: true }),
      await tarLayer({ 'b.txt': 'second layer\n' }, { gzip: true }),
    ],
  });
  const repo = uniqueRepo('client/pairs-seed');
  await pushImage({ url: getTestbed().anonymous.url }, repo, image, { tag: 'v1' });
  const seed = `docker://${getTestbed().anonymous.host}/${repo}:v1`;
  const ocikit = new Client({ env: { HOME: '/nonexistent' } });
  const layerDigests = image.layers.map((layer) => layer.digest);

  for (const sourceKind of KINDS) {
    // The source: the seed image copied into a location of that kind.
    const source = locationOf(sourceKind, dir, `${sourceKind}-source`);
    await ocikit.copy(seed, source);
    for (const destinationKind of KINDS) {
      const pair = `${sourceKind} → ${destinationKind}`;
      const destination = locationOf(destinationKind, dir, `${pair.replace(/\W+/g, '-')}`);
      const result = await ocikit.copy(source, destination);
      const inspected = await ocikit.inspect(destination);
      expect(inspected.config?.descriptor.digest, pair).toBe(image.config.digest);
      expect(
        inspected.manifest.kind === 'manifest'
          ? inspected.manifest.value.layers.map((layer) => layer.digest)
          : [],
        pair,
      ).toEqual(layerDigests);
      expect(result.digest, pair).toBe(image.manifest.digest);
      expect(inspected.digest, pair).toBe(image.manifest.digest);
      // skopeo reads every kind. A docker-archive holds no manifest: skopeo
      // makes up one of its own, so there only the config digest is compared.
      const info = (await skopeoInspect(destination)) as { Digest: string; Layers: string[] };
      expect(info.Layers, pair).toHaveLength(layerDigests.length);
      if (destinationKind === 'docker-archive') {
        const raw = (await skopeoInspect(destination, { raw: true })) as {
          config: { digest: string };
        };
        expect(raw.config.digest, pair).toBe(image.config.digest);
      } else {
        expect(info.Digest, pair).toBe(image.manifest.digest);
      }
      if (destinationKind === 'oci') {
        const stat = JSON.parse(
          (await umoci(['stat', '--image', destination.slice('oci:'.length), '--json'])).stdout,
        );
        expect(stat.history, pair).toBeDefined();
      }
    }
  }
});
