import { lstat, rm, stat } from 'node:fs/promises';
import type { OperationOptions } from '@ocikit/content';
import type { StoredBlob } from '@ocikit/content/fs';
import { isOciError, OciError } from '@ocikit/digest';
import { layoutEntryTag } from '@ocikit/layout';
import { importDockerArchive, OciArchive, OciLayout } from '@ocikit/layout/fs';
import type { Descriptor } from '@ocikit/spec';
import { copy, type ProgressEvent } from '@ocikit/transfer';
import { inspectManifest } from './inspect.ts';

/** One entry of a layout's `index.json`, as {@link listLayout} reports it. */
export interface LayoutListEntry {
  /** Its tag (`org.opencontainers.image.ref.name`), or `undefined` for an untagged entry. */
  readonly tag: string | undefined;
  /** The manifest's descriptor as `index.json` lists it. */
  readonly descriptor: Descriptor;
  /** `index`, `manifest` or `schema1`. */
  readonly kind: 'index' | 'manifest' | 'schema1';
  /** The artifact type: `artifactType`, or for an artifact without one its config's media type. */
  readonly artifactType: string | undefined;
  /** The platforms: an index's entries, or an image's config (`os/arch[/variant]`). */
  readonly platforms: readonly string[];
  /** The bytes of the image (manifest, config, layers) or of the index and its manifests. */
  readonly totalSize: number;
  /** The digest of the manifest it refers to, for a referrer. */
  readonly subject: string | undefined;
}

/**
 * Lists what an OCI image layout holds: every `index.json` entry with its
 * tag, digest, platforms and size, in the file's order.
 *
 * @param dir - the layout directory
 * @param options - `signal`
 * @returns the entries
 * @throws {OciError} `LAYOUT_INVALID` for a missing or malformed layout;
 *   `BLOB_UNKNOWN` when a listed manifest is missing
 */
export async function listLayout(
  dir: string,
  options: OperationOptions = {},
): Promise<LayoutListEntry[]> {
  const layout = await OciLayout.open(dir, { readOnly: true, signal: options.signal });
  const entries: LayoutListEntry[] = [];
  for (const entry of (await layout.readIndex(options)).manifests) {
    const info = await inspectManifest(layout, entry, dir, options);
    const manifest = info.manifest;
    const platforms =
      info.kind === 'index'
        ? info.platforms.flatMap(({ platform }) => (platform === undefined ? [] : [platform]))
        : info.config === undefined
          ? []
          : [info.config.platform];
    const value = manifest.kind === 'schema1' ? undefined : manifest.value;
    const config = value !== undefined && 'config' in value ? value.config.mediaType : undefined;
    entries.push({
      tag: layoutEntryTag(entry),
      descriptor: { mediaType: entry.mediaType, digest: entry.digest, size: entry.size },
      kind: info.kind,
      artifactType: value?.artifactType ?? (info.config === undefined ? config : undefined),
      platforms,
      totalSize: info.totalSize,
      subject: value?.subject?.digest,
    });
  }
  return entries;
}

/** Options of {@link gcLayout}. */
export interface LayoutGcOptions extends OperationOptions {
  /**
   * Report what would be removed, and remove nothing.
   * @default false
   */
  dryRun?: boolean;
}

/** What {@link gcLayout} removed (or would remove). */
export interface LayoutGcResult {
  /** The blobs no `index.json` entry reaches. */
  readonly removed: readonly StoredBlob[];
  /** Their bytes. */
  readonly freedBytes: number;
  /** How many blobs are kept. */
  readonly kept: number;
  /** Unreachable blobs kept as newer than `keepNewerThanMs` of `OciLayout.gc` (0 here: not given). */
  readonly recent: number;
  /** Content the entries reach that is missing from the layout. */
  readonly missing: readonly Descriptor[];
  /** Unfinished writes of dead writers removed. */
  readonly staleWrites: number;
  /** Whether nothing was removed (`dryRun`). */
  readonly dryRun: boolean;
}

/**
 * Removes the blobs of a layout that no `index.json` entry reaches (through
 * indexes, manifests and the `subject` of referrers), as `OciLayout.gc`
 * does, and sums what was freed. Do not run it while a copy writes into the
 * layout.
 *
 * @param dir - the layout directory
 * @param options - {@link LayoutGcOptions}
 * @returns what was removed
 * @throws {OciError} `LAYOUT_INVALID`; `LOCK_TIMEOUT` when another writer holds the layout
 */
export async function gcLayout(
  dir: string,
  options: LayoutGcOptions = {},
): Promise<LayoutGcResult> {
  const dryRun = options.dryRun ?? false;
  const layout = await OciLayout.open(dir, { signal: options.signal });
  const result = await layout.gc({ dryRun, ...(options.signal ? { signal: options.signal } : {}) });
  const freedBytes = result.removed.reduce((sum, blob) => sum + blob.size, 0);
  return { ...result, freedBytes, dryRun };
}

/** What {@link exportLayout} wrote. */
export interface LayoutExportResult {
  /** The archive's size in bytes. */
  readonly size: number;
  /** The `index.json` entries it holds. */
  readonly manifests: number;
}

/**
 * Writes a layout directory as an `oci-archive` tar (what `skopeo copy …
 * oci-archive:FILE` reads), atomically: the file appears only when whole.
 *
 * @param dir - the layout directory
 * @param file - the tar to write (replaced when it exists)
 * @param options - `signal`
 * @returns the archive's size and entry count
 * @throws {OciError} `LAYOUT_INVALID`; `BLOB_UNKNOWN` when an entry's content is missing
 */
export async function exportLayout(
  dir: string,
  file: string,
  options: OperationOptions = {},
): Promise<LayoutExportResult> {
  const layout = await OciLayout.open(dir, { readOnly: true, signal: options.signal });
  const manifests = (await layout.readIndex(options)).manifests.length;
  await layout.writeArchive(file, options);
  return { size: (await stat(file)).size, manifests };
}

/** An image {@link importArchive} put into the layout. */
export interface ImportedImage {
  /** Its manifest. */
  readonly descriptor: Descriptor;
  /** The tags set in the layout. */
  readonly tags: readonly string[];
}

/** Options of {@link importArchive}. */
export interface LayoutImportOptions extends OperationOptions {
  /**
   * The progress of an `oci-archive` import, as `copy` of
   * `@ocikit/transfer` reports it (a `docker save` tar reports none).
   * @default undefined
   */
  onProgress?: (event: ProgressEvent) => void;
}

/** What {@link importArchive} did. */
export interface LayoutImportResult {
  /** The archive's format. */
  readonly format: 'oci-archive' | 'docker-archive';
  /** The images imported, in the archive's order. */
  readonly images: readonly ImportedImage[];
}

/**
 * Imports an archive into a layout directory (created when missing; an
 * existing one keeps what it has): an `oci-archive` (every `index.json`
 * entry with its tag, blobs verified; the `docker save` tars of Docker 25+
 * hold one and are read as one) or else an older `docker save` archive
 * (each image tagged with the tags of its `RepoTags`).
 *
 * @param file - the tar
 * @param dir - the layout directory
 * @param options - {@link LayoutImportOptions}
 * @returns the format and the images
 * @throws {OciError} `TAR_INVALID` or `LAYOUT_INVALID` for a file that is
 *   neither kind of archive (a layout directory made for it is removed
 *   again); `DIGEST_MISMATCH` for a corrupt blob
 */
export async function importArchive(
  file: string,
  dir: string,
  options: LayoutImportOptions = {},
): Promise<LayoutImportResult> {
  const { signal, onProgress } = options;
  let archive: OciArchive | undefined;
  let notOci: OciError | undefined;
  try {
    archive = await OciArchive.open(file, { signal });
  } catch (error) {
    if (!isOciError(error, 'LAYOUT_INVALID') && !isOciError(error, 'TAR_INVALID')) throw error;
    notOci = error;
  }
  const created = !(await exists(dir));
  const layout = await OciLayout.open(dir, { create: true, signal }).catch(async (error) => {
    await archive?.close();
    throw error;
  });
  if (archive === undefined) {
    const images = await importDockerArchive(file, layout, { signal }).catch(
      async (error: unknown) => {
        if (created) await rm(dir, { recursive: true, force: true });
        if (!isOciError(error, 'TAR_INVALID') && !isOciError(error, 'LAYOUT_INVALID')) throw error;
        throw new OciError(
          'TAR_INVALID',
          `"${file}" is neither an OCI archive (${notOci?.message}) nor a docker save archive (${error.message})`,
          { cause: error },
        );
      },
    );
    return {
      format: 'docker-archive',
      images: images.map(({ descriptor, repoTags }) => ({
        descriptor,
        tags: repoTags.map((name) => name.slice(name.lastIndexOf(':') + 1)),
      })),
    };
  }
  try {
    const images: ImportedImage[] = [];
    for (const entry of (await archive.readIndex(options)).manifests) {
      const tag = layoutEntryTag(entry);
      const tags = tag === undefined ? [] : [tag];
      const result = await copy(
        { from: archive, to: layout, reference: entry },
        { tags, ...(signal ? { signal } : {}), ...(onProgress ? { onProgress } : {}) },
      );
      images.push({ descriptor: result.root, tags });
    }
    return { format: 'oci-archive', images };
  } finally {
    await archive.close();
  }
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}
