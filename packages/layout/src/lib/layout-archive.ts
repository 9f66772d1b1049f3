import {
  type ExistenceChecker,
  type Fetcher,
  findReachable,
  notFound,
  type OperationOptions,
} from '@ocikit/content';
import type { Descriptor, ImageIndex } from '@ocikit/spec';
import { serializeLayoutIndex } from './index-json.ts';
import {
  type ArchiveFile,
  blobFile,
  bytesFile,
  OCI_LAYOUT_BYTES,
  packArchive,
} from './tar-write.ts';

/**
 * The content a set of roots needs, with each blob's descriptor: every
 * manifest, config and layer reachable from them (through children and
 * subjects). Reachable content that the source lacks is an error, except
 * blobs with `urls` (foreign layers), which are left out.
 *
 * @param source - where the content is
 * @param roots - the `index.json` entries
 * @param options - {@link OperationOptions}
 * @returns the descriptors, one per digest
 * @throws {OciError} `MANIFEST_UNKNOWN`/`BLOB_UNKNOWN` for missing content
 */
async function collectContent(
  source: Fetcher & ExistenceChecker,
  roots: readonly Descriptor[],
  options: OperationOptions = {},
): Promise<Descriptor[]> {
  const seen = new Map<string, Descriptor>();
  const recording: Fetcher & ExistenceChecker = {
    fetch: (descriptor, fetchOptions) => source.fetch(descriptor, fetchOptions),
    exists(descriptor, existsOptions) {
      if (!seen.has(descriptor.digest)) seen.set(descriptor.digest, descriptor);
      return source.exists(descriptor, existsOptions);
    },
  };
  const { reachable, missing } = await findReachable(recording, roots, options);
  const absent = missing.find((descriptor) => !descriptor.urls?.length);
  if (absent) throw notFound(absent);
  return [...reachable].map((digest) => seen.get(digest) as Descriptor);
}

/**
 * Writes an OCI layout archive (`oci-archive`) of content in any store:
 * `oci-layout`, `index.json` as given, and every blob reachable from its
 * entries, streamed one blob at a time (see `packArchive` for the
 * deterministic form). Build the index with `createLayoutIndex` and
 * `setLayoutTag`.
 *
 * @param source - where the content is (a registry repository, a memory store, a layout)
 * @param index - the archive's `index.json`
 * @param options - {@link OperationOptions}
 * @returns the tar stream; a blob that turns out wrong while it is read fails it with `DIGEST_MISMATCH`
 * @throws {OciError} `MANIFEST_UNKNOWN`/`BLOB_UNKNOWN` when reachable content is missing
 * @see https://github.com/opencontainers/image-spec/blob/main/image-layout.md
 */
export async function createLayoutArchive(
  source: Fetcher & ExistenceChecker,
  index: ImageIndex,
  options: OperationOptions = {},
): Promise<ReadableStream<Uint8Array>> {
  const blobs = await collectContent(source, index.manifests, options);
  return packArchive(layoutFiles(source, serializeLayoutIndex(index), blobs), options);
}

/**
 * The files of a layout archive: `oci-layout`, `index.json` and the blobs.
 *
 * @param source - opens the blobs
 * @param index - the bytes of `index.json`
 * @param blobs - the blobs to include
 * @returns the files
 */
export function layoutFiles(
  source: Fetcher,
  index: Uint8Array,
  blobs: readonly Pick<Descriptor, 'digest' | 'size' | 'mediaType'>[],
): ArchiveFile[] {
  return [
    bytesFile('oci-layout', OCI_LAYOUT_BYTES),
    bytesFile('index.json', index),
    ...blobs.map((blob) => blobFile(blob, (options) => source.fetch(blob, options))),
  ];
}
