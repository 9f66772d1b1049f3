import { createWriteStream } from 'node:fs';
import { lstat, readdir, readlink, stat } from 'node:fs/promises';
import { isAbsolute, join, posix } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { OperationOptions } from '@ocikit/content';
import { openRegularFile, readRange } from '@ocikit/content/fs';
import { abortError, createHasher, type Digest, isOciError, OciError } from '@ocikit/digest';
import { createTarPacker, type TarHeader } from 'modern-tar';
import { pathError } from './artifact-path-error.node.ts';

/** Options of {@link packDirectory}. */
export interface PackDirectoryOptions extends OperationOptions {
  /**
   * Keep each entry's modification time instead of the fixed 1970-01-01
   * that makes the archive reproducible.
   * @default false
   */
  preserveTimes?: boolean;
}

/** A directory packed by {@link packDirectory}. */
export interface PackedDirectory {
  /** The digest of the gzip-compressed archive (the layer's digest). */
  readonly digest: Digest;
  /** The compressed archive's length. */
  readonly size: number;
  /** The digest of the uncompressed tar archive (`io.deis.oras.content.digest`). */
  readonly tarDigest: Digest;
}

/** One entry of a directory, as it goes into the archive. */
interface DirectoryEntry {
  /** The directory packed. */
  readonly root: string;
  /** Its path on disk. */
  readonly path: string;
  /** Its path in the archive: the title, then the path inside the directory. */
  readonly name: string;
  /** Its path inside the directory, `/`-separated (`''` for the directory itself). */
  readonly inside: string;
}

const EPOCH = new Date(0);

/**
 * Packs a directory the way oras packs one for a layer: a tar archive whose
 * entries are named `TITLE/…` (the directory itself first), gzip-compressed,
 * written to `file` while both the tar and the gzip bytes are hashed, in one
 * pass, never held in memory. Unlike oras the archive is reproducible by
 * default: entries depth-first in code-unit order of their names, mtime
 * 1970-01-01 (unless `preserveTimes`), uid and gid 0, no user or group
 * names, permission bits only (`mode & 0o777`), gzip with no name and mtime
 * 0 — so the same tree packs to the same digest (with the same zlib).
 *
 * Symbolic links are kept as links when their target is relative and stays
 * inside the directory; hard links are packed as regular files (as oras
 * does). Refused: a FIFO, socket or device; a link with an absolute target
 * or one that climbs out of the directory (oras keeps those, but its pull
 * refuses them).
 *
 * @param dir - the directory (a link to one is followed; nothing inside it is)
 * @param title - the archive's top directory, the layer's title
 * @param file - the new file to write the compressed archive to (on a
 *   failure it may hold part of one: the caller removes it)
 * @param options - {@link PackDirectoryOptions}
 * @returns the digests and size of the archive
 * @throws {OciError} `PATH_INVALID` for an entry that cannot be packed, or a
 *   file that changed size while it was read; `ABORTED`
 */
export async function packDirectory(
  dir: string,
  title: string,
  file: string,
  options: PackDirectoryOptions = {},
): Promise<PackedDirectory> {
  const { signal } = options;
  // Loaded here: most commands never pack (node:zlib takes about 1 ms to load).
  const { createGzip } = await import('node:zlib');
  const { readable, controller } = createTarPacker();
  const write = async () => {
    for await (const entry of walk(dir, title)) {
      if (signal?.aborted) throw abortError(signal);
      await addEntry(controller, entry, options.preserveTimes === true);
    }
    controller.finalize();
  };
  const writing = write().catch((error: unknown) => {
    controller.error(error);
    throw error;
  });
  const tar = createHasher();
  const gzip = createHasher();
  const packing = pipeline(
    Readable.fromWeb(readable as NodeReadableStream<Uint8Array>),
    hashing((chunk) => tar.update(chunk)),
    createGzip(),
    hashing((chunk) => gzip.update(chunk)),
    createWriteStream(file, { flags: 'wx' }),
    signal === undefined ? {} : { signal },
  );
  const [written, packed] = await Promise.allSettled([writing, packing]);
  if (written.status === 'rejected') throw packError(written.reason, dir, 'read', signal);
  if (packed.status === 'rejected') throw packError(packed.reason, file, 'write', signal);
  return { digest: gzip.digest(), size: gzip.size, tarDigest: tar.digest() };
}

/** A pass-through stream that shows each chunk to `see`. */
function hashing(see: (chunk: Uint8Array) => void): Transform {
  return new Transform({
    transform(chunk: Uint8Array, _encoding, done) {
      see(chunk);
      done(null, chunk);
    },
  });
}

/** The coded error of a failed pack: reading the directory, or writing the archive. */
function packError(
  error: unknown,
  path: string,
  doing: 'read' | 'write',
  signal: AbortSignal | undefined,
): unknown {
  if (signal?.aborted) return abortError(signal);
  if (isOciError(error)) return error;
  const coded = pathError(error, path, doing);
  if (coded !== error) return coded;
  return new OciError('PATH_INVALID', `Cannot pack "${path}": ${String(error)}`, {
    cause: error,
  });
}

/**
 * The entries of a directory, itself first, then depth-first with the names
 * of each directory in code-unit order (the order of Go's `filepath.Walk`,
 * which oras uses).
 */
async function* walk(root: string, title: string, inside = ''): AsyncGenerator<DirectoryEntry> {
  const path = inside === '' ? root : join(root, inside);
  yield { root, path, name: inside === '' ? title : `${title}/${inside}`, inside };
  if (inside !== '' && !(await lstat(path)).isDirectory()) return;
  const names = await readdir(path).catch((error: unknown) => {
    throw pathError(error, path, 'read');
  });
  for (const name of names.sort(byCodeUnits)) {
    yield* walk(root, title, inside === '' ? name : `${inside}/${name}`);
  }
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Adds one entry (its header, and a regular file's bytes) to the archive. */
async function addEntry(
  controller: ReturnType<typeof createTarPacker>['controller'],
  entry: DirectoryEntry,
  preserveTimes: boolean,
): Promise<void> {
  const look = entry.inside === '' ? stat : lstat;
  const info = await look(entry.path).catch((error: unknown) => {
    throw pathError(error, entry.path, 'read');
  });
  const fixed = {
    mode: info.mode & 0o777,
    mtime: preserveTimes ? info.mtime : EPOCH,
    uid: 0,
    gid: 0,
  } satisfies Partial<TarHeader>;
  if (info.isDirectory()) {
    await controller.add({ ...fixed, name: `${entry.name}/`, type: 'directory', size: 0 }).close();
    return;
  }
  if (info.isSymbolicLink()) {
    const linkname = await readlink(entry.path);
    assertLinkInside(entry, linkname);
    await controller
      .add({ ...fixed, name: entry.name, type: 'symlink', size: 0, linkname })
      .close();
    return;
  }
  if (!info.isFile()) {
    throw new OciError(
      'PATH_INVALID',
      `Cannot pack "${entry.path}": it is a FIFO, socket or device, not a file, directory or link`,
    );
  }
  const { handle, size } = await openRegularFile(entry.path, { root: entry.root });
  const sink = controller.add({ ...fixed, name: entry.name, type: 'file', size });
  await readRange(handle, 0, size, { close: true })
    .pipeTo(sink)
    .catch((error: unknown) => {
      throw isOciError(error)
        ? error
        : new OciError('PATH_INVALID', `"${entry.path}" changed while it was packed`, {
            cause: error,
          });
    });
}

/** Refuses a link whose target is absolute or climbs out of the directory packed. */
function assertLinkInside(entry: DirectoryEntry, linkname: string): void {
  const resolved = posix.normalize(posix.join(posix.dirname(entry.inside), linkname));
  if (isAbsolute(linkname) || resolved === '..' || resolved.startsWith('../')) {
    throw new OciError(
      'PATH_INVALID',
      `Cannot pack the symbolic link "${entry.path}": its target "${linkname}" is outside the directory`,
    );
  }
}
