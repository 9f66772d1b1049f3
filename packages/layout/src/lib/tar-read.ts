import type { OperationOptions } from '@ocikit/content';
import { createVerifyStream, OciError, readBytes } from '@ocikit/digest';
import { type Descriptor, type ImageIndex, type ImageLayout, parseImageLayout } from '@ocikit/spec';
import { decompressArchive } from './compression.ts';
import { DEFAULT_MAX_INDEX_SIZE, parseLayoutIndex } from './index-json.ts';
import { checkUnique, classifyLayoutEntry } from './tar-names.ts';
import { streamSource, TarReader } from './tar-reader.ts';

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
 * holding at most a few MiB of an entry in memory: the tar form of
 * `blobs/`, `index.json` and `oci-layout`. A gzip-compressed archive is
 * decompressed. Every rule is checked as the entries go by; the first broken
 * one ends the iteration with an error:
 *
 * - names that escape (absolute, `..`) are `PATH_INVALID`;
 * - links, devices, FIFOs, names that do not belong in a layout, a name met
 *   twice, a bad header checksum, a truncated archive, and headers that tar
 *   readers read differently (the rules of `tar-format.ts`, which
 *   `OciArchive` shares) are `TAR_INVALID`;
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
  const streamReader = tar.getReader();
  const reader = new TarReader(streamSource(streamReader), signal);
  const seen = new Set<string>();
  let sawLayout = false;
  let sawIndex = false;
  try {
    for (;;) {
      const header = await reader.next().catch((error: unknown) => {
        throw tarError(error, failures);
      });
      if (header === undefined) break;
      const entry = classifyLayoutEntry(header.name, header.type);
      checkUnique(seen, entry.path);
      const body = entryBody(reader, failures);
      switch (entry.kind) {
        case 'directory':
        case 'ignored':
          break;
        case 'oci-layout': {
          const bytes = await readEntry(body.stream, MAX_LAYOUT_FILE_SIZE, failures, signal);
          sawLayout = true;
          yield { kind: 'oci-layout', path: entry.path, bytes, layout: parseImageLayout(bytes) };
          break;
        }
        case 'index': {
          const maxSize = options.maxIndexSize ?? DEFAULT_MAX_INDEX_SIZE;
          const bytes = await readEntry(body.stream, maxSize, failures, signal);
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
          yield {
            kind: 'blob',
            path: entry.path,
            descriptor,
            body: body.stream.pipeThrough(createVerifyStream(descriptor)),
          };
          break;
        }
      }
      // What the consumer left unread is skipped by the next call; the body is done.
      body.release();
    }
  } finally {
    await streamReader.cancel().catch(() => {});
    streamReader.releaseLock();
  }
  if (!sawLayout) throw new OciError('LAYOUT_INVALID', 'The archive has no oci-layout file');
  if (!sawIndex) throw new OciError('LAYOUT_INVALID', 'The archive has no index.json');
}

/** The largest chunk an entry body yields. */
const BODY_CHUNK = 1024 * 1024;
/** How much of an entry's data is read ahead of the consumer (so reading overlaps hashing). */
const READ_AHEAD = 4 * BODY_CHUNK;

/**
 * The data of the current entry as a stream, with reader failures as
 * `TAR_INVALID`, read up to {@link READ_AHEAD} ahead (the reader orders
 * those reads before the next entry). Once released (the reader moved on),
 * it fails if read.
 */
function entryBody(
  reader: TarReader,
  failures: WeakSet<object>,
): { stream: ReadableStream<Uint8Array>; release(): void } {
  let current = true;
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!current) {
          controller.error(new OciError('TAR_INVALID', 'A tar entry was read after the next one'));
          return;
        }
        try {
          const chunk = await reader.readData(BODY_CHUNK);
          if (chunk.byteLength === 0) controller.close();
          else controller.enqueue(chunk);
        } catch (error) {
          controller.error(tarError(error, failures));
        }
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: READ_AHEAD }),
  );
  return {
    stream,
    release() {
      current = false;
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
