import { gzipSync } from 'node:zlib';
import { digestBytes, streamFromBytes } from '@ocikit/digest';
import { packTar, type TarHeader } from 'modern-tar';
import type { TestLayer } from './blob.ts';
import { MediaType } from './media-types.ts';

/** One entry of a layer's tar. */
export interface LayerEntry {
  /** The path inside the image, without a leading `/`. */
  path: string;
  /**
   * What it is.
   * @default 'file'
   */
  type?: 'file' | 'directory' | 'symlink';
  /** A file's content (UTF-8 for a string). */
  content?: string | Uint8Array;
  /**
   * Permission bits.
   * @default 0o644 for files, 0o755 for directories, 0o777 for symlinks
   */
  mode?: number;
  /** A symlink's target. */
  linkname?: string;
}

/** Options of {@link tarLayer}. */
export interface TarLayerOptions {
  /**
   * Gzip the tar (the layer then has the `+gzip` media type).
   * @default true
   */
  gzip?: boolean;
}

const EPOCH = new Date(0);
const DEFAULT_MODES = { file: 0o644, directory: 0o755, symlink: 0o777 } as const;

function entriesOf(
  input: readonly LayerEntry[] | Record<string, string | Uint8Array>,
): LayerEntry[] {
  if (Array.isArray(input)) return [...input];
  return Object.keys(input)
    .sort()
    .map((path) => ({ path, content: (input as Record<string, string | Uint8Array>)[path] }));
}

/**
 * Makes a deterministic layer: a POSIX ustar archive with mtime 0, uid/gid 0,
 * no user or group names and fixed modes, gzipped by `node:zlib` (whose
 * header, like `gzip -n`, has no name and mtime 0). The same input gives the
 * same digest on every run with the same zlib.
 *
 * @param input - the entries in archive order, or a map of file paths to
 *   contents (archived in sorted order)
 * @param options - {@link TarLayerOptions}
 * @returns the layer, in memory
 */
export async function tarLayer(
  input: readonly LayerEntry[] | Record<string, string | Uint8Array>,
  options: TarLayerOptions = {},
): Promise<TestLayer> {
  const entries = entriesOf(input).map((entry) => {
    const type = entry.type ?? 'file';
    const body =
      typeof entry.content === 'string' ? new TextEncoder().encode(entry.content) : entry.content;
    const header: TarHeader = {
      name: type === 'directory' && !entry.path.endsWith('/') ? `${entry.path}/` : entry.path,
      type,
      size: type === 'file' ? (body?.byteLength ?? 0) : 0,
      mode: entry.mode ?? DEFAULT_MODES[type],
      mtime: EPOCH,
      uid: 0,
      gid: 0,
      uname: '',
      gname: '',
      ...(entry.linkname === undefined ? {} : { linkname: entry.linkname }),
    };
    return { header, body: type === 'file' ? (body ?? new Uint8Array(0)) : undefined };
  });
  const tar = await packTar(entries);
  const diffId = digestBytes(tar);
  const gzip = options.gzip ?? true;
  const bytes = gzip ? new Uint8Array(gzipSync(tar)) : tar;
  return {
    mediaType: gzip ? MediaType.ociLayerGzip : MediaType.ociLayer,
    digest: gzip ? digestBytes(bytes) : diffId,
    size: bytes.byteLength,
    bytes,
    diffId,
    compressed: gzip,
    stream: () => streamFromBytes(bytes),
  };
}
