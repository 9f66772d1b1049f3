import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import {
  chmod,
  type FileHandle,
  link,
  lstat,
  mkdir,
  open,
  realpath,
  rename,
  rm,
  stat,
  symlink,
} from 'node:fs/promises';
import { basename, dirname, join, posix, sep } from 'node:path';
import { pipeline, Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { OperationOptions } from '@ocikit/content';
import { errnoCode, writeStreamToFile } from '@ocikit/content/fs';
import { abortError, createHasher, isOciError, OciError } from '@ocikit/digest';
import { createTarDecoder, type TarHeader } from 'modern-tar';
import { pathError } from './artifact-path-error.node.ts';

/** What {@link unpackDirectory} checks the archive against. */
export interface UnpackDirectoryOptions extends OperationOptions {
  /** The layer's title: every entry must be it or lie under it (`TITLE/…`). */
  readonly title: string;
  /** The digest of the uncompressed tar (`io.deis.oras.content.digest`), when the layer has one. */
  readonly tarDigest?: string | undefined;
}

/** One directory made while unpacking, and the mode it gets at the end. */
interface MadeDirectory {
  readonly path: string;
  mode: number;
}

/** Creates files with this mode while they are written; the entry's mode comes after. */
const WRITING_MODE = 0o600;

/**
 * Unpacks a directory layer (a tar archive, gzip-compressed, as oras packs
 * one) into `target`, refusing anything that could reach outside it: each
 * entry must be the title or lie under it; an absolute name, a `..`, a path
 * through a symbolic link or over an entry already written, a symbolic link
 * whose target is absolute or resolves outside, a hard link to anything but
 * a regular file written before from the same archive, a FIFO or a device —
 * each fails the whole unpack. Everything is written into a new temp
 * directory beside `target`, verified (the tar's digest against
 * `tarDigest`, the archive whole), and only then renamed to `target`,
 * which must not exist or be an empty directory; on any failure the temp
 * directory is removed and `target` is untouched.
 *
 * Files and directories get the permission bits of their entries, less the
 * process's umask (no set-user-id, set-group-id or sticky bit); owners and
 * modification times are not restored.
 *
 * @param content - the layer's bytes (verified against its descriptor by the caller)
 * @param target - the directory to create (missing, or empty)
 * @param options - {@link UnpackDirectoryOptions}
 * @throws {OciError} `PATH_INVALID` for an entry that escapes or a path that
 *   cannot be written; `TAR_INVALID` for a malformed, truncated or not
 *   gzip-compressed archive, a special file or an entry given twice;
 *   `DIGEST_MISMATCH`; `ABORTED`; the content's own errors
 */
export async function unpackDirectory(
  content: ReadableStream<Uint8Array>,
  target: string,
  options: UnpackDirectoryOptions,
): Promise<void> {
  const temp = join(
    dirname(target),
    `.${basename(target)}.${randomBytes(6).toString('hex')}.unpack`,
  );
  try {
    await mkdir(temp, { mode: 0o777 });
  } catch (error) {
    await content.cancel(error).catch(() => {});
    throw pathError(error, temp, 'write');
  }
  try {
    const umask = ~(await stat(temp)).mode & 0o777;
    await chmod(temp, 0o700);
    await new Unpacker(temp, umask, options).run(content);
    await moveIntoPlace(temp, target);
  } catch (error) {
    await content.cancel(error).catch(() => {});
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

/** The state of one unpack into a temp directory. */
class Unpacker {
  readonly #root: string;
  readonly #umask: number;
  readonly #title: readonly string[];
  readonly #options: UnpackDirectoryOptions;
  /** Every directory made, the root first. */
  readonly #directories = new Map<string, MadeDirectory>();
  /** The regular files written, by their path inside the root: hard links may name them. */
  readonly #files = new Set<string>();
  /** The symbolic links made, by their path inside the root. */
  readonly #links: string[] = [];

  constructor(root: string, umask: number, options: UnpackDirectoryOptions) {
    this.#root = root;
    this.#umask = umask;
    this.#title = options.title.split('/');
    this.#options = options;
    this.#directories.set('', { path: root, mode: 0o755 & ~umask });
  }

  async run(content: ReadableStream<Uint8Array>): Promise<void> {
    const { signal, tarDigest } = this.#options;
    const hasher = createHasher(tarDigest?.split(':')[0]);
    const entries = (await gunzip(content))
      .pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            hasher.update(chunk);
            controller.enqueue(chunk);
          },
        }),
      )
      .pipeThrough(createTarDecoder({ strict: true }));
    const reader = entries.getReader();
    try {
      for (;;) {
        if (signal?.aborted) throw abortError(signal);
        const { done, value } = await reader.read().catch((error: unknown) => {
          throw archiveError(error, this.#options.title, this.#root);
        });
        if (done) break;
        try {
          await this.#entry(value.header, value.body);
        } finally {
          await value.body.cancel().catch(() => {});
        }
      }
    } catch (error) {
      await reader.cancel(error).catch(() => {});
      throw signal?.aborted ? abortError(signal) : error;
    }
    if (tarDigest !== undefined && hasher.digest() !== tarDigest) {
      throw new OciError(
        'DIGEST_MISMATCH',
        `The tar archive of "${this.#options.title}" hashes to ${hasher.digest()}, not ${tarDigest} as its io.deis.oras.content.digest says`,
      );
    }
    await this.#checkLinks();
    const deepestFirst = [...this.#directories.values()].reverse();
    for (const directory of deepestFirst) await chmod(directory.path, directory.mode);
  }

  async #entry(header: TarHeader, body: ReadableStream<Uint8Array>): Promise<void> {
    const inside = this.#inside(header.name);
    const path = join(this.#root, ...inside);
    const key = inside.join('/');
    const mode = (header.mode ?? 0o644) & 0o777 & ~this.#umask;
    switch (header.type ?? 'file') {
      case 'directory': {
        await this.#parents(inside, inside.length - 1, header.name);
        const made = this.#directories.get(key);
        if (made !== undefined) made.mode = mode;
        else await this.#makeDirectory(key, path, mode, header.name);
        return;
      }
      case 'file': {
        await this.#parents(inside, inside.length - 1, header.name);
        const handle = await this.#create(path, header.name);
        try {
          await writeStreamToFile(body, handle, 0, this.#options.signal).catch((error: unknown) => {
            throw archiveError(error, this.#options.title, this.#root);
          });
          await handle.chmod(mode);
        } finally {
          await handle.close();
        }
        this.#files.add(key);
        return;
      }
      case 'symlink': {
        const linkname = header.linkname ?? '';
        const resolved = posix.normalize(posix.join(...inside.slice(0, -1), '.', linkname));
        if (
          linkname === '' ||
          linkname.startsWith('/') ||
          resolved === '..' ||
          resolved.startsWith('../')
        ) {
          throw escapes(header.name, `is a symbolic link to "${linkname}", outside the directory`);
        }
        await this.#parents(inside, inside.length - 1, header.name);
        await symlink(linkname, path).catch((error: unknown) => {
          throw this.#existing(error, path, header.name);
        });
        this.#links.push(key);
        return;
      }
      case 'link': {
        const linkname = header.linkname ?? '';
        let to: string | undefined;
        try {
          to = this.#inside(linkname).join('/');
        } catch {
          to = undefined;
        }
        if (to === undefined || !this.#files.has(to)) {
          throw escapes(
            header.name,
            `is a hard link to "${header.linkname}", which is no regular file written before from this archive`,
          );
        }
        await this.#parents(inside, inside.length - 1, header.name);
        await link(join(this.#root, ...to.split('/')), path).catch((error: unknown) => {
          throw this.#existing(error, path, header.name);
        });
        return;
      }
      default:
        throw new OciError(
          'TAR_INVALID',
          `Entry "${header.name}" of "${this.#options.title}" is a ${header.type}; special files are not unpacked`,
        );
    }
  }

  /** An entry's path inside the root: its name less the title, checked name by name. */
  #inside(name: string): string[] {
    if (name.startsWith('/')) throw escapes(name, 'is an absolute path');
    if (name.includes('\\')) throw escapes(name, 'holds a backslash');
    const segments = name.split('/').filter((segment) => segment !== '' && segment !== '.');
    if (segments.includes('..')) throw escapes(name, 'climbs out with ".."');
    const title = this.#title;
    if (segments.length < title.length || title.some((part, index) => segments[index] !== part)) {
      throw escapes(name, `is not inside "${title.join('/')}/"`);
    }
    return segments.slice(title.length);
  }

  /** Makes sure the first `count` names of a path are directories made by this unpack. */
  async #parents(inside: readonly string[], count: number, name: string): Promise<void> {
    for (let end = 1; end <= count; end++) {
      const key = inside.slice(0, end).join('/');
      if (this.#directories.has(key)) continue;
      const path = join(this.#root, ...inside.slice(0, end));
      const info = await lstat(path).catch((error: unknown) => {
        if (errnoCode(error) === 'ENOENT') return undefined;
        throw pathError(error, path, 'write');
      });
      if (info !== undefined) {
        throw escapes(
          name,
          `passes through "${this.#options.title}/${key}", which the archive made a ${info.isSymbolicLink() ? 'symbolic link' : 'file'}`,
        );
      }
      await this.#makeDirectory(key, path, 0o755 & ~this.#umask, key);
    }
  }

  async #makeDirectory(key: string, path: string, mode: number, name: string): Promise<void> {
    await mkdir(path, { mode: 0o700 }).catch((error: unknown) => {
      throw this.#existing(error, path, name);
    });
    this.#directories.set(key, { path, mode });
  }

  async #create(path: string, name: string): Promise<FileHandle> {
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
    return await open(path, flags, WRITING_MODE).catch((error: unknown) => {
      throw this.#existing(error, path, name);
    });
  }

  /** The error of creating something where the archive already put something. */
  #existing(error: unknown, path: string, name: string): unknown {
    if (errnoCode(error) !== 'EEXIST') return pathError(error, path, 'write');
    return new OciError(
      'TAR_INVALID',
      `Entry "${name}" of "${this.#options.title}" is given twice, or over another entry`,
    );
  }

  /**
   * Resolves each symbolic link made, now that the tree is whole, and
   * refuses one that lands outside the root through other links (a chain
   * that each looked inside on its own). A dangling link or a loop stays:
   * its target was checked by name when it was made.
   */
  async #checkLinks(): Promise<void> {
    const root = await realpath(this.#root);
    for (const key of this.#links) {
      const resolved = await realpath(join(this.#root, key)).catch((error: unknown) => {
        const code = errnoCode(error);
        if (code === 'ENOENT' || code === 'ELOOP' || code === 'ENOTDIR') return undefined;
        throw pathError(error, key, 'read');
      });
      if (resolved !== undefined && resolved !== root && !resolved.startsWith(`${root}${sep}`)) {
        throw escapes(
          `${this.#options.title}/${key}`,
          'is a symbolic link that resolves outside the directory',
        );
      }
    }
  }
}

/**
 * The bytes of a gzip stream, through `node:zlib` with backpressure. (Node
 * 20's `DecompressionStream` runs ahead of a slow reader and holds the whole
 * output: a 256 MiB layer peaked at 321 MiB.) An error of the source —
 * `DIGEST_MISMATCH` from its verification — reaches the reader as it is.
 */
async function gunzip(content: ReadableStream<Uint8Array>): Promise<ReadableStream<Uint8Array>> {
  // Loaded here: most commands never unpack (node:zlib takes about 1 ms to load).
  const { createGunzip } = await import('node:zlib');
  const inflate = createGunzip();
  pipeline(Readable.fromWeb(content as NodeReadableStream<Uint8Array>), inflate, () => {});
  return Readable.toWeb(inflate) as ReadableStream<Uint8Array>;
}

function escapes(name: string, why: string): OciError {
  return new OciError('PATH_INVALID', `Archive entry "${name}" is refused: it ${why}`);
}

/** The coded form of an error reading the archive (gzip, tar) or writing what it holds. */
function archiveError(error: unknown, title: string, root: string): unknown {
  if (isOciError(error)) return error;
  const code = errnoCode(error);
  if (code !== undefined && !code.startsWith('Z_')) return pathError(error, root, 'write');
  const why = error instanceof Error ? error.message : String(error);
  return new OciError(
    'TAR_INVALID',
    `The directory layer "${title}" is not a whole tar+gzip archive: ${why}`,
    { cause: error },
  );
}

/**
 * Renames a finished directory to `target`, which must not exist or be an
 * empty directory: `rename` itself refuses a non-empty one, so nothing a
 * user put there meanwhile is lost.
 */
async function moveIntoPlace(temp: string, target: string): Promise<void> {
  await rename(temp, target).catch((error: unknown) => {
    const code = errnoCode(error);
    if (code === 'ENOTEMPTY' || code === 'EEXIST') {
      throw new OciError(
        'PATH_INVALID',
        `"${target}" already exists and is not empty; remove it to pull the directory again`,
        { cause: error },
      );
    }
    throw pathError(error, target, 'write');
  });
}
