import { existsSync } from 'node:fs';
import {
  isDeleter,
  isTagLister,
  isUntagger,
  type OperationOptions,
  type Tagger,
} from '@ocikit/content';
import { OciError, streamFromBytes } from '@ocikit/digest';
import { type CatalogOptions, Registry, Repository } from '@ocikit/registry';
import { type Descriptor, parseManifest } from '@ocikit/spec';
import {
  type CopyResult,
  copy,
  type SyncReport,
  type CopyOptions as TransferCopyOptions,
} from '@ocikit/transfer';
import {
  blobLocation,
  DEFAULT_BLOB_MEDIA_TYPE,
  type MountBlobResult,
  mountOrCopyBlob,
  type PushBlobOptions,
  pushBlobContent,
  registryRepository,
} from './blobs.node.ts';
import { type InspectResult, inspectManifest } from './inspect.ts';
import {
  type OpenContext,
  type OpenedLocation,
  type OpenLocationOptions,
  type OpenMode,
  openEmptyLocation,
  openWithContext,
  parseClientLocation,
} from './locations.node.ts';
import { type ClientOptions, clientSettings } from './options.node.ts';
import { pick } from './pick.ts';
import { type ClientSyncOptions, runSyncPlan } from './sync.node.ts';
import type { ClientSyncPlan } from './sync-plan.ts';

/** Options of {@link Client.copy}. */
export interface CopyOptions
  extends Pick<
    TransferCopyOptions,
    | 'platforms'
    | 'referrers'
    | 'foreignLayers'
    | 'concurrency'
    | 'dryRun'
    | 'force'
    | 'signal'
    | 'onProgress'
    | 'rangedDownload'
  > {
  /**
   * Tags to set at the destination instead of the one its location names.
   * @default the destination's tag; for a layout or archive that names
   *   none, the source's tag, else `latest`
   */
  tags?: readonly string[];
}

/** What {@link Client.copy} did. */
export interface ClientCopyResult extends CopyResult {
  /** The source, as written back by `formatLocation`. */
  readonly source: string;
  /** The destination, as written back by `formatLocation`. */
  readonly destination: string;
  /** The digest of the root at the destination (`root.digest`). */
  readonly digest: string;
}

/** What {@link Client.delete} removed. */
export interface DeleteResult {
  /** `tag`: only the tag went, the image stays; `manifest`: the manifest was deleted by digest. */
  readonly deleted: 'tag' | 'manifest';
  /** The tag removed, or the digest of the manifest deleted. */
  readonly reference: string;
}

/** Options of {@link Client.tags}. */
export interface TagsOptions extends OperationOptions {
  /**
   * List only the tags that sort after this one (pagination).
   * @default undefined
   */
  last?: string;
}

/** Options of {@link Client.putManifest}. */
export interface PutManifestOptions extends OperationOptions {
  /**
   * The manifest's media type (its `Content-Type`); it must agree with the
   * document's own `mediaType` field when that is there.
   * @default the document's `mediaType`, else its shape (`manifests` → OCI
   *   index, `config` and `layers` → OCI image manifest)
   */
  mediaType?: string;
}

/** Options of {@link Client.deleteManifest}. */
export interface DeleteManifestOptions extends OperationOptions {
  /**
   * Accept a location that names a tag: the manifest it points at is
   * deleted, and with it every tag that points there (on distribution).
   * @default false (a tag is refused: `tag rm` removes only a tag)
   */
  dereferenceTag?: boolean;
}

/** Options of {@link Client.repositories}. */
export type RepositoriesOptions = CatalogOptions;

/**
 * One client for every location: registries (with the user's credentials,
 * TLS and insecure-host options, shared connections and tokens), OCI layouts,
 * OCI archives and Docker archives, addressed by location strings as skopeo
 * and regclient write them. Holds no global state: two clients with other
 * options do not meet.
 *
 * ```ts no-run
 * const client = new Client({ insecure: ['localhost:5000'] });
 * const result = await client.copy('docker://alpine:3.20', 'oci:out:3.20');
 * const info = await client.inspect('oci:out:3.20');
 * ```
 */
export class Client {
  readonly #context: OpenContext;
  readonly #concurrency: number;
  readonly #options: ClientOptions;

  /**
   * @param options - {@link ClientOptions}
   * @throws {OciError} `OPTION_INVALID`; `CONFIG_INVALID` for an unreadable
   *   TLS file or inconsistent `OCIKIT_*` variables
   */
  constructor(options: ClientOptions = {}) {
    const settings = clientSettings(options);
    this.#options = options;
    this.#concurrency = settings.concurrency;
    this.#context = {
      repository: {
        transport: settings.transport,
        ...(settings.onWarning === undefined ? {} : { onWarning: settings.onWarning }),
        ...(options.untagFallback === undefined ? {} : { untagFallback: options.untagFallback }),
      },
      tempDir: settings.tempDir,
    };
  }

  /**
   * Opens a location as a Target (see {@link OpenedLocation}); close it when done.
   *
   * @param location - such as `docker://ghcr.io/org/app:v1`, `oci:out:v1`
   * @param options - {@link OpenLocationOptions}
   * @returns the opened location
   * @throws {OciError} `REFERENCE_INVALID` listing the accepted forms;
   *   `LAYOUT_INVALID`, `TAR_INVALID` for a layout or archive that cannot be read
   */
  open<M extends OpenMode = 'read'>(
    location: string,
    options: OpenLocationOptions & { mode?: M } = {},
  ): Promise<OpenedLocation<M>> {
    return openWithContext(location, this.#context, options);
  }

  /**
   * Copies an image (an index with its platforms, or one manifest, and
   * optionally their referrers) from one location to another, through
   * `copy` of `@ocikit/transfer`: digests survive, blobs the destination
   * has are skipped, same-registry blobs are mounted. An archive destination
   * is written atomically once everything is in: a failed copy leaves no file.
   *
   * With `dryRun`, nothing is written: a registry or layout destination is
   * only asked what it has (a layout directory that does not exist has
   * nothing and is not created), an archive destination has nothing (it
   * would be replaced whole).
   *
   * @param source - where the image is, such as `docker://alpine:3.20`
   * @param destination - where it goes, such as `oci-archive:alpine.tar:3.20`
   * @param options - {@link CopyOptions}
   * @returns what was copied
   * @throws {OciError} `REFERENCE_INVALID` for a bad location; the errors of
   *   the copy (a `TransferError` saying which side failed): `UNAUTHORIZED`,
   *   `DENIED`, `MANIFEST_UNKNOWN`, `DIGEST_MISMATCH`, `ABORTED`, …
   */
  async copy(
    source: string,
    destination: string,
    options: CopyOptions = {},
  ): Promise<ClientCopyResult> {
    const signal = options.signal;
    parseClientLocation(destination); // a bad destination fails before the source is read
    const from = await this.open(source, { mode: 'read', signal });
    try {
      const to = await this.#openDestination(destination, options);
      try {
        // One GET of the root, kept for the copy, instead of a HEAD and a GET.
        const sourceRoot = await from.root({ signal, fetch: true });
        const tags = options.tags ?? destinationTags(from, to);
        const result = await copy(
          { from: from.target, to: to.target, reference: sourceRoot },
          {
            tags,
            concurrency: options.concurrency ?? this.#concurrency,
            ...pick(this.#options, ['blobLocations', 'uploadSessions']),
            ...pick(options, [
              'platforms',
              'referrers',
              'foreignLayers',
              'dryRun',
              'force',
              'signal',
              'onProgress',
              'rangedDownload',
            ]),
          },
        );
        const wanted = to.location.kind === 'registry' ? to.location.reference.digest : undefined;
        if (wanted !== undefined && wanted !== result.root.digest) {
          throw new OciError(
            'DIGEST_MISMATCH',
            `Copied ${result.root.digest} to "${to.name}", which names ${wanted}`,
          );
        }
        const platform = options.platforms?.length === 1 ? options.platforms[0] : undefined;
        if (options.dryRun !== true) {
          await to.commit(result.root, { signal, ...(platform === undefined ? {} : { platform }) });
        }
        return { ...result, source: from.name, destination: to.name, digest: result.root.digest };
      } finally {
        await to.close();
      }
    } finally {
      await from.close();
    }
  }

  /**
   * Mirrors the tags of many repositories, as regsync and `skopeo sync` do:
   * for each entry of the plan (of this shard), lists the source's tags,
   * keeps those its filter takes (regular expressions, a semver range, the
   * latest N), and copies each whose digest differs at the destination
   * (`sync` of `@ocikit/transfer`). Requests are paced per registry as the
   * plan's `registries` say; when a registry's rate-limit headers say its
   * budget is spent (Docker Hub's `ratelimit-remaining: 0;w=21600`, or a
   * 429 with them) nothing more is started and the rest is reported
   * `stopped` with a `RATE_LIMITED` reason. A failing tag is reported and
   * the others go on.
   *
   * @param plan - the plan, such as `parseSyncPlan` reads from YAML
   * @param options - {@link ClientSyncOptions}
   * @returns a report per tag (and per entry that failed or stopped before
   *   its tags were listed), in plan order
   * @throws {OciError} `REFERENCE_INVALID` for a location that is bad or
   *   names a tag; `UNSUPPORTED` for an archive; `OPTION_INVALID` for a bad
   *   shard, tag filter or rate; `ABORTED`
   */
  sync(plan: ClientSyncPlan, options: ClientSyncOptions = {}): Promise<SyncReport[]> {
    return runSyncPlan(plan, this.#options, this.#context, this.#concurrency, options);
  }

  /**
   * Resolves a location to the descriptor of the manifest it names.
   *
   * @param location - a location naming a tag or digest (or a layout with one image)
   * @param options - `signal`
   * @returns the descriptor (`mediaType`, `digest`, `size`)
   * @throws {OciError} `MANIFEST_UNKNOWN`; `REFERENCE_INVALID`
   */
  resolve(location: string, options: OperationOptions = {}): Promise<Descriptor> {
    return this.#with(location, 'read', options, (opened) => opened.root(options));
  }

  /**
   * Inspects the manifest a location names: media type, digest, platforms of
   * an index, config summary (created, platform, labels, history), layer
   * sizes and total size.
   *
   * @param location - a location naming a manifest
   * @param options - `signal`
   * @returns {@link InspectResult}
   * @throws {OciError} `MANIFEST_UNKNOWN`; `MANIFEST_INVALID`; the location's errors
   */
  inspect(location: string, options: OperationOptions = {}): Promise<InspectResult> {
    return this.#with(location, 'read', options, async (opened) =>
      inspectManifest(opened.target, await opened.root(options), opened.name, options),
    );
  }

  /**
   * Lists the tags of a registry repository (any tag or digest in the
   * location is ignored), a layout or an archive.
   *
   * @param location - such as `docker://ghcr.io/org/app` or `oci:out`
   * @param options - `last`, `signal`
   * @returns the tags, in the location's order (lexical for registries)
   * @throws {OciError} `NAME_UNKNOWN`; `UNSUPPORTED` for a location that cannot list tags
   */
  tags(location: string, options: TagsOptions = {}): Promise<string[]> {
    return this.#with(
      location,
      'read',
      { ...options, defaultTag: false },
      async ({ target, name }) => {
        if (!isTagLister(target)) throw unsupported(name, 'list tags');
        const tags: string[] = [];
        for await (const tag of target.tags(options)) tags.push(tag);
        return tags;
      },
    );
  }

  /**
   * Points tags of the same repository or layout at the manifest a location names.
   *
   * @param location - the manifest, such as `ghcr.io/org/app:v1` or `oci:out:v1`
   * @param tags - the new tags, such as `['v1.0', 'stable']`
   * @param options - `signal`
   * @returns the manifest tagged
   * @throws {OciError} `MANIFEST_UNKNOWN`; `TAG_INVALID`; `UNSUPPORTED` for archives
   */
  tag(
    location: string,
    tags: readonly string[],
    options: OperationOptions = {},
  ): Promise<Descriptor> {
    return this.#modify(location, options, async (opened) => {
      const root = await opened.root(options);
      for (const tag of tags) await (opened.target as Tagger).tag(root, tag, options);
      return root;
    });
  }

  /**
   * Deletes what a location names: by digest, the manifest (registry or
   * layout); by tag, only the tag (the image and its other tags stay),
   * through the registry's tag delete (or `untagFallback`) or the layout's
   * `index.json`. A registry tag is never removed by deleting its manifest.
   *
   * @param location - such as `ghcr.io/org/app@sha256:…`, `ghcr.io/org/app:old`, `oci:out:v1`
   * @param options - `signal`
   * @returns what was removed
   * @throws {OciError} `MANIFEST_UNKNOWN`; `UNSUPPORTED` (archives, or a
   *   registry that refuses tag deletes without `untagFallback`); `DENIED`
   */
  delete(location: string, options: OperationOptions = {}): Promise<DeleteResult> {
    return this.#modify(
      location,
      { ...options, defaultTag: false },
      async (opened): Promise<DeleteResult> => {
        const { target, name, reference, tag } = opened;
        if (tag !== undefined) {
          if (!isUntagger(target)) throw unsupported(name, 'remove tags');
          await target.untag(tag, options);
          return { deleted: 'tag', reference: tag };
        }
        if (reference === undefined) {
          throw new OciError('REFERENCE_INVALID', `"${name}" names no tag or digest to delete`);
        }
        if (!isDeleter(target)) throw unsupported(name, 'delete manifests');
        await target.delete(await opened.root(options), options);
        return { deleted: 'manifest', reference };
      },
    );
  }

  /**
   * The destination of a copy, opened to write; for a dry run, a layout
   * directory that does not exist yet is an empty store (not created).
   */
  #openDestination(destination: string, options: CopyOptions): Promise<OpenedLocation<'write'>> {
    const location = parseClientLocation(destination);
    if (options.dryRun === true && location.kind === 'ocidir' && !existsSync(location.path)) {
      return Promise.resolve(openEmptyLocation(destination));
    }
    return this.open(destination, { mode: 'write', signal: options.signal });
  }

  /**
   * Pushes manifest bytes as they are (their digest is the digest of these
   * bytes) to a registry repository or layout: under the tag the location
   * names, by digest otherwise. The manifest is parsed and checked first.
   *
   * @param location - such as `ghcr.io/org/app:v1`, `ghcr.io/org/app@sha256:…`, `oci:out:v1`
   * @param bytes - the manifest
   * @param options - {@link PutManifestOptions}
   * @returns the pushed manifest's descriptor
   * @throws {OciError} `MANIFEST_INVALID`, `UNSUPPORTED_MEDIA_TYPE` for bytes
   *   that are no manifest of a known type (nothing is sent); `DIGEST_MISMATCH`
   *   when the location names another digest; the registry's
   *   `MANIFEST_BLOB_UNKNOWN`, `DENIED`; `UNSUPPORTED` for archives
   */
  async putManifest(
    location: string,
    bytes: Uint8Array,
    options: PutManifestOptions = {},
  ): Promise<Descriptor> {
    const parsed = parseManifest(bytes, {
      ...(options.mediaType === undefined ? {} : { contentType: options.mediaType }),
    });
    const { signal } = options;
    return this.#modify(location, { signal, defaultTag: false }, async (opened) => {
      const { target, tag, reference, name } = opened;
      const named = reference !== tag ? reference : undefined;
      if (named !== undefined && named !== parsed.digest) {
        throw new OciError(
          'DIGEST_MISMATCH',
          `The manifest hashes to ${parsed.digest}, but "${name}" names ${named}; nothing was pushed`,
        );
      }
      const content = { bytes: parsed.bytes, mediaType: parsed.mediaType };
      if (target instanceof Repository) {
        return target.putManifest(content, { tags: tag === undefined ? [] : [tag], signal });
      }
      await target.push(parsed.descriptor, streamFromBytes(parsed.bytes), { signal });
      if (tag !== undefined) await target.tag(parsed.descriptor, tag, { signal });
      return parsed.descriptor;
    });
  }

  /**
   * Deletes the manifest a location names, by its digest (a registry
   * repository or layout). A tag is refused unless `dereferenceTag`: to
   * remove only a tag, use {@link Client.delete}.
   *
   * @param location - such as `ghcr.io/org/app@sha256:…`
   * @param options - {@link DeleteManifestOptions}
   * @returns the deleted manifest's descriptor
   * @throws {OciError} `REFERENCE_INVALID` for a tag without
   *   `dereferenceTag`, or a location naming nothing; `MANIFEST_UNKNOWN`;
   *   `UNSUPPORTED` where deletes are disabled; `DENIED`
   */
  deleteManifest(location: string, options: DeleteManifestOptions = {}): Promise<Descriptor> {
    const { signal } = options;
    return this.#modify(location, { signal, defaultTag: false }, async (opened) => {
      const { target, tag, reference, name } = opened;
      if (reference === undefined) {
        throw new OciError('REFERENCE_INVALID', `"${name}" names no digest or tag to delete`);
      }
      if (tag !== undefined && reference === tag && options.dereferenceTag !== true) {
        throw new OciError(
          'REFERENCE_INVALID',
          `"${name}" names a tag: deleting its manifest deletes every tag of it; name the digest, or allow the tag (--force)`,
        );
      }
      if (!isDeleter(target)) throw unsupported(name, 'delete manifests');
      const root = await opened.root({ signal });
      await target.delete(root, { signal });
      return root;
    });
  }

  /**
   * Asks a registry about a blob (`HEAD`).
   *
   * @param location - a repository and digest, such as `ghcr.io/org/app@sha256:…`
   * @param options - `signal`
   * @returns its digest, size and media type (as the registry says)
   * @throws {OciError} `BLOB_UNKNOWN`; `REFERENCE_INVALID` without a digest;
   *   `UNSUPPORTED` for layouts and archives
   */
  statBlob(location: string, options: OperationOptions = {}): Promise<Descriptor> {
    return this.#with(location, 'read', { ...options, defaultTag: false }, (opened) => {
      const { repository, digest } = blobLocation(opened);
      return repository.statBlob(digest, options);
    });
  }

  /**
   * Uploads a blob to a registry repository from a file or a stream, never
   * holding it in memory (a stream is spooled to a temp file so its digest
   * is known first), verified while it is sent.
   *
   * @param location - the repository, such as `ghcr.io/org/app`, or
   *   `REPO@DIGEST` to require that digest
   * @param content - a file path, or a stream such as stdin
   * @param options - {@link PushBlobOptions}
   * @returns the uploaded blob's descriptor
   * @throws {OciError} `DIGEST_MISMATCH` for content that is not the digest
   *   asked for (nothing is uploaded); `PATH_INVALID` for a file that cannot
   *   be read; `REFERENCE_INVALID` for a location with
   *   a tag; `UNSUPPORTED` for layouts and archives; the registry's errors
   */
  pushBlob(
    location: string,
    content: string | ReadableStream<Uint8Array>,
    options: PushBlobOptions = {},
  ): Promise<Descriptor> {
    const { signal } = options;
    return this.#modify(location, { signal, defaultTag: false }, (opened) => {
      const repository = registryRepository(opened);
      const { tag, reference } = opened;
      if (tag !== undefined) {
        throw new OciError(
          'REFERENCE_INVALID',
          `"${opened.name}" names a tag: blobs have none; give the repository (or REPO@DIGEST)`,
        );
      }
      const digest = reference ?? options.digest;
      if (reference !== undefined && options.digest !== undefined && reference !== options.digest) {
        throw new OciError(
          'OPTION_INVALID',
          `"${opened.name}" and the digest option ${options.digest} disagree`,
        );
      }
      return pushBlobContent(repository, content, {
        ...options,
        ...(digest === undefined ? {} : { digest }),
        tempDir: this.#context.tempDir,
      });
    });
  }

  /**
   * Deletes a blob of a registry repository by digest (the registry must
   * allow deletes). Manifests that use it break: delete those first.
   *
   * @param location - a repository and digest, such as `ghcr.io/org/app@sha256:…`
   * @param options - `signal`
   * @returns the digest deleted
   * @throws {OciError} `BLOB_UNKNOWN`; `REFERENCE_INVALID` without a digest;
   *   `UNSUPPORTED` where deletes are disabled, and for layouts and archives; `DENIED`
   */
  deleteBlob(location: string, options: OperationOptions = {}): Promise<string> {
    return this.#with(location, 'write', { ...options, defaultTag: false }, async (opened) => {
      const { repository, digest } = blobLocation(opened);
      await repository.delete({ mediaType: DEFAULT_BLOB_MEDIA_TYPE, digest, size: 0 }, options);
      return digest;
    });
  }

  /**
   * Makes a blob present in another registry repository: a cross-repository
   * mount on the same registry (no bytes move), else its bytes copied.
   *
   * @param source - a repository and digest, such as `ghcr.io/org/base@sha256:…`
   * @param destination - a repository, such as `ghcr.io/org/app`
   * @param options - `signal`
   * @returns {@link MountBlobResult}: whether it was mounted or copied
   * @throws {OciError} `BLOB_UNKNOWN` at the source; `REFERENCE_INVALID`;
   *   `UNSUPPORTED` for layouts and archives; `DENIED`
   */
  mountBlob(
    source: string,
    destination: string,
    options: OperationOptions = {},
  ): Promise<MountBlobResult> {
    return this.#with(source, 'read', { ...options, defaultTag: false }, (from) => {
      const { repository, digest } = blobLocation(from);
      return this.#modify(destination, { ...options, defaultTag: false }, (to) => {
        if (to.reference !== undefined) {
          throw new OciError(
            'REFERENCE_INVALID',
            `"${to.name}" names a tag or digest: give the destination repository alone`,
          );
        }
        return mountOrCopyBlob(repository, digest, registryRepository(to), options);
      });
    });
  }

  /**
   * Lists the repositories of a registry (`GET /v2/_catalog`, every page).
   *
   * @param registry - the registry host, such as `ghcr.io` or `localhost:5000`
   * @param options - `last`, `pageSize`, `signal`
   * @returns the repository names, in the registry's order
   * @throws {OciError} `REFERENCE_INVALID` for a bad host; `UNAUTHORIZED`/`DENIED`
   *   without catalog access; `UNSUPPORTED` where the registry has no catalog
   */
  async repositories(registry: string, options: RepositoriesOptions = {}): Promise<string[]> {
    const { transport, onWarning } = this.#context.repository;
    const host = new Registry(registry.replace(/^docker:\/\//, ''), {
      ...(transport === undefined ? {} : { transport }),
      ...(onWarning === undefined ? {} : { onWarning }),
    });
    const names: string[] = [];
    for await (const name of host.catalog(options)) names.push(name);
    return names;
  }

  /** Opens a registry or layout directory to change it (archives are read-only here). */
  async #modify<T>(
    location: string,
    options: OperationOptions & { defaultTag?: boolean },
    task: (opened: OpenedLocation<'write'>) => Promise<T>,
  ): Promise<T> {
    const kind = parseClientLocation(location).kind;
    if (kind === 'oci-archive' || kind === 'docker-archive') {
      throw unsupported(location, 'be changed in place; extract it into an oci: layout');
    }
    return this.#with(location, 'write', options, task);
  }

  async #with<M extends OpenMode, T>(
    location: string,
    mode: M,
    options: OperationOptions & { defaultTag?: boolean },
    task: (opened: OpenedLocation<M>) => Promise<T>,
  ): Promise<T> {
    const opened = await this.open(location, { ...options, mode });
    try {
      return await task(opened);
    } finally {
      await opened.close();
    }
  }
}

/**
 * Opens one location as a Target with a client of its own (for several
 * locations, share one {@link Client} and its connections: `client.open`).
 *
 * @param location - such as `docker://ghcr.io/org/app:v1`, `oci:out:v1`, `oci-archive:img.tar`
 * @param options - {@link ClientOptions} and {@link OpenLocationOptions}
 * @returns the opened location: its Target, the tag or digest it names; close it when done
 * @throws {OciError} as {@link Client.open}
 */
export function openLocation<M extends OpenMode = 'read'>(
  location: string,
  options: ClientOptions & OpenLocationOptions & { mode?: M } = {},
): Promise<OpenedLocation<M>> {
  return new Client(options).open(location, options);
}

/** The tags a copy sets: the destination's, or for a layout that names none, the source's or `latest`. */
function destinationTags(from: OpenedLocation, to: OpenedLocation): string[] {
  if (to.tag !== undefined) return [to.tag];
  const kind = to.location.kind;
  if (kind !== 'ocidir' && kind !== 'oci-archive') return [];
  if (to.location.digest !== undefined) return [];
  return [from.tag ?? 'latest'];
}

function unsupported(name: string, what: string): OciError {
  return new OciError('UNSUPPORTED', `"${name}" cannot ${what}`);
}
