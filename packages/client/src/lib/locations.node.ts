import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  type ExistenceChecker,
  type Fetcher,
  MemoryStore,
  type OperationOptions,
  type Resolver,
  type Target,
} from '@ocikit/content';
import { openRegularFile, readAt, readRange, writeFileAtomic } from '@ocikit/content/fs';
import { isOciError, OciError } from '@ocikit/digest';
import { type Compression, createDockerArchive, detectCompression } from '@ocikit/layout';
import { extractArchive, importDockerArchive, OciArchive, OciLayout } from '@ocikit/layout/fs';
import {
  type DockerArchiveLocation,
  formatLocation,
  type LayoutLocation,
  type Location,
  parseLocation,
} from '@ocikit/reference';
import { Repository, type RepositoryOptions } from '@ocikit/registry';
import type { Descriptor, ImageIndex } from '@ocikit/spec';

/** Whether a location is opened to read from it or to write into it. */
export type OpenMode = 'read' | 'write';

/** What every opened location can do: fetch, check and resolve content. */
export type LocationTarget = Fetcher & ExistenceChecker & Resolver;

/**
 * A location opened as a Target. Capabilities beyond reading (`tags`,
 * `referrers`, `delete`, `untag`) are detected with the type guards of
 * `@ocikit/content` (`isTagLister`, `isDeleter`, …).
 */
export interface OpenedLocation<M extends OpenMode = OpenMode> {
  /** The parsed location. */
  readonly location: Location;
  /** The location written back as a string (`formatLocation`), for messages. */
  readonly name: string;
  /** The content: a registry `Repository`, an `OciLayout`, an `OciArchive`, or a staging layout. */
  readonly target: M extends 'write' ? LocationTarget & Target : LocationTarget;
  /** The tag, digest or ref name the location names; `undefined` when it names none. */
  readonly reference: string | undefined;
  /**
   * The tag or ref name the location names: the one a copy into it sets, and
   * the one a copy from it hands on to a layout that names none; `undefined`
   * for a digest, a registry repository without tag, or a Docker archive
   * destination (named by its `repoTags`).
   */
  readonly tag: string | undefined;
  /**
   * The manifest the location names: `reference` resolved, or the only
   * image of a layout or archive that names none.
   *
   * @param options - `signal`; `fetch`: for a registry, `GET` the manifest
   *   (a `HEAD` otherwise) and keep it for the next read of it, a copy's
   *   (`ResolveOptions` of `@ocikit/registry`)
   * @returns its descriptor
   * @throws {OciError} `MANIFEST_UNKNOWN`; `REFERENCE_INVALID` when a layout
   *   holds several images and the location names none
   */
  root(options?: OperationOptions & { fetch?: boolean }): Promise<Descriptor>;
  /**
   * Finishes a write: an archive is written from the staging layout to its
   * file, atomically (nothing is written before this, and a failure leaves
   * no file). A no-op for registries and layout directories.
   *
   * @param root - the manifest copied in
   * @param options - `signal`; `platform` picks the image of an index for a Docker archive
   */
  commit(root: Descriptor, options?: CommitOptions): Promise<void>;
  /** Releases the location: closes files and removes staging directories. Safe to call twice. */
  close(): Promise<void>;
}

/** Options of {@link OpenedLocation.commit}. */
export interface CommitOptions extends OperationOptions {
  /**
   * The platform whose image a Docker archive gets when `root` is an index,
   * such as `linux/amd64`.
   * @default undefined (an index is refused)
   */
  platform?: string;
}

/** What opening a location needs from the client. */
export interface OpenContext {
  /** Options of every `Repository` opened (the shared transport). */
  readonly repository: RepositoryOptions;
  /** Where staging directories go. */
  readonly tempDir: string | undefined;
}

/** Options of {@link openLocation}. */
export interface OpenLocationOptions extends OperationOptions {
  /**
   * `read` opens what exists, read-only; `write` creates a layout directory
   * when missing and stages archives for {@link OpenedLocation.commit}.
   * @default 'read'
   */
  mode?: OpenMode;
  /**
   * Give a registry reference without tag or digest the tag `latest` (as
   * skopeo does); `false` keeps it name-only, to list its tags.
   * @default true
   */
  defaultTag?: boolean;
}

const FORMS =
  'docker://REF or REF (a registry), oci:DIR[:REF], ocidir://DIR[:TAG][@DIGEST], ' +
  'oci-archive:FILE[:REF], ocifile://FILE[:TAG][@DIGEST], docker-archive:FILE[:NAME:TAG]';

/**
 * Parses a location string, saying which forms are accepted when it is bad.
 *
 * @param input - the location
 * @param defaultTag - whether a registry reference gets `latest`
 * @returns the location
 * @throws {OciError} `REFERENCE_INVALID` listing the accepted forms
 */
export function parseClientLocation(input: string, defaultTag = true): Location {
  try {
    return parseLocation(input, { defaultTag: defaultTag ? 'latest' : false });
  } catch (error) {
    if (!isOciError(error, 'REFERENCE_INVALID')) throw error;
    throw new OciError('REFERENCE_INVALID', `${error.message}; accepted forms: ${FORMS}`, {
      cause: error,
    });
  }
}

/**
 * Opens a location string as a Target (see {@link OpenedLocation}).
 *
 * @param input - such as `docker://ghcr.io/org/app:v1`, `alpine`, `oci:out:v1`,
 *   `oci-archive:img.tar`, `docker-archive:img.tar:app:v1`
 * @param context - the client's repository options and temp dir
 * @param options - {@link OpenLocationOptions}
 * @returns the opened location; {@link OpenedLocation.close} it when done
 * @throws {OciError} `REFERENCE_INVALID` for a bad location; `LAYOUT_INVALID`
 *   for a missing layout or archive read; `TAR_INVALID`; `UNSUPPORTED` for
 *   writing into an `oci-archive:` or `docker-archive:` that names a digest
 */
export async function openWithContext<M extends OpenMode = 'read'>(
  input: string,
  context: OpenContext,
  options: OpenLocationOptions & { mode?: M } = {},
): Promise<OpenedLocation<M>> {
  const location = parseClientLocation(input, options.defaultTag ?? true);
  const write = options.mode === 'write';
  const opened = await openParsed(location, context, write, options.signal);
  return opened as OpenedLocation<M>;
}

async function openParsed(
  location: Location,
  context: OpenContext,
  write: boolean,
  signal: AbortSignal | undefined,
): Promise<OpenedLocation> {
  const name = formatLocation(location);
  if (location.kind === 'registry') {
    const { reference } = location;
    const repository = new Repository(
      { registry: reference.registry, repository: reference.repository },
      context.repository,
    );
    return opened(location, name, repository, reference.digest ?? reference.tag, {
      tag: reference.tag,
    });
  }
  if (location.kind === 'docker-archive') {
    return write
      ? stagedDockerArchive(location, name, context)
      : importedDockerArchive(location, name, context, signal);
  }
  const reference = location.digest ?? location.tag;
  if (location.kind === 'ocidir') {
    const layout = await OciLayout.open(location.path, { create: write, readOnly: !write, signal });
    return opened(location, name, layout, reference, { tag: location.tag });
  }
  if (!write) {
    if ((await archiveCompression(location.path)) !== 'none') {
      return extractedArchive(location, name, reference, context, signal);
    }
    const archive = await OciArchive.open(location.path, { signal });
    return opened(location, name, archive, reference, { close: () => archive.close() });
  }
  if (location.digest !== undefined) {
    throw new OciError('UNSUPPORTED', `Cannot write into "${name}": an archive is named by tag`);
  }
  const staging = await stagingLayout(context);
  const file = resolve(location.path);
  return opened(location, name, staging.layout, location.tag, {
    tag: location.tag,
    commit: (_root, commit) => staging.layout.writeArchive(file, commit),
    close: staging.remove,
  });
}

/**
 * A layout directory location that does not exist yet, opened as an empty
 * store: what a dry run compares against, without creating the directory.
 *
 * @param input - the location, such as `oci:out:v1`
 * @returns the opened location over an empty `MemoryStore`
 * @throws {OciError} `REFERENCE_INVALID` for a bad location
 */
export function openEmptyLocation(input: string): OpenedLocation<'write'> {
  const location = parseClientLocation(input);
  const tag = location.kind === 'ocidir' ? location.tag : undefined;
  const reference = location.kind === 'ocidir' ? (location.digest ?? location.tag) : undefined;
  return opened(location, formatLocation(location), new MemoryStore(), reference, {
    tag,
  }) as OpenedLocation<'write'>;
}

interface Extras {
  tag?: string | undefined;
  commit?: (root: Descriptor, options: CommitOptions) => Promise<void>;
  close?: () => Promise<void>;
}

function opened(
  location: Location,
  name: string,
  target: LocationTarget,
  reference: string | undefined,
  extras: Extras,
): OpenedLocation {
  let closed = false;
  return {
    location,
    name,
    target: target as LocationTarget & Target,
    reference,
    tag: extras.tag,
    root: (options = {}) =>
      reference === undefined
        ? onlyImage(target, name, options)
        : target.resolve(reference, options),
    commit: async (root, options = {}) => {
      await extras.commit?.(root, options);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await extras.close?.();
    },
  };
}

/** The only manifest of a layout or archive's `index.json`. */
async function onlyImage(
  target: LocationTarget,
  name: string,
  options: OperationOptions,
): Promise<Descriptor> {
  const reader = target as Partial<{ readIndex(o: OperationOptions): Promise<ImageIndex> }>;
  if (typeof reader.readIndex !== 'function') {
    throw new OciError('REFERENCE_INVALID', `Location "${name}" names no tag or digest`);
  }
  const roots = new Map(
    (await reader.readIndex(options)).manifests.map((entry) => [entry.digest, entry]),
  );
  const [only, ...others] = roots.values();
  if (only === undefined) throw new OciError('MANIFEST_UNKNOWN', `"${name}" holds no image`);
  if (others.length > 0) {
    throw new OciError(
      'REFERENCE_INVALID',
      `"${name}" holds ${roots.size} images; name one by its tag (such as "${name}:latest")`,
    );
  }
  return { mediaType: only.mediaType, digest: only.digest, size: only.size };
}

interface Staging {
  readonly layout: OciLayout;
  readonly remove: () => Promise<void>;
}

/** A new empty temp directory, removed by `remove`. */
async function stagingDir(
  context: OpenContext,
): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(context.tempDir ?? tmpdir(), 'ocikit-client-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A new OCI layout in a temp directory, removed by `remove`. */
async function stagingLayout(context: OpenContext): Promise<Staging> {
  const { dir, remove } = await stagingDir(context);
  try {
    const layout = await OciLayout.open(dir, { create: true, fsync: false });
    return { layout, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

/**
 * The compression of an archive file, from its first bytes (not its name);
 * `none` when it cannot be opened, for `OciArchive.open` to say why.
 */
async function archiveCompression(path: string): Promise<Compression> {
  const file = await openRegularFile(resolve(path)).catch(() => undefined);
  if (file === undefined) return 'none';
  try {
    return detectCompression(await readAt(file.handle, 0, 4));
  } finally {
    await file.handle.close();
  }
}

/**
 * A compressed `oci-archive` as a source (a `.tar.gz`, as skopeo reads
 * them): a tar+gzip cannot be read in place, so it is streamed once through
 * gunzip into a staging layout, every blob verified (`extractArchive`).
 * zstd is refused there (`TAR_INVALID`): Node 20 has no zstd decompressor.
 */
async function extractedArchive(
  location: LayoutLocation,
  name: string,
  reference: string | undefined,
  context: OpenContext,
  signal: AbortSignal | undefined,
): Promise<OpenedLocation> {
  const staging = await stagingDir(context);
  try {
    const path = resolve(location.path);
    const file = await openRegularFile(path);
    let layout: OciLayout;
    try {
      layout = await extractArchive(
        readRange(file.handle, 0, file.size),
        join(staging.dir, 'layout'),
        {
          fsync: false,
          readOnly: true,
          ...(signal === undefined ? {} : { signal }),
        },
      ).catch((error: unknown) => {
        if (!(error instanceof OciError) || error.code === 'ABORTED') throw error;
        throw new OciError(error.code, `Archive "${path}": ${error.message}`, { cause: error });
      });
    } finally {
      await file.handle.close();
    }
    return opened(location, name, layout, reference, { close: staging.remove });
  } catch (error) {
    await staging.remove();
    throw error;
  }
}

/** A Docker archive as a source: its images imported into a staging layout. */
async function importedDockerArchive(
  location: DockerArchiveLocation,
  name: string,
  context: OpenContext,
  signal: AbortSignal | undefined,
): Promise<OpenedLocation> {
  const staging = await stagingLayout(context);
  try {
    const images = await importDockerArchive(location.path, staging.layout, {
      tag: false,
      ...(signal === undefined ? {} : { signal }),
    });
    const wanted = location.reference?.toString();
    const matching =
      wanted === undefined ? images : images.filter((image) => image.repoTags.includes(wanted));
    const [image, ...others] = matching;
    if (image === undefined) {
      const names = images.flatMap((each) => each.repoTags).join(', ') || 'no names';
      throw new OciError(
        'MANIFEST_UNKNOWN',
        `"${name}" holds no image ${wanted === undefined ? '' : `named "${wanted}" `}(it has ${names})`,
      );
    }
    if (others.length > 0) {
      throw new OciError(
        'REFERENCE_INVALID',
        `"${name}" holds ${matching.length} images; name one: docker-archive:${location.path}:NAME:TAG`,
      );
    }
    return opened(location, name, staging.layout, image.descriptor.digest, {
      tag: location.reference?.tag,
      close: staging.remove,
    });
  } catch (error) {
    await staging.remove();
    throw error;
  }
}

/** A Docker archive as a destination: a staging layout, written as the archive on commit. */
async function stagedDockerArchive(
  location: DockerArchiveLocation,
  name: string,
  context: OpenContext,
): Promise<OpenedLocation> {
  const staging = await stagingLayout(context);
  const file = resolve(location.path);
  const repoTags = location.reference === undefined ? [] : [location.reference.toString()];
  return opened(location, name, staging.layout, undefined, {
    commit: async (root, options) => {
      const stream = await createDockerArchive(staging.layout, root, {
        repoTags,
        ...(options.platform === undefined ? {} : { platform: options.platform }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      await writeFileAtomic(file, stream, { signal: options.signal });
    },
    close: staging.remove,
  });
}
