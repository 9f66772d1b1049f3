import { OciError } from '@ocikit/digest';
import { Annotation, type Descriptor } from '@ocikit/spec';

/** The media type oras gives a file pushed without one. */
export const DEFAULT_FILE_MEDIA_TYPE = 'application/vnd.oci.image.layer.v1.tar';

/** The media type oras gives a directory pushed without one: a tar archive, gzip-compressed. */
export const DEFAULT_DIRECTORY_MEDIA_TYPE = 'application/vnd.oci.image.layer.v1.tar+gzip';

/** oras' annotation of a directory layer: the digest of its uncompressed tar archive. */
export const CONTENT_DIGEST_ANNOTATION = 'io.deis.oras.content.digest';

/** oras' annotation of a directory layer: `"true"` asks a pull to unpack it into a directory. */
export const UNPACK_ANNOTATION = 'io.deis.oras.content.unpack';

/** The artifact type oras gives an artifact pushed without one (image-spec 1.1 manifests). */
export const DEFAULT_ARTIFACT_TYPE = 'application/vnd.unknown.artifact.v1';

/** A file named on a command line as oras writes it: `PATH` or `PATH:MEDIATYPE`. */
export interface ArtifactFileSpec {
  /** The file's path. */
  readonly path: string;
  /** Its media type, when one was given after the last `:`. */
  readonly mediaType?: string;
}

/**
 * Parses oras' file argument: `PATH:MEDIATYPE` splits at the last `:` (a
 * media type holds none), `PATH` alone has no media type.
 *
 * @param spec - such as `report.json:application/vnd.example.report+json` or `notes.txt`
 * @returns the path and media type
 * @throws {OciError} `OPTION_INVALID` for an empty path or an empty media type after `:`
 */
export function parseArtifactFile(spec: string): ArtifactFileSpec {
  const colon = spec.lastIndexOf(':');
  const path = colon < 0 ? spec : spec.slice(0, colon);
  const mediaType = colon < 0 ? undefined : spec.slice(colon + 1);
  if (path === '') throw new OciError('OPTION_INVALID', `File "${spec}" names no path`);
  if (mediaType === '') {
    throw new OciError('OPTION_INVALID', `File "${spec}" has an empty media type after ":"`);
  }
  return mediaType === undefined ? { path } : { path, mediaType };
}

/**
 * Checks a layer's `org.opencontainers.image.title` before it becomes a file
 * name under an output directory: a relative path of `/`-separated names,
 * none of them empty, `.` or `..`, with no NUL and no backslash. Where the
 * name lands (links on the way) is checked against the directory itself.
 *
 * @param title - the annotation's value
 * @returns the title, split into its names
 * @throws {OciError} `PATH_INVALID` naming the title and what is wrong with it
 */
export function titleSegments(title: string): string[] {
  const refuse = (why: string) =>
    new OciError('PATH_INVALID', `Layer title "${title}" is refused: ${why}`);
  if (title === '') throw refuse('it is empty');
  if (title.startsWith('/')) throw refuse('it is an absolute path');
  if (title.includes('\0')) throw refuse('it holds a NUL character');
  if (title.includes('\\')) throw refuse('it holds a backslash');
  const segments = title.split('/');
  for (const segment of segments) {
    if (segment === '..') throw refuse('it climbs out of the output directory with ".."');
    if (segment === '' || segment === '.') throw refuse('it has an empty or "." path segment');
  }
  return segments;
}

/** A layer of an artifact manifest with the title it is written under. */
export interface TitledLayer {
  /** The layer. */
  readonly descriptor: Descriptor;
  /** Its `org.opencontainers.image.title`. */
  readonly title: string;
  /** The title's names (see {@link titleSegments}). */
  readonly segments: readonly string[];
  /** Whether it is a directory to unpack (`io.deis.oras.content.unpack: "true"`), not a file. */
  readonly unpack: boolean;
}

/**
 * Splits an artifact's layers into those with a title (each checked with
 * {@link titleSegments}) and those
 * without, which oras does not write either. Two layers with one title, or
 * a title that another needs as its directory, are refused.
 *
 * @param layers - the manifest's layers
 * @returns the titled layers, in order, and the untitled ones
 * @throws {OciError} `PATH_INVALID` for a hostile, repeated or clashing title
 */
export function titledLayers(layers: readonly Descriptor[]): {
  titled: TitledLayer[];
  untitled: Descriptor[];
} {
  const titled: TitledLayer[] = [];
  const untitled: Descriptor[] = [];
  const seen = new Set<string>();
  for (const descriptor of layers) {
    const title = descriptor.annotations?.[Annotation.Title];
    if (title === undefined) {
      untitled.push(descriptor);
      continue;
    }
    const segments = titleSegments(title);
    const key = segments.join('/');
    if (seen.has(key)) {
      throw new OciError('PATH_INVALID', `Layer title "${title}" is used by two layers`);
    }
    seen.add(key);
    const unpack = descriptor.annotations?.[UNPACK_ANNOTATION] === 'true';
    titled.push({ descriptor, title, segments, unpack });
  }
  for (const { title, segments } of titled) {
    for (let end = 1; end < segments.length; end += 1) {
      if (seen.has(segments.slice(0, end).join('/'))) {
        throw new OciError(
          'PATH_INVALID',
          `Layer title "${title}" needs "${segments.slice(0, end).join('/')}" as a directory, which another layer's title names as a file`,
        );
      }
    }
  }
  return { titled, untitled };
}
