import type { FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  type ExistenceChecker,
  type Fetcher,
  notFound,
  type OperationOptions,
  type RangeFetcher,
  type RangeFetchOptions,
  type ReferrerLister,
  type ReferrerListOptions,
  type Resolver,
  type TagLister,
  type TagListOptions,
} from '@ocikit/content';
import { errnoCode, openRegularFile, readAt, readRange } from '@ocikit/content/fs';
import { abortError, createVerifyStream, OciError } from '@ocikit/digest';
import { type Descriptor, type ImageIndex, parseImageLayout } from '@ocikit/spec';
import { detectCompression } from './compression.ts';
import { DEFAULT_MAX_INDEX_SIZE, parseLayoutIndex } from './index-json.ts';
import { LayoutReader } from './reader.ts';
import { checkUnique, classifyLayoutEntry } from './tar-names.ts';
import { MAX_LAYOUT_FILE_SIZE } from './tar-read.ts';
import { type ScannedEntry, scanTar } from './tar-scan.ts';

/** Options of {@link OciArchive.open}. */
export interface OpenArchiveOptions extends OperationOptions {
  /**
   * The largest `index.json` read, in bytes.
   * @default DEFAULT_MAX_INDEX_SIZE (64 MiB)
   */
  maxIndexSize?: number;
}

interface Located {
  readonly offset: number;
  readonly size: number;
}

/**
 * An OCI layout archive file (`oci-archive`, an uncompressed tar), read in
 * place: opening it reads only the tar headers (one quick pass, whatever the
 * archive's size) and checks them; blobs are then served as byte ranges of
 * the file, each verified against its digest as it is read. Nothing is
 * extracted. Read-only: it is a copy source (`Fetcher`, `Resolver`,
 * `TagLister`, `ReferrerLister`), not a `Target`; to change an archive,
 * `extractArchive` it into an `OciLayout` and write that back with
 * `OciLayout.writeArchive`.
 *
 * Call {@link OciArchive.close} when done: the file stays open meanwhile.
 *
 * @see https://github.com/opencontainers/image-spec/blob/main/image-layout.md
 */
export class OciArchive
  implements Fetcher, ExistenceChecker, Resolver, TagLister, ReferrerLister, RangeFetcher
{
  /** The archive file (absolute). */
  readonly path: string;
  readonly #handle: FileHandle;
  readonly #blobs: ReadonlyMap<string, Located>;
  readonly #index: ImageIndex;
  readonly #reader: LayoutReader;
  #closed = false;

  private constructor(
    path: string,
    handle: FileHandle,
    blobs: ReadonlyMap<string, Located>,
    index: ImageIndex,
  ) {
    this.path = path;
    this.#handle = handle;
    this.#blobs = blobs;
    this.#index = index;
    this.#reader = new LayoutReader({
      readIndex: (options) => this.readIndex(options),
      blobSize: async (digest) => this.#blobs.get(digest)?.size,
      fetch: (descriptor, options) => this.fetch(descriptor, options),
    });
  }

  /**
   * Opens an archive file and indexes its entries.
   *
   * @param file - the `.tar` file
   * @param options - {@link OpenArchiveOptions}
   * @returns the archive, open
   * @throws {OciError} `TAR_INVALID` for a malformed, truncated or compressed
   *   archive, links, devices, duplicate or unexpected entries; `PATH_INVALID`
   *   for names that escape; `LAYOUT_INVALID` for a missing file, or a missing
   *   or malformed `oci-layout` or `index.json` (each message names the
   *   file); `PATH_INVALID` when the file is a directory, FIFO or other
   *   special file (it is opened non-blocking, so a FIFO never hangs); `ABORTED`
   */
  static async open(file: string, options: OpenArchiveOptions = {}): Promise<OciArchive> {
    if (options.signal?.aborted) throw abortError(options.signal);
    const path = resolve(file);
    const { handle, size } = await openRegularFile(path).catch((error: unknown) => {
      if (errnoCode(error) !== 'ENOENT') throw error;
      throw new OciError('LAYOUT_INVALID', `Archive "${path}" does not exist`, { cause: error });
    });
    try {
      const compression = detectCompression(await readAt(handle, 0, 4));
      if (compression !== 'none') {
        throw new OciError(
          'TAR_INVALID',
          `the archive is ${compression}-compressed; read it as a stream with extractArchive`,
        );
      }
      const entries = await scanTar(
        (at, length) => readAt(handle, at, length),
        size,
        options.signal,
      );
      const { blobs, layoutFile, indexFile } = locate(entries);
      if (!layoutFile) throw new OciError('LAYOUT_INVALID', 'it has no oci-layout file');
      if (!indexFile) throw new OciError('LAYOUT_INVALID', 'it has no index.json');
      if (layoutFile.size > MAX_LAYOUT_FILE_SIZE) {
        throw new OciError('LAYOUT_INVALID', 'its oci-layout file is too large');
      }
      parseImageLayout(await readAt(handle, layoutFile.offset, layoutFile.size));
      const maxSize = options.maxIndexSize ?? DEFAULT_MAX_INDEX_SIZE;
      if (indexFile.size > maxSize) {
        throw new OciError('LAYOUT_INVALID', `its index.json is over the ${maxSize}-byte limit`);
      }
      const index = parseLayoutIndex(await readAt(handle, indexFile.offset, indexFile.size), {
        maxSize,
      });
      return new OciArchive(path, handle, blobs, index);
    } catch (error) {
      await handle.close();
      if (error instanceof OciError && error.code !== 'ABORTED') {
        throw new OciError(error.code, `Archive "${path}": ${error.message}`, { cause: error });
      }
      throw error;
    }
  }

  /**
   * The archive's `index.json` (read once, when the archive was opened).
   *
   * @param options - {@link OperationOptions}
   * @returns the index, deep-frozen, unknown members kept
   */
  async readIndex(options: OperationOptions = {}): Promise<ImageIndex> {
    if (options.signal?.aborted) throw abortError(options.signal);
    return this.#index;
  }

  /** {@inheritDoc @ocikit/content!Fetcher.fetch} */
  async fetch(
    descriptor: Descriptor,
    options: OperationOptions = {},
  ): Promise<ReadableStream<Uint8Array>> {
    const blob = this.#locate(descriptor, options);
    return readRange(this.#handle, blob.offset, blob.size).pipeThrough(
      createVerifyStream(descriptor),
    );
  }

  /** {@inheritDoc @ocikit/content!RangeFetcher.fetchRange} */
  async fetchRange(
    descriptor: Descriptor,
    options: RangeFetchOptions,
  ): Promise<ReadableStream<Uint8Array>> {
    const blob = this.#locate(descriptor, options);
    const start = Math.min(Math.max(options.offset, 0), blob.size);
    return readRange(this.#handle, blob.offset + start, blob.size - start);
  }

  /** {@inheritDoc @ocikit/content!ExistenceChecker.exists} */
  async exists(descriptor: Descriptor, options: OperationOptions = {}): Promise<boolean> {
    if (options.signal?.aborted) throw abortError(options.signal);
    return this.#blobs.get(descriptor.digest)?.size === descriptor.size;
  }

  /** {@inheritDoc @ocikit/content!Resolver.resolve} */
  resolve(reference: string, options: OperationOptions = {}): Promise<Descriptor> {
    return this.#reader.resolve(reference, options);
  }

  /** {@inheritDoc @ocikit/content!TagLister.tags} */
  tags(options: TagListOptions = {}): AsyncIterable<string> {
    return this.#reader.tags(options);
  }

  /**
   * Implements {@link @ocikit/content!ReferrerLister.referrers}.
   *
   * Searches the manifests `index.json` lists and those reachable from them.
   */
  referrers(subject: Descriptor, options: ReferrerListOptions = {}): AsyncIterable<Descriptor> {
    return this.#reader.referrers(subject, options);
  }

  /** Closes the file; later reads fail. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#handle.close();
  }

  #locate(descriptor: Descriptor, options: OperationOptions): Located {
    if (options.signal?.aborted) throw abortError(options.signal);
    if (this.#closed) throw new OciError('OPTION_INVALID', `Archive "${this.path}" is closed`);
    const blob = this.#blobs.get(descriptor.digest);
    if (!blob || blob.size !== descriptor.size) throw notFound(descriptor);
    return blob;
  }
}

/** Checks every entry against the layout rules and finds the files. */
function locate(entries: readonly ScannedEntry[]): {
  blobs: Map<string, Located>;
  layoutFile: Located | undefined;
  indexFile: Located | undefined;
} {
  const seen = new Set<string>();
  const blobs = new Map<string, Located>();
  let layoutFile: Located | undefined;
  let indexFile: Located | undefined;
  for (const entry of entries) {
    const classified = classifyLayoutEntry(entry.name, entry.type);
    checkUnique(seen, classified.path);
    if (classified.kind === 'blob') blobs.set(classified.digest, entry);
    else if (classified.kind === 'oci-layout') layoutFile = entry;
    else if (classified.kind === 'index') indexFile = entry;
  }
  return { blobs, layoutFile, indexFile };
}
