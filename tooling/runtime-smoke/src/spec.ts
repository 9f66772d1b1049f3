import { digestBytes, isOciError } from '@ocikit/digest';
import {
  createImageIndex,
  createImageManifest,
  EMPTY_DESCRIPTOR,
  formatPlatform,
  MediaType,
  manifestChildren,
  parseImageConfig,
  parseManifest,
  parsePlatform,
  selectPlatform,
} from '@ocikit/spec';
import { check } from './check.ts';

/** Builds, parses and selects through the built @ocikit/spec. */
export async function smokeSpec(): Promise<void> {
  const manifest = createImageManifest({
    artifactType: 'application/vnd.example+type',
    config: EMPTY_DESCRIPTOR,
    layers: [{ mediaType: MediaType.OciLayerGzip, digest: digestBytes('layer'), size: 5 }],
  });
  check(manifest.digest === digestBytes(manifest.bytes), 'built manifest digest');
  const index = createImageIndex({
    manifests: [{ ...manifest.descriptor, platform: { architecture: 'arm64', os: 'linux' } }],
  });
  const parsed = parseManifest(index.bytes, {
    contentType: `${MediaType.OciImageIndex}; charset=utf-8`,
  });
  check(parsed.kind === 'index' && parsed.digest === index.digest, 'parseManifest of an index');
  if (parsed.kind === 'index') {
    check(
      selectPlatform(parsed.value, 'linux/aarch64/v8').digest === manifest.digest,
      'selectPlatform',
    );
  }
  check(manifestChildren(manifest).length === 2, 'manifestChildren');
  check(formatPlatform(parsePlatform('linux/armhf')) === 'linux/arm/v7', 'platform normalization');
  const config = parseImageConfig(
    new TextEncoder().encode(
      '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}',
    ),
  );
  check(config.os === 'linux', 'parseImageConfig');
  try {
    parseManifest(manifest.bytes, { contentType: MediaType.DockerManifest });
    check(false, 'parseManifest accepted a mediaType that disagrees with the Content-Type');
  } catch (error) {
    check(isOciError(error, 'MANIFEST_INVALID'), 'parseManifest error code');
  }
}
