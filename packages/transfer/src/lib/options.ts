import { OciError } from '@ocikit/digest';
import { DEFAULT_MAX_MANIFEST_SIZE, type Descriptor } from '@ocikit/spec';
import type { BlobLocationCache } from './blob-locations.ts';
import { parsePlatformFilter } from './platforms.ts';
import type { ProgressEvent } from './progress.ts';
import {
  type RangedDownload,
  type RangedDownloadOptions,
  rangedDownloadFrom,
} from './ranged-download.ts';
import type { UploadSessionStore } from './upload-sessions.ts';

/** Options of {@link copy}. */
export interface CopyOptions {
  /**
   * Tags to set at the destination, after everything else landed.
   * @default the source reference when it is a tag, else none
   */
  tags?: readonly string[];
  /**
   * Copy only these platforms of an index (`linux/amd64`, `linux/arm64/v8`);
   * see the README for what becomes of the index.
   * @default every platform
   */
  platforms?: readonly string[];
  /**
   * Also copy the referrers (signatures, SBOMs) of the root and of every
   * manifest below it, recursively, where the source can list them;
   * `{ artifactType }` copies only referrers of that type.
   * @default false
   */
  referrers?: boolean | { artifactType?: string };
  /**
   * Foreign (non-distributable) layers: `skip` leaves them out and lists them
   * in the result; `copy` copies them like any blob.
   * @default 'skip'
   */
  foreignLayers?: 'skip' | 'copy';
  /**
   * The most blob and manifest operations at once, for the whole copy.
   * Cross-repository mounts within one registry, which move no bytes, run
   * up to 4 × this many at once.
   * @default 4
   */
  concurrency?: number;
  /**
   * The largest manifest read from the source, in bytes.
   * @default 4194304 (4 MiB)
   */
  maxManifestSize?: number;
  /**
   * Where blobs were seen (`MemoryBlobLocations`, or `FileBlobLocations` of
   * `@ocikit/transfer/fs` across processes): the copy records the
   * repositories it reads from and writes to, and mounts a blob the
   * destination lacks from another repository of its registry known to
   * hold it, instead of sending its bytes.
   */
  blobLocations?: BlobLocationCache;
  /**
   * Upload blobs to a registry through resumable sessions recorded here
   * (`MemoryUploadSessions`, or `FileUploadSessions` of `@ocikit/transfer/fs`
   * across processes): in `PATCH` chunks, the session's location recorded
   * after each; an upload that breaks off continues from the offset the
   * registry reports, also in a later run. Without it, a large blob goes in
   * one streamed `PUT` (faster, but sent again whole after a failure).
   */
  uploadSessions?: UploadSessionStore;
  /**
   * Fetch a large blob as several `Range` requests at once, from a source
   * that reads ranges (a registry `Repository`): pays where one connection
   * is slower than the link (a per-connection limit, a long round trip).
   * @default off: one stream per blob
   */
  rangedDownload?: RangedDownloadOptions;
  /**
   * Plan only: walk the graph (manifests are read from the source, the
   * destination is asked what it has) and count what would move, but write
   * nothing: no blob, manifest, mount or tag reaches the destination. Blobs
   * the destination lacks count as `blobsCopied` with their size in
   * `bytesCopied`; mounts are not tried (a mount writes), so `blobsMounted` is 0.
   * @default false
   */
  dryRun?: boolean;
  /**
   * Send everything again: no manifest or blob is skipped because the
   * destination has it, and no blob is mounted (`crane copy` without its
   * existence checks). Repairs a destination whose content is damaged.
   * @default false
   */
  force?: boolean;
  /** Cancels the copy; nothing half-written is committed. */
  signal?: AbortSignal;
  /** Called with each progress event, in order. */
  onProgress?: (event: ProgressEvent) => void;
  /**
   * The least time between two `bytes` progress events of one blob, in
   * milliseconds (the first chunk is always reported; 0 reports every chunk).
   * @default 100
   */
  progressIntervalMs?: number;
}

/** What a finished copy did. */
export interface CopyResult {
  /** The root as pushed to the destination (a rebuilt index for a platform subset). */
  readonly root: Descriptor;
  /** The root as resolved at the source. */
  readonly sourceRoot: Descriptor;
  /** Manifests the destination now holds from this copy (pushed or already there). */
  readonly manifests: number;
  /** Blobs whose bytes moved through this copy. */
  readonly blobsCopied: number;
  /** Blobs the destination already had. */
  readonly blobsSkipped: number;
  /** Blobs the destination took without the bytes (cross-repository mount). */
  readonly blobsMounted: number;
  /** Bytes of blobs moved through this copy (manifests not counted). */
  readonly bytesCopied: number;
  /**
   * Bytes of blobs not moved because the destination kept them from an
   * interrupted earlier copy, which this one continued.
   */
  readonly bytesResumed: number;
  /** Foreign layers left out (`foreignLayers: 'skip'`). */
  readonly foreignSkipped: readonly Descriptor[];
  /** Referrer manifests copied. */
  readonly referrers: number;
  /** Tags set at the destination (with `dryRun`, the tags a copy would set). */
  readonly tags: readonly string[];
}

/** Options after validation, with defaults filled in. */
export interface Settings {
  readonly platforms: readonly string[] | undefined;
  readonly referrers: { readonly artifactType?: string } | undefined;
  readonly copyForeign: boolean;
  readonly dryRun: boolean;
  readonly force: boolean;
  readonly concurrency: number;
  readonly maxManifestSize: number;
  readonly progressIntervalMs: number;
  readonly uploadSessions: UploadSessionStore | undefined;
  readonly rangedDownload: RangedDownload | undefined;
}

/**
 * Validates the options of a copy.
 *
 * @param options - {@link CopyOptions}
 * @returns the settings
 * @throws {OciError} `OPTION_INVALID` naming the option; `PLATFORM_INVALID`
 */
export function settingsFrom(options: CopyOptions): Settings {
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new OciError('OPTION_INVALID', `concurrency must be an integer ≥ 1, not ${concurrency}`);
  }
  const maxManifestSize = options.maxManifestSize ?? DEFAULT_MAX_MANIFEST_SIZE;
  if (!Number.isInteger(maxManifestSize) || maxManifestSize < 1) {
    throw new OciError(
      'OPTION_INVALID',
      `maxManifestSize must be an integer ≥ 1, not ${maxManifestSize}`,
    );
  }
  const foreign = options.foreignLayers ?? 'skip';
  if (foreign !== 'skip' && foreign !== 'copy') {
    throw new OciError(
      'OPTION_INVALID',
      `foreignLayers must be "skip" or "copy", not "${foreign}"`,
    );
  }
  const progressIntervalMs = options.progressIntervalMs ?? 100;
  if (!Number.isFinite(progressIntervalMs) || progressIntervalMs < 0) {
    throw new OciError(
      'OPTION_INVALID',
      `progressIntervalMs must be a number ≥ 0, not ${progressIntervalMs}`,
    );
  }
  const referrers = options.referrers;
  return {
    platforms: options.platforms === undefined ? undefined : parsePlatformFilter(options.platforms),
    referrers: referrers === true ? {} : referrers === false ? undefined : referrers,
    copyForeign: foreign === 'copy',
    dryRun: options.dryRun === true,
    force: options.force === true,
    concurrency,
    maxManifestSize,
    progressIntervalMs,
    uploadSessions: options.uploadSessions,
    rangedDownload: rangedDownloadFrom(options.rangedDownload),
  };
}
