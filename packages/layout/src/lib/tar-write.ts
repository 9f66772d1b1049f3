import type { OperationOptions } from '@ocikit/content';
import { abortError, OciError, streamFromBytes } from '@ocikit/digest';
import { type Descriptor, IMAGE_LAYOUT_VERSION } from '@ocikit/spec';
import { createTarPacker } from 'modern-tar';

/** One entry to write into an archive. */
export interface ArchiveFile {
  /** The path in the archive, without a trailing `/`. */
  readonly path: string;
  /** The content's length. */
  readonly size: number;
  /** Opens the content (verified by whoever provides it). */
  open(options: OperationOptions): Promise<ReadableStream<Uint8Array>>;
}

const EPOCH = new Date(0);
const encoder = new TextEncoder();

/** The bytes of the `oci-layout` file every archive carries. */
export const OCI_LAYOUT_BYTES: Uint8Array = encoder.encode(
  JSON.stringify({ imageLayoutVersion: IMAGE_LAYOUT_VERSION }),
);

/**
 * A file held in memory, for an archive.
 *
 * @param path - its path in the archive
 * @param bytes - its content
 * @returns the entry
 */
export function bytesFile(path: string, bytes: Uint8Array): ArchiveFile {
  return { path, size: bytes.byteLength, open: async () => streamFromBytes(bytes) };
}

/**
 * The entry of a blob, `blobs/<algorithm>/<encoded>`.
 *
 * @param descriptor - the blob (its digest and size)
 * @param open - opens its verified content
 * @returns the entry
 */
export function blobFile(
  descriptor: Pick<Descriptor, 'digest' | 'size'>,
  open: ArchiveFile['open'],
): ArchiveFile {
  return { path: blobPath(descriptor.digest), size: descriptor.size, open };
}

/**
 * The path of a blob in a layout: `blobs/<algorithm>/<encoded>`.
 *
 * @param digest - the blob's digest
 * @returns the relative path
 */
export function blobPath(digest: string): string {
  return `blobs/${digest.replace(':', '/')}`;
}

/**
 * Writes files as a deterministic tar stream, one file at a time: entries in
 * code-unit order of their paths, each parent directory (mode 0755) before
 * its contents, files mode 0644, mtime 0, uid and gid 0, no user or group
 * names, POSIX ustar headers with PAX records for names over 100 bytes. A
 * file's bytes are read only when the consumer gets to them, so memory stays
 * flat whatever the archive's size.
 *
 * @param files - the files (any order; each path once)
 * @param options - {@link OperationOptions}; the signal fails the stream with `ABORTED`
 * @returns the archive; an error opening or reading a file fails it
 * @throws {OciError} `OPTION_INVALID` when a path repeats
 */
export function packArchive(
  files: readonly ArchiveFile[],
  options: OperationOptions = {},
): ReadableStream<Uint8Array> {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]?.path === sorted[i - 1]?.path) {
      throw new OciError('OPTION_INVALID', `Archive path "${sorted[i]?.path}" is given twice`);
    }
  }
  const { readable, controller } = createTarPacker();
  const { signal } = options;
  const write = async () => {
    const directories = new Set<string>();
    for (const file of sorted) {
      if (signal?.aborted) throw abortError(signal);
      const parts = file.path.split('/');
      for (let depth = 1; depth < parts.length; depth++) {
        const directory = `${parts.slice(0, depth).join('/')}/`;
        if (directories.has(directory)) continue;
        directories.add(directory);
        await controller
          .add({ name: directory, type: 'directory', size: 0, ...FIXED, mode: 0o755 })
          .close();
      }
      const sink = controller.add({
        name: file.path,
        type: 'file',
        size: file.size,
        ...FIXED,
        mode: 0o644,
      });
      const content = await file.open({ signal });
      await content.pipeTo(sink, { signal });
    }
    controller.finalize();
  };
  write().catch((error: unknown) => {
    controller.error(signal?.aborted ? abortError(signal) : error);
  });
  return readable;
}

const FIXED = { mtime: EPOCH, uid: 0, gid: 0 } as const;
