import { lstat, mkdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { type Fetcher, notFound, type OperationOptions } from '@ocikit/content';
import { errnoCode, readFileStream, writeFileAtomic } from '@ocikit/content/fs';
import { digestStream, isOciError, OciError, streamFromBytes, verifyContent } from '@ocikit/digest';
import {
  Annotation,
  type Descriptor,
  EMPTY_DESCRIPTOR,
  type ParsedImageManifest,
} from '@ocikit/spec';
import {
  type ArtifactFileSpec,
  DEFAULT_FILE_MEDIA_TYPE,
  type TitledLayer,
} from './artifact-titles.ts';
import type { LocationTarget } from './locations.node.ts';

/**
 * Describes local files as the layers of an artifact, as oras does: each
 * file's digest and size (read once to hash it), its media type (oras'
 * default when none is given), and `org.opencontainers.image.title` set to
 * its base name. Two files with one base name are refused.
 *
 * @param files - the files and their media types
 * @param options - `signal`
 * @returns one layer descriptor per file, in order
 * @throws {OciError} `PATH_INVALID` for a missing file, a directory or a
 *   special file, or two files with one base name; `OPTION_INVALID` for no files
 */
export async function describeFiles(
  files: readonly ArtifactFileSpec[],
  options: OperationOptions = {},
): Promise<Descriptor[]> {
  if (files.length === 0)
    throw new OciError('OPTION_INVALID', 'An artifact needs at least one file');
  const titles = new Set<string>();
  const layers: Descriptor[] = [];
  for (const file of files) {
    const title = basename(file.path);
    if (titles.has(title)) {
      throw new OciError(
        'PATH_INVALID',
        `Two files are named "${title}"; each title must be unique`,
      );
    }
    titles.add(title);
    const { digest, size } = await digestStream(await openFile(file.path), options);
    layers.push({
      mediaType: file.mediaType ?? DEFAULT_FILE_MEDIA_TYPE,
      digest,
      size,
      annotations: { [Annotation.Title]: title },
    });
  }
  return layers;
}

/**
 * The source a copy reads an artifact from: the manifest and the empty
 * config from memory, each layer from its file (read again, so a file
 * changed since {@link describeFiles} fails the copy's verification).
 *
 * @param manifest - the artifact manifest
 * @param files - the files, in the order of the manifest's layers
 * @returns a fetcher of exactly that content
 */
export function artifactSource(
  manifest: ParsedImageManifest,
  files: readonly ArtifactFileSpec[],
): Fetcher {
  const inMemory = new Map<string, Uint8Array>([
    [manifest.digest, manifest.bytes],
    [EMPTY_DESCRIPTOR.digest, new TextEncoder().encode('{}')],
  ]);
  const paths = new Map(
    manifest.value.layers.map((layer, index) => [layer.digest, files[index]?.path]),
  );
  return {
    async fetch(descriptor) {
      const bytes = inMemory.get(descriptor.digest);
      if (bytes !== undefined) return streamFromBytes(bytes);
      const path = paths.get(descriptor.digest);
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

/**
 * The coded form of a file system error (`ENOENT`, `EACCES`, …) about a
 * path: `PATH_INVALID` naming the path and the errno code; an `OciError`
 * stays as it is.
 */
function pathError(error: unknown, path: string, doing: 'read' | 'write'): unknown {
  if (isOciError(error)) return error;
  const code = errnoCode(error);
  if (code === undefined) return error;
  const message =
    code === 'ENOENT' && doing === 'read'
      ? `File "${path}" does not exist`
      : `Cannot ${doing} "${path}" (${code})`;
  return new OciError('PATH_INVALID', message, { cause: error });
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
 * directory, a FIFO). Nothing is created.
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
      const fits = last ? info.isFile() : info.isDirectory();
      if (!fits) {
        const what = info.isSymbolicLink()
          ? 'a symbolic link'
          : last
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
 * only when whole (a failure leaves the old file, or none).
 *
 * @param source - where the layer is
 * @param file - the plan of {@link planFiles}
 * @param options - `signal`
 * @throws {OciError} `DIGEST_MISMATCH`, `SIZE_MISMATCH`; `PATH_INVALID` when
 *   a directory on the way was replaced meanwhile; the source's errors
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
