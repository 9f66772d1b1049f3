import { type Digest, OciError, parseDigest } from '@ocikit/digest';
import type { TarEntryType } from './tar-format.ts';

/** What an entry of a layout archive is. */
export type LayoutEntry =
  | { readonly kind: 'oci-layout' | 'index' | 'directory' | 'ignored'; readonly path: string }
  | { readonly kind: 'blob'; readonly path: string; readonly digest: Digest };

const CONTROL = /\p{Cc}/u;
const ALGORITHM = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*$/;
/** Files of a Docker 25+ `docker save` archive, which is an OCI layout plus these. */
const DOCKER_FILES = new Set(['manifest.json', 'repositories']);

/**
 * Normalizes the name of a tar entry to a relative slash path inside the
 * archive: a leading `./` and a trailing `/` are dropped; `.` or `''` is the
 * root. The name is checked, never resolved.
 *
 * @param name - the entry name as stored
 * @returns the normalized path (`''` for the root)
 * @throws {OciError} `PATH_INVALID` for an absolute path, a `..` segment, a
 *   backslash or a control character; `TAR_INVALID` for empty or `.` segments
 *   inside the path
 */
export function normalizeEntryName(name: string): string {
  if (CONTROL.test(name) || name.includes('\\')) {
    throw new OciError(
      'PATH_INVALID',
      `Tar entry ${JSON.stringify(name)} has a control character or backslash`,
    );
  }
  if (name.startsWith('/')) {
    throw new OciError('PATH_INVALID', `Tar entry "${name}" is an absolute path`);
  }
  let path = name;
  while (path.startsWith('./')) path = path.slice(2);
  if (path.endsWith('/')) path = path.slice(0, -1);
  if (path === '.' || path === '') return '';
  const segments = path.split('/');
  if (segments.includes('..')) {
    throw new OciError('PATH_INVALID', `Tar entry "${name}" escapes the archive with ".."`);
  }
  if (segments.some((segment) => segment === '' || segment === '.')) {
    throw new OciError('TAR_INVALID', `Tar entry "${name}" has an empty or "." path segment`);
  }
  return path;
}

/**
 * Classifies an entry of an OCI layout archive. Allowed are `oci-layout`,
 * `index.json` and `blobs/<algorithm>/<encoded>` (regular files), the
 * directories `.`, `blobs`, `blobs/<algorithm>`, and the `manifest.json` and
 * `repositories` files a Docker 25+ `docker save` adds (ignored).
 *
 * @param name - the entry name as stored
 * @param type - the entry type
 * @returns what the entry is
 * @throws {OciError} `PATH_INVALID` for a name that escapes (see
 *   {@link normalizeEntryName}); `TAR_INVALID` for links, devices, FIFOs and
 *   any other name or type, and for a blob name that is not a digest
 * @see https://github.com/opencontainers/image-spec/blob/main/image-layout.md#content
 */
export function classifyLayoutEntry(name: string, type: TarEntryType): LayoutEntry {
  const path = normalizeEntryName(name);
  if (type !== 'file' && type !== 'directory') {
    throw new OciError(
      'TAR_INVALID',
      `Tar entry "${name}" is a ${type}; a layout archive holds only files and directories`,
    );
  }
  const segments = path === '' ? [] : path.split('/');
  const [top, algorithm, encoded] = segments;
  if (type === 'directory') {
    const isBlobDir =
      top === 'blobs' && (algorithm === undefined || ALGORITHM.test(algorithm)) && !encoded;
    if (segments.length === 0 || isBlobDir) return { kind: 'directory', path };
  } else if (path === 'oci-layout') {
    return { kind: 'oci-layout', path };
  } else if (path === 'index.json') {
    return { kind: 'index', path };
  } else if (DOCKER_FILES.has(path)) {
    return { kind: 'ignored', path };
  } else if (segments.length === 3 && top === 'blobs' && algorithm && encoded) {
    return { kind: 'blob', path, digest: blobDigest(name, `${algorithm}:${encoded}`) };
  }
  throw new OciError(
    'TAR_INVALID',
    `Tar entry "${name}" (${type}) does not belong in an OCI layout`,
  );
}

/**
 * Checks that an archive does not hold a path twice.
 *
 * @param seen - the paths met so far (updated)
 * @param path - a normalized path
 * @throws {OciError} `TAR_INVALID` for a path met before (the root may repeat)
 */
export function checkUnique(seen: Set<string>, path: string): void {
  if (path === '') return;
  if (seen.has(path)) {
    throw new OciError('TAR_INVALID', `Tar entry "${path}" appears twice in the archive`);
  }
  seen.add(path);
}

function blobDigest(name: string, digest: string): Digest {
  try {
    return parseDigest(digest).digest;
  } catch (error) {
    throw new OciError('TAR_INVALID', `Tar entry "${name}" is not named by a valid digest`, {
      cause: error,
    });
  }
}
