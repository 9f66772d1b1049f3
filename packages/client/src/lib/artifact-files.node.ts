import { lstat, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { type Fetcher, notFound, type OperationOptions } from '@ocikit/content';
import { errnoCode, readFileStream, writeFileAtomic } from '@ocikit/content/fs';
import { digestStream, OciError, streamFromBytes, verifyContent } from '@ocikit/digest';
import {
  Annotation,
  type Descriptor,
  EMPTY_DESCRIPTOR,
  type ParsedImageManifest,
} from '@ocikit/spec';
import { packDirectory } from './artifact-directory-pack.node.ts';
import { unpackDirectory } from './artifact-directory-unpack.node.ts';
import { pathError } from './artifact-path-error.node.ts';
import {
  type ArtifactFileSpec,
  CONTENT_DIGEST_ANNOTATION,
  DEFAULT_DIRECTORY_MEDIA_TYPE,
  DEFAULT_FILE_MEDIA_TYPE,
  type TitledLayer,
  UNPACK_ANNOTATION,
} from './artifact-titles.ts';
import type { LocationTarget } from './locations.node.ts';

/** Options of {@link describeFiles}. */
export interface DescribeFilesOptions extends OperationOptions {
  /**
   * Keep modification times in the archive of a directory (which is then
   * no longer reproducible).
   * @default false
   */
  preserveTimes?: boolean;
}

/** The layers {@link describeFiles} made, and where their bytes are. */
export interface DescribedFiles {
  /** One layer descriptor per file or directory, in order. */
  readonly layers: Descriptor[];
  /** The file to read each layer from: the file itself, or a directory's packed archive. */
  readonly paths: string[];
  /** Removes the packed archives; call it once the layers were pushed (or not). */
  dispose(): Promise<void>;
}

/**
 * Describes local files and directories as the layers of an artifact, as
 * oras does: each file's digest and size (read once to hash it), its media
 * type (oras' default when none is given), and
 * `org.opencontainers.image.title` set to its base name; a directory is
 * packed into a gzip-compressed tar archive in a temp directory (see
 * {@link packDirectory}), its layer annotated with
 * `io.deis.oras.content.digest` (the tar's digest) and
 * `io.deis.oras.content.unpack: "true"`, its media type
 * `application/vnd.oci.image.layer.v1.tar+gzip` unless one is given. Two
 * entries with one base name are refused.
 *
 * @param files - the files and directories, and their media types
 * @param options - {@link DescribeFilesOptions}
 * @returns the layers, and where their bytes are
 * @throws {OciError} `PATH_INVALID` for a missing or special file, a
 *   directory that cannot be packed, or two entries with one base name;
 *   `OPTION_INVALID` for no files; `ABORTED`
 */
export async function describeFiles(
  files: readonly ArtifactFileSpec[],
  options: DescribeFilesOptions = {},
): Promise<DescribedFiles> {
  if (files.length === 0)
    throw new OciError('OPTION_INVALID', 'An artifact needs at least one file');
  const titles = new Set<string>();
  const layers: Descriptor[] = [];
  const paths: string[] = [];
  let packed: string | undefined;
  const dispose = async () => {
    if (packed !== undefined) await rm(packed, { recursive: true, force: true });
  };
  try {
    for (const file of files) {
      const title = basename(resolve(file.path));
      if (titles.has(title)) {
        throw new OciError(
          'PATH_INVALID',
          `Two files are named "${title}"; each title must be unique`,
        );
      }
      titles.add(title);
      const info = await stat(file.path).catch((error: unknown) => {
        throw pathError(error, file.path, 'read');
      });
      if (!info.isDirectory()) {
        const { digest, size } = await digestStream(await openFile(file.path), options);
        layers.push({
          mediaType: file.mediaType ?? DEFAULT_FILE_MEDIA_TYPE,
          digest,
          size,
          annotations: { [Annotation.Title]: title },
        });
        paths.push(file.path);
        continue;
      }
      packed ??= await mkdtemp(join(tmpdir(), 'ocikit-artifact-'));
      const archive = join(packed, `${layers.length}.tar.gz`);
      const { digest, size, tarDigest } = await packDirectory(file.path, title, archive, options);
      layers.push({
        mediaType: file.mediaType ?? DEFAULT_DIRECTORY_MEDIA_TYPE,
        digest,
        size,
        annotations: {
          [Annotation.Title]: title,
          [CONTENT_DIGEST_ANNOTATION]: tarDigest,
          [UNPACK_ANNOTATION]: 'true',
        },
      });
      paths.push(archive);
    }
  } catch (error) {
    await dispose();
    throw error;
  }
  return { layers, paths, dispose };
}

/**
 * The source a copy reads an artifact from: the manifest and the empty
 * config from memory, each layer from its file (read again, so a file
 * changed since {@link describeFiles} fails the copy's verification).
 *
 * @param manifest - the artifact manifest
 * @param paths - the files to read the layers from, in the order of the manifest's layers
 * @returns a fetcher of exactly that content
 */
export function artifactSource(manifest: ParsedImageManifest, paths: readonly string[]): Fetcher {
  const inMemory = new Map<string, Uint8Array>([
    [manifest.digest, manifest.bytes],
    [EMPTY_DESCRIPTOR.digest, new TextEncoder().encode('{}')],
  ]);
  const byDigest = new Map(
    manifest.value.layers.map((layer, index) => [layer.digest, paths[index]]),
  );
  return {
    async fetch(descriptor) {
      const bytes = inMemory.get(descriptor.digest);
      if (bytes !== undefined) return streamFromBytes(bytes);
      const path = byDigest.get(descriptor.digest);
      if (path === undefined) throw notFound(descriptor);
      return openFile(path);
    },
  };
}

/** A regular file's bytes; a missing or odd file is a coded error. */
async function openFile(path: string): Promise<ReadableStream<Uint8Array>> {
  try {
    return await readFileStream(path);
  } catch (error) {
    throw pathError(error, path, 'read');
  }
}

/** Where a titled layer is written, checked before anything is written. */
export interface PlannedFile {
  /** The layer. */
  readonly layer: TitledLayer;
  /** The absolute path of the file. */
  readonly path: string;
  /** The directories to create on the way, outermost first. */
  readonly directories: readonly string[];
}

/**
 * Plans where each titled layer goes under an output directory, refusing
 * any path that passes through a symbolic link, a file where a directory is
 * needed, or lands on something other than a regular file (a link, a
 * directory, a FIFO) — or, for a directory layer, on anything but an
 * empty directory (a pull never replaces or merges into a directory that
 * holds something). Nothing is created.
 *
 * @param dir - the output directory (it may be a link; nothing inside it is followed)
 * @param layers - the titled layers, titles already checked
 * @returns the plan, one entry per layer
 * @throws {OciError} `PATH_INVALID` naming the title and what is in the way
 */
export async function planFiles(
  dir: string,
  layers: readonly TitledLayer[],
): Promise<PlannedFile[]> {
  const root = resolve(dir);
  const planned: PlannedFile[] = [];
  for (const layer of layers) {
    const directories: string[] = [];
    let current = root;
    for (const [position, segment] of layer.segments.entries()) {
      current = join(current, segment);
      const last = position === layer.segments.length - 1;
      const info = await lstat(current).catch((error: unknown) => {
        if (errnoCode(error) === 'ENOENT') return undefined;
        throw pathError(error, current, 'read');
      });
      if (info === undefined) {
        if (!last) directories.push(current);
        continue;
      }
      if (last && layer.unpack && info.isDirectory() && (await readdir(current)).length > 0) {
        throw new OciError(
          'PATH_INVALID',
          `Layer title "${layer.title}" is refused: the directory "${current}" already exists and is not empty`,
        );
      }
      const fits = last && !layer.unpack ? info.isFile() : info.isDirectory();
      if (!fits) {
        const what = info.isSymbolicLink()
          ? 'a symbolic link'
          : last && !layer.unpack
            ? 'not a regular file'
            : 'not a directory';
        throw new OciError(
          'PATH_INVALID',
          `Layer title "${layer.title}" is refused: "${current}" is ${what}`,
        );
      }
    }
    planned.push({ layer, path: current, directories });
  }
  return planned;
}

/**
 * Writes one planned file from a source: verified against its descriptor
 * while it streams, into a temp file beside the target, renamed into place
 * only when whole (a failure leaves the old file, or none). A directory
 * layer is unpacked the same way, through a temp directory (see
 * {@link unpackDirectory}), its tar checked against
 * `io.deis.oras.content.digest`.
 *
 * @param source - where the layer is
 * @param file - the plan of {@link planFiles}
 * @param options - `signal`
 * @throws {OciError} `DIGEST_MISMATCH`, `SIZE_MISMATCH`; `PATH_INVALID` when
 *   a directory on the way was replaced meanwhile or an archive entry
 *   escapes; `TAR_INVALID` for a bad archive; the source's errors
 */
export async function writePlannedFile(
  source: LocationTarget,
  file: PlannedFile,
  options: OperationOptions,
): Promise<void> {
  for (const directory of file.directories) {
    await makeDirectory(directory);
  }
  const { descriptor } = file.layer;
  const stream = await source.fetch(descriptor, options);
  if (file.layer.unpack) {
    await unpackDirectory(verifyContent(stream, descriptor), file.path, {
      title: file.layer.title,
      tarDigest: descriptor.annotations?.[CONTENT_DIGEST_ANNOTATION],
      signal: options.signal,
    });
    return;
  }
  await writeFileAtomic(file.path, verifyContent(stream, descriptor), {
    signal: options.signal,
  }).catch((error: unknown) => {
    throw pathError(error, file.path, 'write');
  });
}

/**
 * Creates the output directory of a pull, with its parents, when missing.
 *
 * @param dir - the directory
 * @throws {OciError} `PATH_INVALID` when it cannot be made (a file in the way, no permission)
 */
export async function makeOutputDirectory(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true }).catch((error: unknown) => {
    throw pathError(error, dir, 'write');
  });
}

/** Creates one directory on a file's way, accepting one made meanwhile, never a link. */
async function makeDirectory(directory: string): Promise<void> {
  try {
    await mkdir(directory);
  } catch (error) {
    if (errnoCode(error) !== 'EEXIST') throw pathError(error, directory, 'write');
    if (!(await lstat(directory)).isDirectory()) {
      throw new OciError('PATH_INVALID', `"${directory}" is no longer a directory`);
    }
  }
}
