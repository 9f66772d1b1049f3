import { link, lstat, mkdir, readdir, rename, stat, utimes } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type {
  OperationOptions,
  RangeFetchOptions,
  ReferrerListOptions,
  TagListOptions,
} from '@ocikit/content';
import {
  errnoCode,
  type GcOptions,
  type GcResult,
  removeStaleFiles,
  syncDirectory,
} from '@ocikit/content/fs';
import { isOciError, OciError, parseDigest } from '@ocikit/digest';
import { OciLayout } from '@ocikit/layout/fs';
import { isTag } from '@ocikit/reference';
import { DEFAULT_MAX_MANIFEST_SIZE, type Descriptor, isManifestMediaType } from '@ocikit/spec';
import { FileSpool } from './file-spool.node.ts';
import type {
  RegistryStorage,
  RepositoryLookupOptions,
  RepositoryStorage,
  StatOptions,
  UploadSpool,
} from './storage.ts';

const LAYOUT_FILE = 'oci-layout';
const INDEX_FILE = 'index.json';
const UPLOADS_DIR = '.uploads';
/** How long an untouched upload spool lives before `gc` removes it, as for the stores' unfinished writes: one day. */
const DEFAULT_STALE_WRITE_MS = 24 * 60 * 60 * 1000;
/** How long `gc` keeps unreachable blobs as part of a push in progress. */
const DEFAULT_GC_GRACE_MS = 60 * 60 * 1000;
/**
 * With `fsync`, how many bytes an upload spool writes between two background
 * syncs: a commit then flushes at most about this much before its rename.
 */
const SYNC_EVERY = 8 * 1024 * 1024;

/** One repository of a {@link DirectoryRegistryStorage}: an OCI image layout. */
class LayoutRepository implements RepositoryStorage {
  readonly #layout: OciLayout;

  constructor(layout: OciLayout) {
    this.#layout = layout;
  }

  fetch(descriptor: Descriptor, options?: OperationOptions) {
    return this.#layout.fetch(descriptor, options);
  }

  fetchRange(descriptor: Descriptor, options: RangeFetchOptions) {
    return this.#layout.fetchRange(descriptor, options);
  }

  exists(descriptor: Descriptor, options?: OperationOptions) {
    return this.#layout.exists(descriptor, options);
  }

  push(descriptor: Descriptor, content: ReadableStream<Uint8Array>, options?: OperationOptions) {
    return this.#layout.push(descriptor, content, options);
  }

  resolve(reference: string, options?: OperationOptions) {
    return this.#layout.resolve(reference, options);
  }

  tag(descriptor: Descriptor, reference: string, options?: OperationOptions) {
    return this.#layout.tag(descriptor, reference, options);
  }

  untag(reference: string, options?: OperationOptions) {
    return this.#layout.untag(reference, options);
  }

  /** The layout's tags that are registry tags (ref names such as `example.com/app:v1` are left out). */
  async *tags(options?: TagListOptions): AsyncIterable<string> {
    for await (const tag of this.#layout.tags(options)) if (isTag(tag)) yield tag;
  }

  referrers(subject: Descriptor, options?: ReferrerListOptions) {
    return this.#layout.referrers(subject, options);
  }

  delete(descriptor: Descriptor, options?: OperationOptions) {
    return this.#layout.delete(descriptor, options);
  }

  gc(options: GcOptions) {
    return this.#layout.gc(options);
  }

  /**
   * {@inheritDoc RepositoryStorage.stat} Unless `mediaType: false`, a blob
   * small enough to be a manifest is looked up in the layout to tell its
   * media type.
   */
  async stat(digest: string, options: StatOptions = {}): Promise<Descriptor | undefined> {
    const { algorithm, encoded } = parseDigest(digest);
    const size = await fileSize(join(this.#layout.root, 'blobs', algorithm, encoded));
    if (size === undefined) return undefined;
    if (options.mediaType !== false && size <= DEFAULT_MAX_MANIFEST_SIZE) {
      try {
        const found = await this.#layout.resolve(digest, options);
        if (isManifestMediaType(found.mediaType)) return found;
      } catch (error) {
        if (!isOciError(error, 'MANIFEST_UNKNOWN')) throw error;
      }
    }
    return { mediaType: 'application/octet-stream', digest: parseDigest(digest).digest, size };
  }
}

/** What {@link DirectoryRegistryStorage.gc} did in one repository. */
export interface RepositoryGcResult extends GcResult {
  /** The repository name. */
  readonly repository: string;
}

/** Options of {@link DirectoryRegistryStorage}. */
export interface DirectoryStorageOptions {
  /**
   * `fsync` blobs and `index.json` before they are renamed into place. An
   * upload's spool is also synced in the background while it streams, so
   * the sync before its commit only has the last few MiB to flush.
   * @default true
   */
  fsync?: boolean;
}

/**
 * Registry storage in a directory: the repository `team/app` is a plain OCI
 * image layout at `<root>/team/app` (so skopeo, umoci and `OciLayout` read
 * what was pushed, and layouts they wrote are served). Uploads wait in
 * temp files under `<root>/.uploads`. Repositories cannot nest: `team` and
 * `team/app` cannot both be repositories. A cross-repository mount is a
 * hard link, so mounted blobs are stored once.
 */
export class DirectoryRegistryStorage implements RegistryStorage {
  /** The absolute root directory. */
  readonly root: string;
  readonly #options: DirectoryStorageOptions;
  readonly #open = new Map<string, Promise<LayoutRepository>>();

  /**
   * @param root - the directory; made when the first repository is
   * @param options - {@link DirectoryStorageOptions}
   */
  constructor(root: string, options: DirectoryStorageOptions = {}) {
    this.root = resolve(root);
    this.#options = options;
  }

  /** {@inheritDoc @ocikit/server!RegistryStorage.repository} */
  repository(
    name: string,
    options: RepositoryLookupOptions = {},
  ): Promise<RepositoryStorage | undefined> {
    return this.#layoutRepository(name, options.create ?? false);
  }

  /**
   * Garbage collection of every repository: removes the blobs and manifests
   * that no tag (and no referrer entry) of its `index.json` reaches, and
   * unfinished writes, and the spool files of upload sessions untouched for
   * `staleWriteMs` (left by a crash or a restart: no session owns them).
   * It may run while clients push: the content of a push in progress (its
   * layers land, or are mounted, before the manifest that references them;
   * an index's manifests before the index) is not reachable yet, so
   * unreachable blobs written or mounted within `keepNewerThanMs` (an hour
   * unless given) stay for a later collection. A push that takes longer
   * than that between a blob and its manifest may lose the blob (the
   * manifest is then refused with `MANIFEST_BLOB_UNKNOWN`, and pushing
   * again repairs it).
   *
   * @param options - `GcOptions` of `@ocikit/content/fs` (`dryRun`, `staleWriteMs`, `keepNewerThanMs`, `signal`)
   * @returns what was removed and kept, per repository
   */
  async gc(options: GcOptions = {}): Promise<RepositoryGcResult[]> {
    const results: RepositoryGcResult[] = [];
    const settings = {
      ...options,
      keepNewerThanMs: options.keepNewerThanMs ?? DEFAULT_GC_GRACE_MS,
    };
    for await (const name of this.repositories()) {
      const repository = await this.#layoutRepository(name, false);
      if (repository) results.push({ repository: name, ...(await repository.gc(settings)) });
    }
    const uploads = join(this.root, UPLOADS_DIR);
    if ((await lstat(uploads).catch(() => undefined))?.isDirectory()) {
      await removeStaleFiles(uploads, {
        matches: () => true,
        maxAgeMs: options.staleWriteMs ?? DEFAULT_STALE_WRITE_MS,
        dryRun: options.dryRun ?? false,
      });
    }
    return results;
  }

  async #layoutRepository(name: string, create: boolean): Promise<LayoutRepository | undefined> {
    const opened = this.#open.get(name);
    if (opened) return opened;
    const dir = this.#inside(name);
    const exists = (await fileSize(join(dir, LAYOUT_FILE))) !== undefined;
    if (!exists && !create) return undefined;
    // A layout another process is creating has its oci-layout before its
    // index.json: to a reader, it does not exist yet.
    if (!create && (await fileSize(join(dir, INDEX_FILE))) === undefined) return undefined;
    if (!exists) await this.#assertNotNested(name, dir);
    const opening = OciLayout.open(dir, {
      create,
      ...(this.#options.fsync === undefined ? {} : { fsync: this.#options.fsync }),
    }).then((layout) => new LayoutRepository(layout));
    this.#open.set(name, opening);
    opening.catch(() => this.#open.delete(name));
    return opening;
  }

  /** {@inheritDoc @ocikit/server!RegistryStorage.repositories} */
  async *repositories(options: { last?: string } = {}): AsyncIterable<string> {
    const names = (await this.#walk(this.root)).sort();
    for (const name of names) {
      if (options.last === undefined || name > options.last) yield name;
    }
  }

  /** {@inheritDoc @ocikit/server!RegistryStorage.createSpool} */
  async createSpool(): Promise<UploadSpool> {
    const dir = join(this.root, UPLOADS_DIR);
    await mkdir(dir, { recursive: true });
    const syncEvery = (this.#options.fsync ?? true) ? SYNC_EVERY : 0;
    return new FileSpool(join(dir, crypto.randomUUID()), { syncEvery });
  }

  /**
   * Implements {@link @ocikit/server!RegistryStorage.commitSpool}. The spool file, hashed as it
   * was written, is renamed into the layout's `blobs/sha256/` (uploads
   * live under the root, so on the same file system): atomic, and no byte
   * is copied. False for other digest algorithms.
   */
  async commitSpool(spool: UploadSpool, descriptor: Descriptor, name: string): Promise<boolean> {
    const { algorithm, encoded } = parseDigest(descriptor.digest);
    if (!(spool instanceof FileSpool) || algorithm !== 'sha256') return false;
    const fsync = this.#options.fsync ?? true;
    const actual = await spool.finish(fsync);
    if (actual !== descriptor.digest) {
      throw new OciError(
        'DIGEST_MISMATCH',
        `The upload's content is ${actual}, not ${descriptor.digest}`,
      );
    }
    const folder = join(this.#inside(name), 'blobs', algorithm);
    await mkdir(folder, { recursive: true });
    if (!(await lstat(folder)).isDirectory()) {
      throw new OciError(
        'PATH_INVALID',
        `The blob directory of repository "${name}" is not a directory`,
      );
    }
    await rename(spool.path, join(folder, encoded));
    if (fsync) await syncDirectory(folder);
    return true;
  }

  /**
   * Implements {@link @ocikit/server!RegistryStorage.linkBlob}. A hard link from the source
   * layout's blob file: both repositories then share one copy on disk.
   * False when the file system cannot link (another device, no support).
   */
  async linkBlob(descriptor: Descriptor, from: string, to: string): Promise<boolean> {
    const { algorithm, encoded } = parseDigest(descriptor.digest);
    const source = join(this.#inside(from), 'blobs', algorithm, encoded);
    const folder = join(this.#inside(to), 'blobs', algorithm);
    await mkdir(folder, { recursive: true });
    const target = join(folder, encoded);
    try {
      await link(source, target);
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'EXDEV' || code === 'EPERM' || code === 'ENOTSUP') return false;
      if (code !== 'EEXIST') throw error;
    }
    // Touched, so that a collection running before the manifest that needs
    // it arrives sees the blob as part of a push in progress (see gc).
    const now = new Date();
    await utimes(target, now, now);
    return true;
  }

  /** The directory of a repository, checked to be inside the root. */
  #inside(name: string): string {
    const dir = resolve(this.root, name);
    if (!dir.startsWith(this.root + sep)) {
      throw new OciError('NAME_INVALID', `Repository "${name.slice(0, 300)}" is outside the root`);
    }
    return dir;
  }

  async #assertNotNested(name: string, dir: string): Promise<void> {
    const parts = name.split('/');
    for (let end = 1; end < parts.length; end += 1) {
      const ancestor = join(this.root, ...parts.slice(0, end));
      if ((await fileSize(join(ancestor, LAYOUT_FILE))) !== undefined) {
        throw nested(name, parts.slice(0, end).join('/'));
      }
    }
    // A repository below it nests; the layout files of another process
    // making this same repository at this moment do not.
    const below = (await this.#walk(dir)).find((found) => found !== name);
    if (below !== undefined) throw nested(name, below);
  }

  async #walk(dir: string): Promise<string[]> {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    if (entries.some((entry) => entry.isFile() && entry.name === LAYOUT_FILE)) {
      return [relative(this.root, dir).split(sep).join('/')];
    }
    const names: string[] = [];
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      names.push(...(await this.#walk(join(dir, entry.name))));
    }
    return names;
  }
}

function nested(name: string, other: string): OciError {
  return new OciError(
    'NAME_INVALID',
    `Repository "${name}" would nest with repository "${other}" in the directory storage`,
  );
}

async function fileSize(path: string): Promise<number | undefined> {
  try {
    const found = await stat(path);
    return found.isFile() ? found.size : undefined;
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}
