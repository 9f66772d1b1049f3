// The README's demo: builds a two-platform image in memory, stores it, and
// walks it the way a registry client would — parse a reference, resolve a
// tag, pick a platform, verify every byte. No server needed. Run: pnpm demo
import { fetchBytes, MemoryStore, pushBytes } from '@ocikit/content';
import { createVerifyStream, digestBytes, isOciError, streamFromBytes } from '@ocikit/digest';
import { familiarString, parseNormalized } from '@ocikit/reference';
import {
  createImageIndex,
  createImageManifest,
  MediaType,
  parseManifest,
  selectPlatform,
} from '@ocikit/spec';

const encode = (text: string) => new TextEncoder().encode(text);
const reference = parseNormalized('ocikit/demo:v1');
console.log(`reference ${familiarString(reference)} → ${reference.toString()}`);

// Build one image per platform, then an index over them.
const store = new MemoryStore();
const platforms = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64', variant: 'v8' },
];
const manifests = [];
for (const platform of platforms) {
  const config = await pushBytes(
    store,
    encode(JSON.stringify({ ...platform, rootfs: { type: 'layers', diff_ids: [] } })),
    MediaType.OciImageConfig,
  );
  const layer = await pushBytes(
    store,
    encode(`a layer for ${platform.architecture}\n`),
    MediaType.OciLayer,
  );
  const manifest = createImageManifest({ config, layers: [layer] });
  await pushBytes(store, manifest.bytes, manifest.mediaType);
  manifests.push({ ...manifest.descriptor, platform });
}
const index = createImageIndex({ manifests });
await pushBytes(store, index.bytes, index.mediaType);
await store.tag(index.descriptor, reference.tag ?? 'latest');
console.log(`stored ${familiarString(reference)} as ${index.digest}`);

// Resolve the tag, pick the arm64 image, read its layer back verified.
const resolved = await store.resolve('v1');
const parsed = parseManifest(await fetchBytes(store, resolved), {
  contentType: resolved.mediaType,
});
if (parsed.kind !== 'index') throw new Error('expected an index');
const arm64 = selectPlatform(parsed.value, 'linux/arm64');
const image = parseManifest(await fetchBytes(store, arm64), { contentType: arm64.mediaType });
if (image.kind !== 'manifest') throw new Error('expected an image manifest');
const [layer] = image.value.layers;
if (!layer) throw new Error('expected a layer');
console.log(`linux/arm64 → ${arm64.digest}`);
console.log(`its layer says: ${new TextDecoder().decode(await fetchBytes(store, layer)).trim()}`);

// Tampered content never gets through.
const tampered = encode('A layer for arm64\n');
try {
  await new Response(
    streamFromBytes(tampered).pipeThrough(createVerifyStream(layer)),
  ).arrayBuffer();
} catch (error) {
  if (!isOciError(error)) throw error;
  console.log(
    `tampered layer rejected: ${error.code} (it hashes to ${digestBytes(tampered).slice(0, 19)}…)`,
  );
}
