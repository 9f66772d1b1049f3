import type { OperationOptions } from '@ocikit/content';
import { abortError, createVerifyStream, OciError, readBytes } from '@ocikit/digest';
import { type Descriptor, type ImageIndex, type ImageLayout, parseImageLayout } from '@ocikit/spec';
import { createTarDecoder, type ParsedTarEntry } from 'modern-tar';
import { decompressArchive } from './compression.ts';
import { DEFAULT_MAX_INDEX_SIZE, parseLayoutIndex } from './index-json.ts';
import { checkUnique, classifyLayoutEntry, type TarEntryType } from './tar-names.ts';

/** The size limit of an `oci-layout` file. */
export const MAX_LAYOUT_FILE_SIZE = 4096;

/** Options of {@link readLayoutArchive}. */
export interface ReadLayoutArchiveOptions extends OperationOptions {
  /**
   * The largest `index.json` accepted, in bytes.
   * @default DEFAULT_MAX_INDEX_SIZE (64 MiB)
   */
  maxIndexSize?: number;
}

/** An entry of a layout archive, as {@link readLayoutArchive} yields it. */
export type LayoutArchiveEntry =
  | {
      readonly kind: 'blob';
      /** `blobs/<algorithm>/<encoded>`. */
      readonly path: string;
      /** The blob's digest and size (media type `application/octet-stream`). */
      readonly descriptor: Descriptor;
      /**
       * The blob's bytes, verified against its name while they flow: the
       * stream fails with `DIGEST_MISMATCH` rather than end with wrong bytes.
       * Read it to the end or cancel it before asking for the next entry.
       */
      readonly body: ReadableStream<Uint8Array>;
    }
  | {
      readonly kind: 'oci-layout';
      readonly path: string;
      readonly bytes: Uint8Array;
      readonly layout: ImageLayout;
    }
  | {
      readonly kind: 'index';
      readonly path: string;
      readonly bytes: Uint8Array;
      readonly index: ImageIndex;
    };

/**
 * Reads an OCI layout archive (`oci-archive`) from a stream, entry by entry,
 * holding no more than one entry's chunk in memory: the tar form of
 * `blobs/`, `index.json` and `oci-layout`. A gzip-compressed archive is
 * decompressed. Every rule is checked as the entries go by; the first broken
 * one ends the iteration with an error:
 *
 * - names that escape (absolute, `..`) are `PATH_INVALID`;
 * - links, devices, FIFOs, names that do not belong in a layout, a name met
 *   twice, a bad header checksum, and a truncated archive are `TAR_INVALID`;
 * - a missing or malformed `oci-layout` or `index.json` is `LAYOUT_INVALID`
 *   (known only at the end, as entries may come in any order);
 * - a blob whose bytes do not match its name fails its `body` with
 *   `DIGEST_MISMATCH`.
 *
 * `manifest.json` and `repositories` (which Docker 25+ `docker save` adds to
 * an OCI layout) and directory entries are skipped.
 *
 * @param source - the archive
 * @param options - {@link ReadLayoutArchiveOptions}
 * @returns the entries, in archive order
 * @throws {OciError} as listed above; `ABORTED`
 * @see https://github.com/opencontainers/image-spec/blob/main/image-layout.md
 */
export async function* readLayoutArchive(
  source: ReadableStream<Uint8Array>,
  options: ReadLayoutArchiveOptions = {},
): AsyncGenerator<LayoutArchiveEntry, void, undefined> {
  const { signal } = options;
  const failures = new WeakSet<object>();
  const tar = await decompressArchive(watchFailures(source, failures));
  const reader = tar.pipeThrough(createTarDecoder({ strict: true })).getReader();
  const seen = new Set<string>();
  let sawLayout = false;
  let sawIndex = false;
  try {
    for (;;) {
      if (signal?.aborted) throw abortError(signal);
      const next = await reader.read().catch((error: unknown) => {
        throw tarError(error, failures);
      });
      if (next.done) break;
      const { header, body } = next.value as ParsedTarEntry;
      const entry = classifyLayoutEntry(header.name, (header.type ?? 'file') as TarEntryType);
      checkUnique(seen, entry.path);
      switch (entry.kind) {
        case 'directory':
        case 'ignored':
          await body.cancel();
          break;
        case 'oci-layout': {
          const bytes = await readEntry(body, MAX_LAYOUT_FILE_SIZE, failures, signal);
          sawLayout = true;
          yield { kind: 'oci-layout', path: entry.path, bytes, layout: parseImageLayout(bytes) };
          break;
        }
        case 'index': {
          const maxSize = options.maxIndexSize ?? DEFAULT_MAX_INDEX_SIZE;
          const bytes = await readEntry(body, maxSize, failures, signal);
          sawIndex = true;
          const index = parseLayoutIndex(bytes, { maxSize });
          yield { kind: 'index', path: entry.path, bytes, index };
          break;
        }
        case 'blob': {
          const descriptor: Descriptor = {
            mediaType: 'application/octet-stream',
            digest: entry.digest,
            size: header.size,
          };
          const guarded = guardBody(body, failures);
          yield {
            kind: 'blob',
            path: entry.path,
            descriptor,
            body: guarded.stream.pipeThrough(createVerifyStream(descriptor)),
          };
          // A consumer that left the body unread would stall the decoder.
          await guarded.release();
          break;
        }
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
  if (!sawLayout) throw new OciError('LAYOUT_INVALID', 'The archive has no oci-layout file');
  if (!sawIndex) throw new OciError('LAYOUT_INVALID', 'The archive has no index.json');
}

/**
 * Wraps an entry body so that decoder failures surface as `TAR_INVALID`,
 * and so that the reader can discard what the consumer did not read.
 */
function guardBody(
  body: ReadableStream<Uint8Array>,
  failures: WeakSet<object>,
): { stream: ReadableStream<Uint8Array>; release(): Promise<void> } {
  const reader = body.getReader();
  let settled = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          settled = true;
          controller.close();
        } else {
          controller.enqueue(value);
        }
      } catch (error) {
        settled = true;
        controller.error(tarError(error, failures));
      }
    },
    async cancel(reason) {
      settled = true;
      await reader.cancel(reason);
    },
  });
  return {
    stream,
    async release() {
      if (!settled) await reader.cancel().catch(() => {});
    },
  };
}

async function readEntry(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
  failures: WeakSet<object>,
  signal: AbortSignal | undefined,
): Promise<Uint8Array> {
  try {
    return await readBytes(body, { maxBytes, signal });
  } catch (error) {
    throw tarError(error, failures);
  }
}

/**
 * The error to report for a failure while decoding: the source's own errors
 * and coded errors as they are, anything the tar decoder throws as `TAR_INVALID`.
 */
function tarError(error: unknown, failures: WeakSet<object>): unknown {
  if (error instanceof OciError) return error;
  if (typeof error === 'object' && error !== null && failures.has(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new OciError('TAR_INVALID', `Tar archive is invalid: ${reason}`, { cause: error });
}

/** Passes the source through, recording the errors it fails with, so they are not taken for tar errors. */
function watchFailures(
  source: ReadableStream<Uint8Array>,
  failures: WeakSet<object>,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        if (typeof error === 'object' && error !== null) failures.add(error);
        controller.error(error);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}
