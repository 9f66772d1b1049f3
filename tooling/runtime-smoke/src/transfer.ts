import { fetchBytes, MemoryStore, pushBytes } from '@ocikit/content';
import { createImageIndex, createImageManifest, MediaType } from '@ocikit/spec';
import { copy } from '@ocikit/transfer';
import { check } from './check.ts';

/** Copies an index between two memory stores through the built @ocikit/transfer. */
export async function smokeTransfer(): Promise<void> {
  const from = new MemoryStore();
  const encode = (text: string) => new TextEncoder().encode(text);
  const config = await pushBytes(
    from,
    encode('{"os":"linux","architecture":"amd64"}'),
    MediaType.OciImageConfig,
  );
  const layer = await pushBytes(from, encode('layer'), MediaType.OciLayer);
  const manifest = createImageManifest({ config, layers: [layer] });
  await pushBytes(from, manifest.bytes, manifest.mediaType);
  const index = createImageIndex({
    manifests: [{ ...manifest.descriptor, platform: { os: 'linux', architecture: 'amd64' } }],
  });
  await pushBytes(from, index.bytes, index.mediaType);
  await from.tag(index.descriptor, 'v1');
  const to = new MemoryStore();
  const result = await copy({ from, to, reference: 'v1' });
  check(result.root.digest === index.digest && result.blobsCopied === 2, 'copy result');
  const bytes = await fetchBytes(to, await to.resolve('v1'));
  check(bytes.byteLength === index.size, 'copied index bytes');
}
