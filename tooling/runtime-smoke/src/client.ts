// Run by the consumer smoke under Node once @ocikit/client (which depends on
// undici) is installed beside the packed packages: a copy from an OCI layout
// into an OCI archive and an inspect of it, through location strings.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@ocikit/client';
import { pushBytes } from '@ocikit/content';
import { digestBytes } from '@ocikit/digest';
import { OciLayout } from '@ocikit/layout/fs';
import { createImageManifest, MediaType } from '@ocikit/spec';
import { check } from './check.ts';

const dir = await mkdtemp(join(tmpdir(), 'ocikit-smoke-client-'));
try {
  const layout = await OciLayout.open(join(dir, 'layout'), { create: true });
  const tar = new Uint8Array(1024);
  const layer = await pushBytes(layout, tar, MediaType.OciLayer);
  const rootfs = { type: 'layers', diff_ids: [digestBytes(tar)] };
  const config = await pushBytes(
    layout,
    new TextEncoder().encode(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs })),
    MediaType.OciImageConfig,
  );
  const manifest = createImageManifest({ config, layers: [layer] });
  await pushBytes(layout, manifest.bytes, manifest.mediaType);
  await layout.tag(manifest.descriptor, 'v1');

  const client = new Client({ env: { HOME: dir } });
  const result = await client.copy(`oci:${join(dir, 'layout')}:v1`, `oci-archive:${dir}/i.tar`);
  check(
    result.digest === manifest.digest && result.tags[0] === 'v1',
    'client copy into an archive',
  );
  const info = await client.inspect(`oci-archive:${dir}/i.tar:v1`);
  check(info.config?.platform === 'linux/amd64', 'client inspect of the archive');
  console.log(`ok    @ocikit/client on node ${process.version}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
