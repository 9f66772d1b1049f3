import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { errnoCode, FileStore, syncDirectory, writeFileAtomic } from '@ocikit/content/fs';
import { OciError } from '@ocikit/digest';
import { OciLayout, type OpenLayoutOptions } from './layout.node.ts';
import { readLayoutArchive } from './tar-read.ts';

/** Options of {@link extractArchive}: how to read the archive and open the result. */
export interface ExtractArchiveOptions extends Omit<OpenLayoutOptions, 'create'> {}

/**
 * Extracts an OCI layout archive (`oci-archive`, tar or tar+gzip) from a
 * stream into a new layout directory, and opens it. The archive is read
 * once, entry by entry (see `readLayoutArchive` for every rule checked):
 * each blob is verified and written through a `FileStore` into a temp
 * directory beside `dir`, which is renamed to `dir` only when the whole
 * archive proved valid. On any failure the temp directory is removed, and
 * so are the parent directories this call created for `dir` (never ones
 * that were there before): `dir` is never half-written, and nothing is left.
 *
 * @param source - the archive bytes (a file stream, stdin, an HTTP body)
 * @param dir - the layout directory to create; it must not exist, or be empty
 * @param options - {@link ExtractArchiveOptions}
 * @returns the extracted layout, open
 * @throws {OciError} `PATH_INVALID` when `dir` exists and is not empty, or an
 *   entry escapes; `TAR_INVALID`, `LAYOUT_INVALID`, `DIGEST_MISMATCH` for a
 *   bad archive; `ABORTED`
 * @see https://github.com/opencontainers/image-spec/blob/main/image-layout.md
 */
export async function extractArchive(
  source: ReadableStream<Uint8Array>,
  dir: string,
  options: ExtractArchiveOptions = {},
): Promise<OciLayout> {
  const target = resolve(dir);
  const fsync = options.fsync ?? true;
  const { signal } = options;
  try {
    await checkTarget(target);
  } catch (error) {
    await source.cancel(error).catch(() => {});
    throw error;
  }
  const parent = dirname(target);
  const created = await mkdir(parent, { recursive: true });
  const temp = join(parent, `.${basename(target)}.${randomBytes(6).toString('hex')}.extract`);
  try {
    await mkdir(temp);
    const store = await FileStore.open(temp, { fsync, staleLockMs: options.staleLockMs });
    const files = new Map<string, Uint8Array>();
    const entries = readLayoutArchive(source, { signal, maxIndexSize: options.maxIndexSize });
    for await (const entry of entries) {
      if (entry.kind === 'blob') await store.push(entry.descriptor, entry.body, { signal });
      else files.set(entry.path, entry.bytes);
    }
    for (const [name, bytes] of files) await writeFileAtomic(join(temp, name), bytes, { fsync });
    await rename(temp, target);
    if (fsync) await syncDirectory(parent);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    if (created !== undefined) await removeCreated(parent, created);
    throw error;
  }
  return OciLayout.open(target, options);
}

/**
 * Removes the directories `mkdir -p` created, deepest first, from `deepest`
 * up to `first`. Only empty ones go (`rmdir`): one that another process has
 * put something in meanwhile stays, with its parents.
 */
async function removeCreated(deepest: string, first: string): Promise<void> {
  if (deepest !== first && !deepest.startsWith(`${first}${sep}`)) return;
  for (let dir = deepest; ; dir = dirname(dir)) {
    try {
      await rmdir(dir);
    } catch {
      return;
    }
    if (dir === first) return;
  }
}

async function checkTarget(target: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(target);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') {
      throw new OciError('PATH_INVALID', `Cannot extract into "${target}": it is a file`);
    }
    throw error;
  }
  if (names.length > 0) {
    throw new OciError('PATH_INVALID', `Cannot extract into "${target}": it is not empty`);
  }
}
