import { Buffer } from 'node:buffer';
import { mkdir, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  type BlobContent,
  contentStream,
  type Deleter,
  isNotFound,
  notFound,
  type OperationOptions,
  pushFailure,
  type RangeFetcher,
  type RangeFetchOptions,
  type ReferrerLister,
  type ReferrerListOptions,
  type ResumablePusher,
  type TagLister,
  type TagListOptions,
  type Target,
  type Untagger,
} from '@ocikit/content';
import {
  acquireFileLock,
  errnoCode,
  FileStore,
  type GcOptions,
  type GcResult,
  isTempFile,
  readRegularFile,
  removeStaleFiles,
  writeFileAtomic,
} from '@ocikit/content/fs';
import { abortError, OciError, readBytes, verifyContent } from '@ocikit/digest';
import {
  DEFAULT_MAX_MANIFEST_SIZE,
  type Descriptor,
  type ImageIndex,
  isManifestMediaType,
  parseImageLayout,
  parseManifest,
} from '@ocikit/spec';
import {
  addLayoutEntry,
  createLayoutIndex,
  DEFAULT_MAX_INDEX_SIZE,
  layoutEntryTag,
  parseLayoutIndex,
  removeLayoutEntries,
  removeLayoutTag,
  serializeLayoutIndex,
  setLayoutTag,
} from './index-json.ts';
import { layoutFiles } from './layout-archive.ts';
import { LayoutReader } from './reader.ts';
import { assertLayoutTag, checkImageName } from './tag.ts';
import { MAX_LAYOUT_FILE_SIZE } from './tar-read.ts';
import { OCI_LAYOUT_BYTES, packArchive } from './tar-write.ts';

/** Options of {@link OciLayout.open}; the signal cancels the opening only. */
export interface OpenLayoutOptions extends OperationOptions {
  /**
   * Create the layout when it is missing: the directory, `oci-layout`,
   * `blobs/` and an empty `index.json`, each only if absent. Without it,
   * opening writes nothing and a directory that is not a layout is an error.
   * @default false
   */
  create?: boolean;
  /**
   * Refuse every write (`push`, `tag`, `untag`, `delete`, `gc`) with `DENIED`.
   * @default false
   */
  readOnly?: boolean;
  /**
   * The repository the layout's images belong to, such as `example.com/app`:
   * every `tag` then also writes `io.containerd.image.name` (see
   * {@link LayoutTagOptions.imageName}).
   * @default undefined
   */
  imageName?: string;
  /**
   * Flush blobs and `index.json` (and their directory entries) to disk before
   * a write resolves.
   * @default true
   */
  fsync?: boolean;
  /**
   * How long an `index.json` update waits for another writer's lock before
   * failing with `LOCK_TIMEOUT`.
   * @default 30000
   */
  lockTimeoutMs?: number;
  /**
   * A lock (of `index.json` or of a blob being written) untouched for this
   * long belongs to a dead writer and is taken over.
   * @default 60000
   */
  staleLockMs?: number;
  /**
   * The largest `index.json` read, in bytes.
   * @default DEFAULT_MAX_INDEX_SIZE (64 MiB)
   */
  maxIndexSize?: number;
}

/** Options of {@link OciLayout.tag}. */
export interface LayoutTagOptions extends OperationOptions {
  /**
   * The repository of the image, such as `example.com/app` (`alpine` is
   * normalized to `docker.io/library/alpine`): the entry also gets
   * `io.containerd.image.name: <repository>:<tag>`, so `ctr import` and
   * `docker load` name the image. The tag must be a registry tag.
   * @default the layout's `imageName`
   */
  imageName?: string;
}

/** The lock file that guards `index.json` updates, at the layout's root. */
export const INDEX_LOCK_FILE = 'index.json.lock';
const INDEX_FILE = 'index.json';
const LAYOUT_FILE = 'oci-layout';

interface Settings {
  readonly readOnly: boolean;
  readonly imageName: string | undefined;
  readonly fsync: boolean;
  readonly lockTimeoutMs: number;
  readonly staleLockMs: number;
  readonly maxIndexSize: number;
}

/**
 * An OCI image layout directory as a {@link Target}: `oci-layout`,
 * `index.json` and `blobs/<algorithm>/<encoded>`, readable and writable by
 * skopeo (`oci:DIR:TAG`), umoci, regclient (`ocidir://`), crane and
 * containerd (through its archive form).
 *
 * - Blobs go through a {@link FileStore}: verified, atomic, resumable.
 * - Tags are `index.json` entries with `org.opencontainers.image.ref.name`
 *   (and `io.containerd.image.name` when an image name is known).
 * - A manifest pushed with a `subject` gets an untagged `index.json` entry,
 *   so it is listed as a referrer and survives `gc`.
 * - `index.json` is updated read-modify-write under the lock file
 *   `index.json.lock` and replaced atomically, so writers in any number of
 *   processes lose nothing.
 *
 * @see https://github.com/opencontainers/image-spec/blob/main/image-layout.md
 */
export class OciLayout
  implements Target, TagLister, ReferrerLister, Deleter, Untagger, RangeFetcher, ResumablePusher
{
  /** The layout's directory (absolute). */
  readonly root: string;
  readonly #store: FileStore;
  readonly #settings: Settings;
  readonly #reader: LayoutReader;
  #queue: Promise<unknown> = Promise.resolve();
  #cached: { bytes: Uint8Array; index: ImageIndex } | undefined;

  private constructor(root: string, store: FileStore, settings: Settings) {
    this.root = root;
    this.#store = store;
    this.#settings = settings;
    this.#reader = new LayoutReader({
      readIndex: (options) => this.readIndex(options),
      blobSize: (digest) => this.#store.blobSize(digest),
      fetch: (descriptor, options) => this.#store.fetch(descriptor, options),
    });
  }

  /**
   * Opens a layout directory. Without `create`, nothing is written: a
   * directory without a valid `oci-layout`, `blobs/` or `index.json` is an
   * error. A `create` that fails removes what it made (its directories only
   * while empty), so no half-made layout is left.
   *
   * @param dir - the layout's directory
   * @param options - {@link OpenLayoutOptions}
   * @returns the layout
   * @throws {OciError} `LAYOUT_INVALID` (naming the path) when the directory
   *   is missing or not a layout; `OPTION_INVALID` for bad options;
   *   `LOCK_TIMEOUT` when creating `index.json` waits too long; `PATH_INVALID`
   *   when `index.json.lock` is not a regular file; `ABORTED`
   */
  static async open(dir: string, options: OpenLayoutOptions = {}): Promise<OciLayout> {
    const settings = checkOptions(options);
    if (options.signal?.aborted) throw abortError(options.signal);
    const create = options.create ?? false;
    const root = resolve(dir);
    const undo: (() => Promise<unknown>)[] = [];
    try {
      await ensureDirectory(root, root, create, undo);
      await ensureLayoutFile(root, create, settings.fsync, undo);
      await ensureDirectory(root, join(root, 'blobs'), create, undo);
      const store = await FileStore.open(root, {
        fsync: settings.fsync,
        staleLockMs: settings.staleLockMs,
        create: false,
      });
      const layout = new OciLayout(root, store, settings);
      await layout.#ensureIndex(create, options.signal);
      return layout;
    } catch (error) {
      for (const step of undo.reverse()) await step().catch(() => {});
      throw error;
    }
  }

  /**
   * Reads the current `index.json`. The file is read on every call (other
   * processes may have changed it); it is parsed again only when its bytes
   * changed.
   *
   * @param options - {@link OperationOptions}
   * @returns the index, deep-frozen, unknown members kept
   * @throws {OciError} `LAYOUT_INVALID` when it is missing or malformed;
   *   `SIZE_EXCEEDED` over `maxIndexSize` (checked before reading);
   *   `PATH_INVALID` when it is a link, a directory or a special file
   */
  async readIndex(options: OperationOptions = {}): Promise<ImageIndex> {
    if (options.signal?.aborted) throw abortError(options.signal);
    try {
      const bytes = await readRegularFile(join(this.root, INDEX_FILE), {
        root: this.root,
        maxSize: this.#settings.maxIndexSize,
      });
      if (this.#cached && Buffer.compare(this.#cached.bytes, bytes) === 0)
        return this.#cached.index;
      const index = parseLayoutIndex(bytes, { maxSize: this.#settings.maxIndexSize });
      this.#cached = { bytes, index };
      return index;
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') throw layoutInvalid(this.root, 'it has no index.json');
      if (error instanceof OciError && error.code === 'LAYOUT_INVALID') {
        throw layoutInvalid(this.root, error.message, error);
      }
      throw error;
    }
  }

  /** {@inheritDoc @ocikit/content!Fetcher.fetch} */
  fetch(
    descriptor: Descriptor,
    options: OperationOptions = {},
  ): Promise<ReadableStream<Uint8Array>> {
    return this.#store.fetch(descriptor, options);
  }

  /** {@inheritDoc @ocikit/content!RangeFetcher.fetchRange} */
  fetchRange(
    descriptor: Descriptor,
    options: RangeFetchOptions,
  ): Promise<ReadableStream<Uint8Array>> {
    return this.#store.fetchRange(descriptor, options);
  }

  /** {@inheritDoc @ocikit/content!ExistenceChecker.exists} */
  exists(descriptor: Descriptor, options: OperationOptions = {}): Promise<boolean> {
    return this.#store.exists(descriptor, options);
  }

  /**
   * Implements {@link @ocikit/content!Pusher.push}.
   *
   * A manifest (at most 4 MiB) is read whole, verified and parsed before it
   * is stored; one with a `subject` gets an untagged `index.json` entry.
   *
   * @throws {OciError} `DENIED` on a read-only layout; `MANIFEST_INVALID`,
   *   `SIZE_EXCEEDED` for a manifest that does not parse or is too large
   */
  async push(
    descriptor: Descriptor,
    content: BlobContent,
    options: OperationOptions = {},
  ): Promise<void> {
    await this.pushFrom(descriptor, content, { offset: 0, signal: options.signal });
  }

  /** {@inheritDoc @ocikit/content!ResumablePusher.resumeOffset} */
  resumeOffset(descriptor: Descriptor, options: OperationOptions = {}): Promise<number> {
    return this.#store.resumeOffset(descriptor, options);
  }

  /**
   * Implements {@link @ocikit/content!ResumablePusher.pushFrom}.
   *
   * Manifests are always pushed whole (`offset` must be 0).
   */
  async pushFrom(
    descriptor: Descriptor,
    content: BlobContent,
    options: RangeFetchOptions,
  ): Promise<void> {
    const { signal } = options;
    const stream = contentStream(content);
    try {
      this.#assertWritable();
      if (signal?.aborted) throw abortError(signal);
      if (!isManifestMediaType(descriptor.mediaType)) {
        await this.#store.pushFrom(descriptor, stream, options);
        return;
      }
      if (options.offset !== 0) {
        throw new OciError(
          'BLOB_UPLOAD_INVALID',
          `Manifest ${descriptor.digest} is pushed whole, from offset 0`,
        );
      }
      if (descriptor.size > DEFAULT_MAX_MANIFEST_SIZE) {
        throw new OciError(
          'SIZE_EXCEEDED',
          `Manifest ${descriptor.digest} is ${descriptor.size} bytes, over the ${DEFAULT_MAX_MANIFEST_SIZE}-byte limit`,
        );
      }
      if (await this.#store.exists(descriptor, { signal })) {
        await stream.cancel();
        const info = await this.#reader.manifestInfo(descriptor, { signal });
        if (info?.subject) await this.#keep(descriptor, signal);
        return;
      }
      const bytes = await readBytes(verifyContent(stream, descriptor), {
        maxBytes: descriptor.size,
        signal,
      });
      const manifest = parseManifest(bytes, {
        contentType: descriptor.mediaType,
        expectedDigest: descriptor.digest,
      });
      await this.#store.push(descriptor, bytes, { signal });
      const info = this.#reader.remember(manifest);
      if (info.subject) await this.#keep(descriptor, signal);
    } catch (error) {
      await stream.cancel(error).catch(() => {});
      throw pushFailure(error, descriptor, `"${this.root}"`);
    }
  }

  /** {@inheritDoc @ocikit/content!Resolver.resolve} */
  resolve(reference: string, options: OperationOptions = {}): Promise<Descriptor> {
    return this.#reader.resolve(reference, options);
  }

  /**
   * Implements {@link @ocikit/content!Tagger.tag}.
   *
   * Writes (or updates) the `index.json` entry of the tag; other entries with
   * the tag go, and an untagged entry of the manifest takes the tag, so no
   * entry is ever duplicated.
   *
   * @param descriptor - a manifest or index present in the layout
   * @param reference - a registry tag or an OCI ref name
   * @param options - {@link LayoutTagOptions}
   * @throws {OciError} `TAG_INVALID`; `MANIFEST_UNKNOWN` when the manifest is
   *   absent; `UNSUPPORTED_MEDIA_TYPE` for a descriptor that is not a
   *   manifest; `OPTION_INVALID` for a bad `imageName`; `DENIED`; `LOCK_TIMEOUT`
   */
  async tag(
    descriptor: Descriptor,
    reference: string,
    options: LayoutTagOptions = {},
  ): Promise<void> {
    this.#assertWritable();
    assertLayoutTag(reference);
    if (options.signal?.aborted) throw abortError(options.signal);
    if (!isManifestMediaType(descriptor.mediaType)) {
      throw new OciError(
        'UNSUPPORTED_MEDIA_TYPE',
        `Cannot tag ${descriptor.digest}: ${descriptor.mediaType} is not a manifest type`,
      );
    }
    const imageName = options.imageName ?? this.#settings.imageName;
    if (imageName !== undefined) checkImageName(imageName);
    if (!(await this.#store.exists(descriptor, options))) throw notFound(descriptor);
    await this.#update(options.signal, (index) =>
      setLayoutTag(index, descriptor, reference, imageName === undefined ? {} : { imageName }),
    );
  }

  /**
   * Implements {@link @ocikit/content!Untagger.untag}.
   *
   * Removes the tag's `index.json` entries; a referrer left with no entry
   * keeps an untagged one.
   */
  async untag(reference: string, options: OperationOptions = {}): Promise<void> {
    this.#assertWritable();
    await this.#update(options.signal, async (index) => {
      const tagged = index.manifests.filter((entry) => layoutEntryTag(entry) === reference);
      if (tagged.length === 0) {
        throw new OciError('MANIFEST_UNKNOWN', `There is no tag "${reference}" in the layout`);
      }
      let next = removeLayoutTag(index, reference);
      for (const entry of tagged) {
        if (next.manifests.some((other) => other.digest === entry.digest)) continue;
        const info = await this.#reader.manifestInfo(entry, options);
        if (info?.subject) next = addLayoutEntry(next, entry);
      }
      return next;
    });
  }

  /** {@inheritDoc @ocikit/content!TagLister.tags} */
  tags(options: TagListOptions = {}): AsyncIterable<string> {
    return this.#reader.tags(options);
  }

  /**
   * Implements {@link @ocikit/content!ReferrerLister.referrers}.
   *
   * Searches the manifests `index.json` lists and every manifest reachable
   * from them through indexes: every manifest pushed through the layout
   * with a `subject` is found (it has an entry).
   */
  referrers(subject: Descriptor, options: ReferrerListOptions = {}): AsyncIterable<Descriptor> {
    return this.#reader.referrers(subject, options);
  }

  /**
   * Implements {@link @ocikit/content!Deleter.delete}.
   *
   * Removes the blob and every `index.json` entry (tags included) that lists
   * it. What it references stays until {@link OciLayout.gc}.
   */
  async delete(descriptor: Descriptor, options: OperationOptions = {}): Promise<void> {
    this.#assertWritable();
    if (options.signal?.aborted) throw abortError(options.signal);
    if ((await this.#store.blobSize(descriptor.digest)) === undefined) throw notFound(descriptor);
    await this.#update(options.signal, (index) => removeLayoutEntries(index, descriptor.digest));
    await this.#store.delete(descriptor, options).catch((error: unknown) => {
      if (!isNotFound(error)) throw error;
    });
    this.#reader.forget(descriptor.digest);
  }

  /**
   * Garbage collection: removes every blob that no `index.json` entry
   * reaches (through manifests' children and subjects), and unfinished
   * writes older than `staleWriteMs`. `index.json` stays locked meanwhile;
   * blobs that a copy into the layout has pushed but not yet tagged are
   * removed too, so do not run it while a copy is under way.
   *
   * @param options - `GcOptions` of `@ocikit/content/fs`
   * @returns what was removed and kept
   * @throws {OciError} `DENIED`; `LOCK_TIMEOUT`; `ABORTED`
   */
  async gc(options: GcOptions = {}): Promise<GcResult> {
    this.#assertWritable();
    const result = await this.#withLock(options.signal, async () => {
      const index = await this.readIndex(options);
      const collected = await this.#store.gc(index.manifests, options);
      const temps = await removeStaleFiles(this.root, {
        matches: (entry) => isTempFile(entry, INDEX_FILE),
        maxAgeMs: options.staleWriteMs ?? 86_400_000,
        dryRun: options.dryRun ?? false,
      });
      return { ...collected, staleWrites: collected.staleWrites + temps };
    });
    for (const blob of result.removed) this.#reader.forget(blob.digest);
    return result;
  }

  /**
   * The layout as an OCI layout archive (`oci-archive`): `oci-layout`,
   * `index.json` as it is now, and every blob the layout holds, in the
   * deterministic form of `createLayoutArchive` (sorted, mtime 0, uid/gid 0),
   * streamed one blob at a time. Each blob is verified as it is read.
   *
   * @param options - {@link OperationOptions}
   * @returns the tar stream
   * @throws {OciError} `LAYOUT_INVALID` when `index.json` is broken
   */
  async archive(options: OperationOptions = {}): Promise<ReadableStream<Uint8Array>> {
    const index = serializeLayoutIndex(await this.readIndex(options));
    const blobs: Descriptor[] = [];
    for await (const blob of this.#store.walk(options)) {
      blobs.push({ mediaType: 'application/octet-stream', digest: blob.digest, size: blob.size });
    }
    return packArchive(layoutFiles(this.#store, index, blobs), options);
  }

  /**
   * Writes {@link OciLayout.archive} to a file, atomically (temp file and rename).
   *
   * @param path - the archive file; replaced if it exists
   * @param options - {@link OperationOptions}
   * @throws the errors of {@link OciLayout.archive}; nothing is left behind on failure
   */
  async writeArchive(path: string, options: OperationOptions = {}): Promise<void> {
    await writeFileAtomic(resolve(path), await this.archive(options), {
      fsync: this.#settings.fsync,
      signal: options.signal,
    });
  }

  /** Gives a referrer an untagged entry (`mediaType`, `digest`, `size`), so it is listed and survives gc. */
  async #keep(referrer: Descriptor, signal: AbortSignal | undefined): Promise<void> {
    const { mediaType, digest, size } = referrer;
    await this.#update(signal, (index) => addLayoutEntry(index, { mediaType, digest, size }));
  }

  #assertWritable(): void {
    if (this.#settings.readOnly) {
      throw new OciError('DENIED', `Layout "${this.root}" is open read-only`);
    }
  }

  /** Creates an empty `index.json` when allowed and missing, then checks the one there. */
  async #ensureIndex(create: boolean, signal: AbortSignal | undefined): Promise<void> {
    const path = join(this.root, INDEX_FILE);
    if (create && !(await exists(path))) {
      await this.#withLock(signal, async () => {
        if (await exists(path)) return;
        const empty = serializeLayoutIndex(createLayoutIndex());
        await writeFileAtomic(path, empty, { fsync: this.#settings.fsync });
      });
    }
    await this.readIndex({ signal });
  }

  /** Read-modify-write of `index.json` under the lock; nothing is written when `change` returns the same index. */
  #update(
    signal: AbortSignal | undefined,
    change: (index: ImageIndex) => ImageIndex | Promise<ImageIndex>,
  ): Promise<void> {
    return this.#withLock(signal, async () => {
      const current = await this.readIndex();
      const next = await change(current);
      if (next === current) return;
      await writeFileAtomic(join(this.root, INDEX_FILE), serializeLayoutIndex(next), {
        fsync: this.#settings.fsync,
      });
    });
  }

  /** Runs `task` holding the `index.json` lock; writers of this process queue up first. */
  #withLock<T>(signal: AbortSignal | undefined, task: () => Promise<T>): Promise<T> {
    const run = async () => {
      if (signal?.aborted) throw abortError(signal);
      const lock = await acquireFileLock(join(this.root, INDEX_LOCK_FILE), {
        timeoutMs: this.#settings.lockTimeoutMs,
        staleMs: this.#settings.staleLockMs,
        signal,
      });
      try {
        return await task();
      } finally {
        await lock.release();
      }
    };
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => {});
    return result;
  }
}

function checkOptions(options: OpenLayoutOptions): Settings {
  if (options.create && options.readOnly) {
    throw new OciError('OPTION_INVALID', 'A layout cannot be both created and opened read-only');
  }
  const positive = (name: string, value: number | undefined, fallback: number) => {
    if (value === undefined) return fallback;
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new OciError(
        'OPTION_INVALID',
        `Option ${name} must be a non-negative integer, got ${value}`,
      );
    }
    return value;
  };
  if (options.imageName !== undefined) checkImageName(options.imageName);
  return {
    readOnly: options.readOnly ?? false,
    imageName: options.imageName,
    fsync: options.fsync ?? true,
    lockTimeoutMs: positive('lockTimeoutMs', options.lockTimeoutMs, 30_000),
    staleLockMs: positive('staleLockMs', options.staleLockMs, 60_000),
    maxIndexSize: positive('maxIndexSize', options.maxIndexSize, DEFAULT_MAX_INDEX_SIZE),
  };
}

/** Checks (or, with `create`, makes) a directory; `undo` gets the removal of each directory made. */
async function ensureDirectory(
  root: string,
  path: string,
  create: boolean,
  undo: (() => Promise<unknown>)[],
): Promise<void> {
  try {
    if ((await stat(path)).isDirectory()) return;
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
    if (create) {
      const first = await mkdir(path, { recursive: true });
      const made: string[] = [];
      for (let dir = path; first !== undefined; dir = dirname(dir)) {
        made.unshift(dir);
        if (dir === first || dir === dirname(dir)) break;
      }
      for (const dir of made) undo.push(() => rmdir(dir));
      return;
    }
    throw layoutInvalid(
      root,
      path === root
        ? 'the directory does not exist (open it with { create: true } to make a new layout)'
        : `it has no ${relativeName(root, path)}/ directory`,
    );
  }
  throw layoutInvalid(
    root,
    `${path === root ? 'it' : relativeName(root, path)} is not a directory`,
  );
}

/** Checks (or, with `create`, writes) `oci-layout`; `undo` gets its removal when written. */
async function ensureLayoutFile(
  root: string,
  create: boolean,
  fsync: boolean,
  undo: (() => Promise<unknown>)[],
): Promise<void> {
  const path = join(root, LAYOUT_FILE);
  let bytes: Uint8Array;
  try {
    bytes = await readRegularFile(path, { root, maxSize: MAX_LAYOUT_FILE_SIZE });
  } catch (error) {
    if (error instanceof OciError) {
      throw layoutInvalid(root, 'its oci-layout is not a small regular file', error);
    }
    if (errnoCode(error) !== 'ENOENT') throw error;
    if (!create) {
      throw layoutInvalid(
        root,
        'it has no oci-layout file (open it with { create: true } to make a new layout)',
      );
    }
    await writeFileAtomic(path, OCI_LAYOUT_BYTES, { fsync });
    undo.push(() => rm(path, { force: true }));
    return;
  }
  try {
    parseImageLayout(bytes);
  } catch (error) {
    throw layoutInvalid(root, (error as Error).message, error);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return false;
    throw error;
  }
}

function relativeName(root: string, path: string): string {
  return path.slice(root.length + 1);
}

function layoutInvalid(root: string, reason: string, cause?: unknown): OciError {
  return new OciError('LAYOUT_INVALID', `"${root}" is not a valid OCI layout: ${reason}`, {
    cause,
  });
}
