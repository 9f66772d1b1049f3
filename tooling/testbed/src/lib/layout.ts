import { createWriteStream } from 'node:fs';
import { access, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { TestBlob } from './images/blob.ts';
import { descriptorOf } from './images/blob.ts';
import { collectContent } from './images/graph.ts';
import type { TestNode } from './images/image.ts';
import { MediaType } from './images/media-types.ts';

/** A node to write into a layout, and its tag. */
export interface LayoutEntry {
  /** The image, artifact or index. */
  node: TestNode;
  /** The `org.opencontainers.image.ref.name` of its `index.json` entry; untagged without it. */
  tag?: string;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function writeBlob(dir: string, blob: TestBlob): Promise<void> {
  const [algorithm, hex] = blob.digest.split(':') as [string, string];
  const folder = join(dir, 'blobs', algorithm);
  const path = join(folder, hex);
  if (await exists(path)) return;
  await mkdir(folder, { recursive: true });
  const temp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    if (blob.bytes) await writeFile(temp, blob.bytes);
    else await blob.stream().pipeTo(Writable.toWeb(createWriteStream(temp)));
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Writes an OCI image layout that skopeo (`oci:DIR:TAG`) and umoci read:
 * `oci-layout`, every blob of the nodes under `blobs/sha256/` (streamed, each
 * written to a temp file and renamed), and a new `index.json` listing the
 * nodes, tagged with `org.opencontainers.image.ref.name`.
 *
 * @param dir - the layout directory (created if missing; an existing
 *   `index.json` is replaced, existing blobs are kept)
 * @param entries - the nodes and their tags
 * @see https://github.com/opencontainers/image-spec/blob/v1.1.0/image-layout.md
 */
export async function writeOciLayout(dir: string, entries: readonly LayoutEntry[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  const { blobs, manifests } = collectContent(entries.map((entry) => entry.node));
  for (const blob of [...blobs, ...manifests]) await writeBlob(dir, blob);
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const index = {
    schemaVersion: 2,
    mediaType: MediaType.ociIndex,
    manifests: entries.map(({ node, tag }) =>
      descriptorOf(
        node.manifest,
        tag === undefined ? {} : { annotations: { 'org.opencontainers.image.ref.name': tag } },
      ),
    ),
  };
  await writeFile(join(dir, 'index.json'), JSON.stringify(index));
}
