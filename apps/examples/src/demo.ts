// The README's demo, a tour in eight steps: start a registry in this process,
// push a two-platform image and a signature of it, copy both into an OCI
// layout, inspect the copy, list tags and referrers, delete a tag, catch a
// tampered layer, and stop. No server to install, nothing left behind.
// Run: pnpm demo (the copy's progress goes to stderr, the rest to stdout)
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchBytes } from '@ocikit/content';
import { digestBytes } from '@ocikit/digest';
import { OciLayout } from '@ocikit/layout/fs';
import { Repository } from '@ocikit/registry';
import { createRegistryHandler, MemoryRegistryStorage } from '@ocikit/server';
import { listen } from '@ocikit/server/node';
import {
  createImageIndex,
  createImageManifest,
  type Descriptor,
  EMPTY_DESCRIPTOR,
  MediaType,
  parseManifest,
} from '@ocikit/spec';
import { copy, TransferError } from '@ocikit/transfer';
import { formatSize, platformOf, shortDigest } from './format.ts';
import { progressLines } from './progress.ts';

const SIGNATURE_TYPE = 'application/vnd.example.signature.v1+json';
const started = performance.now();
const say = (line: string) => process.stdout.write(`${line}\n`);
const step = (n: number, title: string) => say(`\n${n}. ${title}`);
const encode = (text: string) => new TextEncoder().encode(text);
const listTags = async (repository: Repository) => {
  const tags: string[] = [];
  for await (const tag of repository.tags()) tags.push(tag);
  return tags;
};
/** Pushes bytes as a blob and returns their descriptor. */
const pushBlob = async (repository: Repository, mediaType: string, bytes: Uint8Array) => {
  const descriptor: Descriptor = { mediaType, digest: digestBytes(bytes), size: bytes.byteLength };
  await repository.pushBlob(descriptor, bytes);
  return descriptor;
};

say('ocikit demo: a registry, an image, a copy and a check, all in this process');

step(1, 'Start a registry in this process (memory storage, a free port on 127.0.0.1)');
const server = await listen(createRegistryHandler({ storage: new MemoryRegistryStorage() }), {
  port: 0,
  host: '127.0.0.1',
});
const temp = await mkdtemp(join(tmpdir(), 'ocikit-demo-'));
say(`   listening on ${server.url}`);
try {
  const repository = new Repository(`${server.host}/demo/app`);

  step(2, `Push a linux/amd64 + linux/arm64 image and a signature to ${repository}`);
  // Random bytes stand in for the tar layers of a real image: a registry
  // stores and verifies blobs by digest and never looks inside them.
  const platforms = [
    { os: 'linux', architecture: 'amd64', layerSizes: [1536 * 1024, 256 * 1024] },
    { os: 'linux', architecture: 'arm64', layerSizes: [1280 * 1024, 256 * 1024] },
  ];
  const images: Descriptor[] = [];
  const allLayers: Descriptor[] = [];
  for (const { layerSizes, ...platform } of platforms) {
    const layers: Descriptor[] = [];
    for (const size of layerSizes) {
      layers.push(
        await pushBlob(repository, MediaType.OciLayer, new Uint8Array(randomBytes(size))),
      );
    }
    allLayers.push(...layers);
    const rootfs = { type: 'layers', diff_ids: layers.map((layer) => layer.digest) };
    const configBytes = encode(JSON.stringify({ ...platform, rootfs }));
    const config = await pushBlob(repository, MediaType.OciImageConfig, configBytes);
    const image = createImageManifest({ config, layers });
    await repository.putManifest(image);
    images.push({ ...image.descriptor, platform });
    const size = layers.reduce((sum, layer) => sum + layer.size, 0);
    say(
      `   image      ${shortDigest(image.digest)}  ${platformOf(images.at(-1) as Descriptor)}, ${layers.length} layers, ${formatSize(size)}`,
    );
  }
  const index = createImageIndex({ manifests: images });
  await repository.putManifest(index, { tags: ['1.0', 'latest'] });
  say(`   index      ${shortDigest(index.digest)}  both platforms, tagged 1.0 and latest`);
  // A signature-like artifact: its `subject` names the index it signs.
  const claim = encode(JSON.stringify({ signed: index.digest, by: 'the demo' }));
  const payload = await pushBlob(repository, SIGNATURE_TYPE, claim);
  await pushBlob(repository, EMPTY_DESCRIPTOR.mediaType, encode('{}'));
  const signature = createImageManifest({
    artifactType: SIGNATURE_TYPE,
    config: EMPTY_DESCRIPTOR,
    layers: [payload],
    subject: index.descriptor,
  });
  await repository.putManifest(signature);
  say(`   signature  ${shortDigest(signature.digest)}  an artifact whose subject is the index`);

  const layoutDir = join(temp, 'layout');
  step(3, `Copy 1.0 and its referrers to an OCI layout in ${layoutDir} (progress on stderr)`);
  const layout = await OciLayout.open(layoutDir, { create: true });
  const copied = await copy(
    { from: repository, to: layout, reference: '1.0' },
    { referrers: true, onProgress: progressLines((line) => process.stderr.write(line)) },
  );
  say(
    `   copied ${copied.blobsCopied} blobs (${formatSize(copied.bytesCopied)}), ` +
      `${copied.manifests} manifests, ${copied.referrers} referrer; every byte verified`,
  );

  step(4, 'Inspect the copy: read the layout back (the same digests as in the registry)');
  const root = await layout.resolve('1.0');
  say(`   1.0 → ${root.digest}`);
  const parsedIndex = parseManifest(await fetchBytes(layout, root), {
    contentType: root.mediaType,
  });
  if (parsedIndex.kind !== 'index') throw new Error('the demo pushed an index');
  for (const entry of parsedIndex.value.manifests) {
    const parsed = parseManifest(await fetchBytes(layout, entry), { contentType: entry.mediaType });
    if (parsed.kind !== 'manifest') throw new Error('the demo pushed image manifests');
    const sizes = parsed.value.layers.map((layer) => formatSize(layer.size)).join(' + ');
    say(`   ${platformOf(entry).padEnd(11)} ${shortDigest(entry.digest)}  layers ${sizes}`);
  }
  for await (const referrer of layout.referrers(root)) {
    say(`   referrer    ${shortDigest(referrer.digest)}  ${referrer.artifactType}`);
  }

  step(5, 'List the tags and the referrers of the index in the registry');
  say(`   tags: ${(await listTags(repository)).join(', ')}`);
  for await (const referrer of repository.referrers(index.descriptor)) {
    say(`   referrer ${shortDigest(referrer.digest)}  ${referrer.artifactType}`);
  }

  step(6, 'Delete the tag latest: the image stays, reachable by its digest');
  await repository.untag('latest');
  say(`   tags: ${(await listTags(repository)).join(', ')}`);
  const byDigest = await repository.resolve(index.digest);
  say(
    `   ${repository}@${shortDigest(byDigest.digest)} is still there (${formatSize(byDigest.size)} index)`,
  );

  step(7, 'Tamper with one layer in the layout, then copy it to the registry again');
  // Flip the bits of one byte of the first layer's file: same size, other content.
  const [tamperedLayer] = allLayers as [Descriptor];
  const blobPath = join(layoutDir, 'blobs', 'sha256', tamperedLayer.digest.slice('sha256:'.length));
  const blobFile = await open(blobPath, 'r+');
  const { buffer: oneByte } = await blobFile.read(new Uint8Array(1), 0, 1, 1000);
  await blobFile.write(
    oneByte.map((byte) => byte ^ 0xff),
    0,
    1,
    1000,
  );
  await blobFile.close();
  const restored = new Repository(`${server.host}/demo/restored`);
  try {
    await copy({ from: layout, to: restored, reference: '1.0' });
    throw new Error('the tampered layer was accepted');
  } catch (error) {
    if (!(error instanceof TransferError) || error.code !== 'DIGEST_MISMATCH') throw error;
    const digest = shortDigest(tamperedLayer.digest);
    say(
      `   refused: ${error.code} on the ${error.origin} side: the layer no longer hashes to ${digest}`,
    );
  }
  say(
    `   the registry has the tampered layer in demo/restored: ${await restored.exists(tamperedLayer)}`,
  );
} finally {
  step(8, 'Stop the registry and remove the temp dir');
  await server.close();
  await rm(temp, { recursive: true, force: true });
}
say(`   done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
