import { type FileHandle, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix, resolve } from 'node:path';
import type { OperationOptions, Target } from '@ocikit/content';
import { readAt, readFileStream, readRange, writeFileAtomic } from '@ocikit/content/fs';
import {
  abortError,
  type Digest,
  digestBytes,
  digestStream,
  HashingStream,
  OciError,
  parseDigest,
  streamFromBytes,
} from '@ocikit/digest';
import type { Reference } from '@ocikit/reference';
import {
  createImageManifest,
  DEFAULT_MAX_MANIFEST_SIZE,
  type Descriptor,
  MediaType,
  parseImageConfig,
} from '@ocikit/spec';
import { type Compression, decompressArchive, detectCompression, gunzip } from './compression.ts';
import {
  type DockerArchiveItem,
  MAX_DOCKER_MANIFEST_SIZE,
  parseDockerArchiveManifest,
  parseRepoTag,
} from './docker-archive.ts';
import { OciLayout } from './layout.node.ts';
import { checkUnique, normalizeEntryName } from './tar-names.ts';
import { type ScannedEntry, scanTar } from './tar-scan.ts';

/** Options of {@link importDockerArchive}. */
export interface ImportDockerArchiveOptions extends OperationOptions {
  /**
   * The manifest and media types to build: OCI (`application/vnd.oci.*`),
   * or Docker schema 2 (`application/vnd.docker.*`, as `ctr import` builds).
   * @default 'oci'
   */
  format?: 'oci' | 'docker';
  /**
   * Tag each image in the target with the tags of its `RepoTags` (`app:v1`
   * → `v1`); an `OciLayout` target also records the repository as
   * `io.containerd.image.name`.
   * @default true
   */
  tag?: boolean;
  /**
   * Where a streamed or compressed archive is spooled while it is read.
   * @default os.tmpdir()
   */
  tempDir?: string;
}

/** An image imported from a Docker archive. */
export interface DockerArchiveImage {
  /** The manifest built for it, as pushed. */
  readonly descriptor: Descriptor;
  /** Its names from `manifest.json`, normalized (`docker.io/library/alpine:3.20`). */
  readonly repoTags: readonly string[];
}

/** The Docker media type of an uncompressed layer (the layer files of `docker save`). */
const MAX_SYMLINK_HOPS = 40;

/**
 * Imports the images of a Docker archive (the format of `docker save`, and
 * of `skopeo copy … docker-archive:FILE`) into any target. For each image of
 * `manifest.json` the config and the layer files are pushed as they are, and
 * a manifest is built that references them by their real digests, with the
 * media type their bytes show (uncompressed, gzip or zstd layer). Layers
 * must decompress to the config's `diff_ids` (checked for uncompressed and
 * gzip layers). Symbolic links between files of the archive (which
 * `docker save` writes for repeated layers) are followed, never outside it.
 *
 * A file is read in place (two passes over each layer: hash, then push); a
 * stream, or a compressed file, is first spooled to an uncompressed temp
 * file that is removed at the end.
 *
 * The whole archive is read and checked (every image's config, layers,
 * `diff_ids` and names) before anything is pushed, so a bad archive leaves
 * the target as it was. Blobs go before the manifest that references them,
 * and tags last; if the target itself fails (or the signal fires) while
 * pushing, blobs already pushed stay, verified and unreferenced, for a GC to
 * collect: they are not deleted, since another writer of a shared target
 * may have begun to use them.
 *
 * @param source - the archive file, or a stream of it (tar or tar+gzip)
 * @param target - where to push the images
 * @param options - {@link ImportDockerArchiveOptions}
 * @returns the images, in `manifest.json` order
 * @throws {OciError} `TAR_INVALID` for a malformed archive, a missing or
 *   malformed `manifest.json` or a missing file; `PATH_INVALID` for names or
 *   links that escape; `DIGEST_MISMATCH` when a layer does not match its
 *   `diff_id` or its name; the target's errors; `ABORTED`
 * @see https://github.com/moby/moby/blob/master/image/tarexport/load.go
 */
export async function importDockerArchive(
  source: string | ReadableStream<Uint8Array>,
  target: Target,
  options: ImportDockerArchiveOptions = {},
): Promise<DockerArchiveImage[]> {
  const { signal } = options;
  let spool: string | undefined;
  try {
    let path = typeof source === 'string' ? resolve(source) : undefined;
    if (path !== undefined && (await isCompressed(path))) {
      source = await readFileStream(path);
      path = undefined;
    }
    if (path === undefined) {
      spool = await mkdtemp(join(options.tempDir ?? tmpdir(), 'ocikit-docker-archive-'));
      path = join(spool, 'archive.tar');
      const tar = await decompressArchive(source as ReadableStream<Uint8Array>);
      await writeFileAtomic(path, tar, { fsync: false, signal });
    }
    const handle = await open(path, 'r');
    try {
      const archive = await DockerArchive.open(handle, signal);
      const plans: ImagePlan[] = [];
      for (const item of await archive.manifest()) plans.push(await archive.check(item, options));
      const images: DockerArchiveImage[] = [];
      for (const plan of plans) images.push(await archive.push(plan, target, options));
      return images;
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (typeof source !== 'string') await source.cancel(error).catch(() => {});
    throw error;
  } finally {
    if (spool !== undefined) await rm(spool, { recursive: true, force: true });
  }
}

/** An image of the archive, read and checked, ready to push. */
interface ImagePlan {
  readonly names: readonly Reference[];
  readonly config: Descriptor;
  readonly configBytes: Uint8Array;
  readonly layers: readonly { descriptor: Descriptor; file: ScannedEntry }[];
  readonly manifest: { descriptor: Descriptor; bytes: Uint8Array };
}

/** A Docker archive file, its entries indexed. */
class DockerArchive {
  readonly #handle: FileHandle;
  readonly #entries: ReadonlyMap<string, ScannedEntry>;
  readonly #signal: AbortSignal | undefined;
  /** Layers already pushed, by the offset of their file. */
  readonly #layers = new Map<
    number,
    { digest: Digest; size: number; compression: Compression; diffId?: Digest }
  >();

  private constructor(
    handle: FileHandle,
    entries: ReadonlyMap<string, ScannedEntry>,
    signal: AbortSignal | undefined,
  ) {
    this.#handle = handle;
    this.#entries = entries;
    this.#signal = signal;
  }

  static async open(handle: FileHandle, signal: AbortSignal | undefined): Promise<DockerArchive> {
    const size = (await handle.stat()).size;
    const scanned = await scanTar((at, length) => readAt(handle, at, length), size, signal);
    const seen = new Set<string>();
    const entries = new Map<string, ScannedEntry>();
    for (const entry of scanned) {
      const path = normalizeEntryName(entry.name);
      checkUnique(seen, path);
      if (entry.type !== 'file' && entry.type !== 'directory' && entry.type !== 'symlink') {
        throw new OciError(
          'TAR_INVALID',
          `Docker archive entry "${entry.name}" is a ${entry.type}; only files, directories and symbolic links are read`,
        );
      }
      entries.set(path, entry);
    }
    return new DockerArchive(handle, entries, signal);
  }

  async manifest(): Promise<DockerArchiveItem[]> {
    const entry = this.#entries.get('manifest.json');
    if (!entry) {
      throw new OciError(
        'TAR_INVALID',
        'The archive has no manifest.json: it is not a Docker archive (or one of Docker before 1.10)',
      );
    }
    return parseDockerArchiveManifest(
      await this.#read(this.#file('manifest.json'), MAX_DOCKER_MANIFEST_SIZE),
    );
  }

  /** Reads and checks an image of the archive (config, layers, names), pushing nothing. */
  async check(item: DockerArchiveItem, options: ImportDockerArchiveOptions): Promise<ImagePlan> {
    const docker = options.format === 'docker';
    const names = item.RepoTags.map((name) => {
      try {
        return parseRepoTag(name);
      } catch (error) {
        throw new OciError('TAR_INVALID', `Docker archive image name "${name}" is invalid`, {
          cause: error,
        });
      }
    });
    const configFile = this.#file(item.Config);
    const configBytes = await this.#read(configFile, DEFAULT_MAX_MANIFEST_SIZE);
    const config: Descriptor = {
      mediaType: docker ? MediaType.DockerConfig : MediaType.OciImageConfig,
      digest: checkNamed(item.Config, digestBytes(configBytes)),
      size: configBytes.byteLength,
    };
    const diffIds = parseImageConfig(configBytes).rootfs.diff_ids;
    if (diffIds.length !== item.Layers.length) {
      throw new OciError(
        'TAR_INVALID',
        `Docker archive image ${item.Config} lists ${item.Layers.length} layers but its config has ${diffIds.length} diff_ids`,
      );
    }
    const layers: { descriptor: Descriptor; file: ScannedEntry }[] = [];
    for (const [position, name] of item.Layers.entries()) {
      const file = this.#file(name);
      const layer = await this.#hashLayer(file);
      checkNamed(name, layer.digest);
      if (layer.diffId !== undefined && layer.diffId !== diffIds[position]) {
        throw new OciError(
          'DIGEST_MISMATCH',
          `Docker archive layer "${name}" has the content ${layer.diffId}, but the config's diff_id is ${diffIds[position]}`,
        );
      }
      const descriptor: Descriptor = {
        mediaType: layerMediaType(layer.compression, docker),
        digest: layer.digest,
        size: layer.size,
      };
      layers.push({ descriptor, file });
    }
    const manifest = createImageManifest({
      mediaType: docker ? MediaType.DockerManifest : MediaType.OciImageManifest,
      config,
      layers: layers.map((layer) => layer.descriptor),
    });
    return { names, config, configBytes, layers, manifest };
  }

  /** Pushes a checked image: its blobs, then its manifest, then its tags. */
  async push(
    plan: ImagePlan,
    target: Target,
    options: ImportDockerArchiveOptions,
  ): Promise<DockerArchiveImage> {
    const { names, config, configBytes, layers, manifest } = plan;
    await pushMissing(target, config, () => streamFromBytes(configBytes), this.#signal);
    for (const { descriptor, file } of layers) {
      await pushMissing(
        target,
        descriptor,
        () => readRange(this.#handle, file.offset, file.size),
        this.#signal,
      );
    }
    await pushMissing(
      target,
      manifest.descriptor,
      () => streamFromBytes(manifest.bytes),
      this.#signal,
    );
    if (options.tag ?? true) {
      for (const name of names) {
        const tag = name.tag as string;
        if (target instanceof OciLayout) {
          await target.tag(manifest.descriptor, tag, {
            signal: this.#signal,
            imageName: name.name,
          });
        } else {
          await target.tag(manifest.descriptor, tag, { signal: this.#signal });
        }
      }
    }
    return { descriptor: manifest.descriptor, repoTags: names.map((name) => name.toString()) };
  }

  /** The regular file a name leads to, following symbolic links inside the archive. */
  #file(name: string): ScannedEntry {
    let path = normalizeEntryName(name);
    for (let hop = 0; hop <= MAX_SYMLINK_HOPS; hop++) {
      const entry = this.#entries.get(path);
      if (!entry) throw new OciError('TAR_INVALID', `Docker archive file "${name}" is missing`);
      if (entry.type === 'file') return entry;
      if (entry.type !== 'symlink') {
        throw new OciError('TAR_INVALID', `Docker archive entry "${name}" is not a file`);
      }
      if (entry.linkname.startsWith('/')) {
        throw new OciError(
          'PATH_INVALID',
          `Docker archive link "${entry.name}" points to an absolute path`,
        );
      }
      const joined = posix.normalize(posix.join(posix.dirname(path), entry.linkname));
      if (joined === '..' || joined.startsWith('../')) {
        throw new OciError(
          'PATH_INVALID',
          `Docker archive link "${entry.name}" points outside the archive`,
        );
      }
      path = normalizeEntryName(joined);
    }
    throw new OciError('TAR_INVALID', `Docker archive file "${name}" is behind too many links`);
  }

  async #read(entry: ScannedEntry, maxBytes: number): Promise<Uint8Array> {
    if (entry.size > maxBytes) {
      throw new OciError(
        'SIZE_EXCEEDED',
        `Docker archive file "${entry.name}" is ${entry.size} bytes, over the ${maxBytes}-byte limit`,
      );
    }
    return readAt(this.#handle, entry.offset, entry.size);
  }

  /** The digest of a layer file, its compression, and (uncompressed or gzip) the digest of its content. */
  async #hashLayer(entry: ScannedEntry) {
    const known = this.#layers.get(entry.offset);
    if (known) return known;
    if (this.#signal?.aborted) throw abortError(this.#signal);
    const compression = detectCompression(
      await readAt(this.#handle, entry.offset, Math.min(4, entry.size)),
    );
    const bytes = readRange(this.#handle, entry.offset, entry.size);
    let layer: { digest: Digest; size: number; compression: Compression; diffId?: Digest };
    if (compression === 'gzip') {
      const hashing = new HashingStream();
      const content = await digestStream(gunzip(bytes.pipeThrough(hashing)), {
        signal: this.#signal,
      });
      layer = { ...hashing.result, compression, diffId: content.digest };
    } else {
      const { digest, size } = await digestStream(bytes, { signal: this.#signal });
      layer =
        compression === 'none'
          ? { digest, size, compression, diffId: digest }
          : { digest, size, compression };
    }
    this.#layers.set(entry.offset, layer);
    return layer;
  }
}

/** A file named `blobs/<algorithm>/<encoded>` (Docker 25+) must hold that digest. */
function checkNamed(name: string, digest: Digest): Digest {
  const match = /^blobs\/([^/]+)\/([^/]+)$/.exec(normalizeEntryName(name));
  if (!match) return digest;
  const claimed = parseDigest(`${match[1]}:${match[2]}`).digest;
  if (claimed !== digest) {
    throw new OciError('DIGEST_MISMATCH', `Docker archive file "${name}" hashes to ${digest}`);
  }
  return digest;
}

function layerMediaType(compression: Compression, docker: boolean): string {
  if (compression === 'gzip') return docker ? MediaType.DockerLayer : MediaType.OciLayerGzip;
  if (compression === 'zstd') return MediaType.OciLayerZstd;
  return docker ? MediaType.DockerLayerTar : MediaType.OciLayer;
}

async function pushMissing(
  target: Target,
  descriptor: Descriptor,
  open: () => ReadableStream<Uint8Array>,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (await target.exists(descriptor, { signal })) return;
  await target.push(descriptor, open(), { signal });
}

async function isCompressed(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    return detectCompression(await readAt(handle, 0, 4)) !== 'none';
  } finally {
    await handle.close();
  }
}
