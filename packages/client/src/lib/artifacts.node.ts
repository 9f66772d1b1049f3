import { fetchBytes, isReferrerLister, type OperationOptions } from '@ocikit/content';
import { abortError, isDigest, OciError } from '@ocikit/digest';
import {
  Annotation,
  createImageManifest,
  type Descriptor,
  EMPTY_DESCRIPTOR,
  parseManifest,
} from '@ocikit/spec';
import { copy, type ProgressEvent } from '@ocikit/transfer';
import {
  artifactSource,
  describeFiles,
  makeOutputDirectory,
  type PlannedFile,
  planFiles,
  writePlannedFile,
} from './artifact-files.node.ts';
import { type ArtifactFileSpec, DEFAULT_ARTIFACT_TYPE, titledLayers } from './artifact-titles.ts';
import type { Client } from './client.node.ts';
import type { OpenedLocation } from './locations.node.ts';

/** Options of {@link Artifacts.push}. */
export interface ArtifactPushOptions extends OperationOptions {
  /**
   * The manifest's `artifactType`.
   * @default 'application/vnd.unknown.artifact.v1' (as oras)
   */
  artifactType?: string;
  /**
   * Annotations of the manifest. `org.opencontainers.image.created` is set
   * to the current time unless given here, as oras does.
   * @default {}
   */
  annotations?: Readonly<Record<string, string>>;
  /**
   * The clock of the `created` annotation.
   * @default () => new Date()
   */
  now?: () => Date;
  /**
   * The most files moving at once.
   * @default 4
   */
  concurrency?: number;
  /**
   * Keep modification times in the archive of a directory, instead of the
   * fixed 1970-01-01 that makes pushing the same tree twice give the same
   * digest.
   * @default false
   */
  preserveTimes?: boolean;
  /**
   * The progress of the push, as `copy` of `@ocikit/transfer` reports it
   * (per blob: started, bytes, skipped, done).
   * @default undefined
   */
  onProgress?: (event: ProgressEvent) => void;
}

/** Options of {@link Artifacts.attach}: those of a push, with the artifact type required. */
export interface ArtifactAttachOptions extends ArtifactPushOptions {
  /** The manifest's `artifactType`, such as `application/vnd.example.sbom+json`. */
  artifactType: string;
}

/** What {@link Artifacts.push} and {@link Artifacts.attach} wrote. */
export interface ArtifactPushResult {
  /** The destination, as written back by `formatLocation`. */
  readonly name: string;
  /** The manifest pushed (`mediaType`, `digest`, `size`). */
  readonly descriptor: Descriptor;
  /** The manifest's `artifactType`. */
  readonly artifactType: string;
  /** The tags set: the destination's tag, or none (attach, or a digest). */
  readonly tags: readonly string[];
  /** The file layers, in order, each with its title annotation. */
  readonly layers: readonly Descriptor[];
  /** The manifest referred to (attach only). */
  readonly subject: Descriptor | undefined;
}

/** Options of {@link Artifacts.pull}. */
export interface ArtifactPullOptions extends OperationOptions {
  /**
   * The most files written at once.
   * @default 4
   */
  concurrency?: number;
  /**
   * Called once a file is written.
   * @default undefined
   */
  onFile?: (file: PulledFile) => void;
}

/** A file {@link Artifacts.pull} wrote. */
export interface PulledFile {
  /** The layer's `org.opencontainers.image.title`. */
  readonly title: string;
  /** The absolute path written. */
  readonly path: string;
  /** `directory` for a layer unpacked into a directory (`io.deis.oras.content.unpack`), else `file`. */
  readonly kind: 'file' | 'directory';
  /** The layer. */
  readonly descriptor: Descriptor;
}

/** What {@link Artifacts.pull} did. */
export interface ArtifactPullResult {
  /** The source, as written back by `formatLocation`. */
  readonly name: string;
  /** The manifest pulled. */
  readonly descriptor: Descriptor;
  /** Its `artifactType` (or its config's media type, for an image), if any. */
  readonly artifactType: string | undefined;
  /** The files written, in layer order. */
  readonly files: readonly PulledFile[];
  /** Layers without a title, which are not written (as oras skips them). */
  readonly skipped: readonly Descriptor[];
}

/** Options of {@link Artifacts.discover}. */
export interface DiscoverOptions extends OperationOptions {
  /**
   * Only referrers of this artifact type (at every level).
   * @default every type
   */
  artifactType?: string;
  /**
   * How many levels of referrers to follow: 1 lists only the subject's own.
   * @default 16
   */
  depth?: number;
}

/** A referrer and, in turn, its own referrers. */
export interface ReferrerNode {
  /** The referrer's descriptor, with `artifactType` and annotations. */
  readonly descriptor: Descriptor;
  /** Its referrers (empty at the depth limit). */
  readonly referrers: readonly ReferrerNode[];
}

/** What {@link Artifacts.discover} found. */
export interface DiscoverResult {
  /** The location, as written back by `formatLocation`. */
  readonly name: string;
  /** The subject's descriptor. */
  readonly subject: Descriptor;
  /** Its referrers, as a tree. */
  readonly referrers: readonly ReferrerNode[];
}

/** How many files a pull writes at once by default. */
const DEFAULT_CONCURRENCY = 4;

/** The default and the largest {@link DiscoverOptions.depth}. */
const DEFAULT_DEPTH = 16;

/**
 * Artifacts the way oras writes them, in any location a {@link Client}
 * opens: files pushed as layers of an image-spec 1.1 manifest (the empty
 * config `application/vnd.oci.empty.v1+json`, an `artifactType`, each layer
 * titled with `org.opencontainers.image.title`), pulled back to files by
 * their titles, attached to a subject and found again through the referrers
 * API or the referrers tag schema.
 *
 * ```ts no-run
 * const artifacts = new Artifacts(new Client());
 * await artifacts.push('localhost:5000/docs:v1', [{ path: 'README.md', mediaType: 'text/markdown' }]);
 * await artifacts.pull('localhost:5000/docs:v1', 'out');
 * ```
 *
 * @see https://github.com/opencontainers/image-spec/blob/main/manifest.md#guidelines-for-artifact-usage
 */
export class Artifacts {
  readonly #client: Client;

  /**
   * @param client - opens the locations (credentials, TLS, shared connections)
   */
  constructor(client: Client) {
    this.#client = client;
  }

  /**
   * Pushes files as an artifact and tags it with the location's tag,
   * through `copy` of `@ocikit/transfer` (files in parallel, each read
   * and verified while it streams, blobs the destination has skipped; an
   * `oci-archive:` is written atomically once everything is in).
   *
   * @param location - such as `ghcr.io/org/docs:v1` or `oci:out:v1`
   * @param files - the files, each with an optional media type
   *   (`application/vnd.oci.image.layer.v1.tar` by default, as oras)
   * @param options - {@link ArtifactPushOptions}
   * @returns the manifest pushed
   * @throws {OciError} `PATH_INVALID` for a missing or odd file or two files
   *   with one base name; `OPTION_INVALID` for no files or a `created`
   *   annotation that is no RFC 3339 date-time; `REFERENCE_INVALID` for a
   *   location that names a digest; `UNSUPPORTED` for a
   *   `docker-archive:`; the destination's
   *   errors (`UNAUTHORIZED`, `DENIED`, …)
   */
  push(
    location: string,
    files: readonly ArtifactFileSpec[],
    options: ArtifactPushOptions = {},
  ): Promise<ArtifactPushResult> {
    return this.#write(location, files, options, async () => undefined);
  }

  /**
   * Attaches files to the manifest a location names: an artifact manifest
   * with that manifest as `subject`, pushed by digest, so the referrers API
   * (or, on registries without it, the referrers tag schema, kept up to date
   * by `@ocikit/registry`) lists it.
   *
   * @param subject - the manifest to attach to, such as `ghcr.io/org/app:v1`
   * @param files - the files, as for {@link Artifacts.push}
   * @param options - {@link ArtifactAttachOptions}; `artifactType` is required
   * @returns the manifest pushed and its subject
   * @throws {OciError} `OPTION_INVALID` without `artifactType`;
   *   `MANIFEST_UNKNOWN` for a missing subject; `UNSUPPORTED` for an archive
   *   subject; as {@link Artifacts.push}
   * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-manifests-with-subject
   */
  async attach(
    subject: string,
    files: readonly ArtifactFileSpec[],
    options: ArtifactAttachOptions,
  ): Promise<ArtifactPushResult> {
    if (!options.artifactType) {
      throw new OciError('OPTION_INVALID', 'An attached artifact needs an artifact type');
    }
    return await this.#write(subject, files, options, async (opened) => {
      if (opened.location.kind !== 'registry' && opened.location.kind !== 'ocidir') {
        throw new OciError(
          'UNSUPPORTED',
          `"${opened.name}" cannot be changed in place; attach to a registry or an oci: layout`,
        );
      }
      return opened.root(options);
    });
  }

  /**
   * Pulls an artifact's files into a directory (created when missing): each
   * layer with a title is written to that path under the directory,
   * verified while it streams and renamed into place when whole. Every
   * title is checked before any file is written: an absolute path, `..`, a
   * symbolic link or a non-directory on the way, two layers with one title —
   * any of them refuses the whole pull and nothing is written. Layers
   * without a title are skipped, as oras does. Files are written
   * `concurrency` at once; the first failure stops the others.
   *
   * @param location - such as `ghcr.io/org/docs:v1`
   * @param dir - the output directory
   * @param options - {@link ArtifactPullOptions}
   * @returns the files written and the layers skipped
   * @throws {OciError} `PATH_INVALID` for a hostile title or an unwritable
   *   directory; `OPTION_INVALID` for a bad `concurrency`; `UNSUPPORTED` for
   *   an index; `DIGEST_MISMATCH`; the source's errors
   */
  async pull(
    location: string,
    dir: string,
    options: ArtifactPullOptions = {},
  ): Promise<ArtifactPullResult> {
    const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new OciError(
        'OPTION_INVALID',
        `concurrency must be an integer ≥ 1, not ${concurrency}`,
      );
    }
    const opened = await this.#client.open(location, { signal: options.signal });
    try {
      const descriptor = await opened.root(options);
      const manifest = parseManifest(await fetchBytes(opened.target, descriptor, options), {
        contentType: descriptor.mediaType,
        expectedDigest: descriptor.digest,
      });
      if (manifest.kind !== 'manifest') {
        throw new OciError(
          'UNSUPPORTED',
          `"${opened.name}" is an ${manifest.kind === 'index' ? 'index' : 'old schema 1 manifest'}; name one artifact manifest (such as by its digest)`,
        );
      }
      const { titled, untitled } = titledLayers(manifest.value.layers);
      await makeOutputDirectory(dir);
      const plan = await planFiles(dir, titled);
      const files = await writeFiles(
        plan,
        options.concurrency ?? DEFAULT_CONCURRENCY,
        (file, signal) =>
          writePlannedFile(opened.target, file, { signal }).then(() => {
            const pulled: PulledFile = {
              title: file.layer.title,
              path: file.path,
              kind: file.layer.unpack ? 'directory' : 'file',
              descriptor: file.layer.descriptor,
            };
            options.onFile?.(pulled);
            return pulled;
          }),
        options.signal,
      );
      return {
        name: opened.name,
        descriptor,
        artifactType: manifest.value.artifactType ?? manifest.value.config.mediaType,
        files,
        skipped: untitled,
      };
    } finally {
      await opened.close();
    }
  }

  /**
   * Lists the referrers of the manifest a location names, and theirs in
   * turn (a signature of an SBOM), as a tree: the referrers API, or the
   * referrers tag schema where the registry has no API; the `subject`
   * entries of a layout or archive.
   *
   * @param location - the subject, such as `ghcr.io/org/app:v1`
   * @param options - {@link DiscoverOptions}
   * @returns the subject and its referrers
   * @throws {OciError} `MANIFEST_UNKNOWN`; `OPTION_INVALID` for a bad
   *   `depth`; `UNSUPPORTED` for a location that cannot list referrers
   */
  async discover(location: string, options: DiscoverOptions = {}): Promise<DiscoverResult> {
    const depth = options.depth ?? DEFAULT_DEPTH;
    if (!Number.isInteger(depth) || depth < 1 || depth > DEFAULT_DEPTH) {
      throw new OciError(
        'OPTION_INVALID',
        `Depth must be an integer from 1 to ${DEFAULT_DEPTH}, not ${depth}`,
      );
    }
    const opened = await this.#client.open(location, { signal: options.signal });
    try {
      const { target, name } = opened;
      if (!isReferrerLister(target)) {
        throw new OciError('UNSUPPORTED', `"${name}" cannot list referrers`);
      }
      const subject = await opened.root(options);
      const seen = new Set([subject.digest]);
      const walk = async (of: Descriptor, level: number): Promise<ReferrerNode[]> => {
        const nodes: ReferrerNode[] = [];
        const filter =
          options.artifactType === undefined ? {} : { artifactType: options.artifactType };
        for await (const descriptor of target.referrers(of, {
          ...filter,
          signal: options.signal,
        })) {
          if (seen.has(descriptor.digest)) continue;
          seen.add(descriptor.digest);
          nodes.push({
            descriptor,
            referrers: level < depth ? await walk(descriptor, level + 1) : [],
          });
        }
        return nodes;
      };
      return { name, subject, referrers: await walk(subject, 1) };
    } finally {
      await opened.close();
    }
  }

  /** Pushes files and an artifact manifest (with the subject `subjectOf` gives) into a location. */
  async #write(
    location: string,
    files: readonly ArtifactFileSpec[],
    options: ArtifactPushOptions,
    subjectOf: (opened: OpenedLocation<'write'>) => Promise<Descriptor | undefined>,
  ): Promise<ArtifactPushResult> {
    const { signal } = options;
    assertCreated(options.annotations?.[Annotation.Created]);
    const described = await describeFiles(files, {
      signal,
      preserveTimes: options.preserveTimes === true,
    });
    const { layers } = described;
    let opened: OpenedLocation<'write'>;
    try {
      opened = await this.#client.open(location, { mode: 'write', signal });
    } catch (error) {
      await described.dispose();
      throw error;
    }
    try {
      const { kind } = opened.location;
      if (kind === 'docker-archive') {
        throw new OciError(
          'UNSUPPORTED',
          `"${opened.name}" holds images only; push the artifact to oci-archive: or oci:`,
        );
      }
      const subject = await subjectOf(opened);
      if (subject === undefined && opened.reference !== undefined && isDigest(opened.reference)) {
        throw new OciError(
          'REFERENCE_INVALID',
          `"${opened.name}" names a digest; push an artifact to a tag (its digest is known only once it is built)`,
        );
      }
      const artifactType = options.artifactType ?? DEFAULT_ARTIFACT_TYPE;
      const now = options.now ?? (() => new Date());
      const annotations = {
        [Annotation.Created]: now()
          .toISOString()
          .replace(/\.\d+Z$/, 'Z'),
        ...options.annotations,
      };
      const manifest = createImageManifest({
        artifactType,
        config: EMPTY_DESCRIPTOR,
        layers,
        annotations,
        ...(subject === undefined ? {} : { subject }),
      });
      const tags = subject === undefined && opened.tag !== undefined ? [opened.tag] : [];
      await copy(
        {
          from: artifactSource(manifest, described.paths),
          to: opened.target,
          reference: manifest.descriptor,
        },
        {
          tags,
          ...(signal === undefined ? {} : { signal }),
          ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
          ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
        },
      );
      const descriptor = manifest.descriptor;
      await opened.commit(descriptor, { signal });
      return { name: opened.name, descriptor, artifactType, tags, layers, subject };
    } finally {
      await opened.close();
      await described.dispose();
    }
  }
}

/** An RFC 3339 date-time, as oras requires of `org.opencontainers.image.created`. */
const RFC_3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function assertCreated(created: string | undefined): void {
  if (created !== undefined && !RFC_3339.test(created)) {
    throw new OciError(
      'OPTION_INVALID',
      `Annotation ${Annotation.Created} must be an RFC 3339 date-time, not "${created}"`,
    );
  }
}

/**
 * Writes planned files with at most `concurrency` at once, in plan order in
 * the result; the first failure stops the others (their temp files go) and
 * is thrown.
 */
async function writeFiles(
  plan: readonly PlannedFile[],
  concurrency: number,
  write: (file: PlannedFile, signal: AbortSignal) => Promise<PulledFile>,
  signal: AbortSignal | undefined,
): Promise<PulledFile[]> {
  const stop = new AbortController();
  const combined = signal === undefined ? stop.signal : AbortSignal.any([signal, stop.signal]);
  const written: PulledFile[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < plan.length && !combined.aborted) {
      const index = next;
      next += 1;
      written[index] = await write(plan[index] as PlannedFile, combined);
    }
  };
  let failure: { error: unknown } | undefined;
  const workers = Array.from({ length: Math.min(concurrency, plan.length) }, () =>
    worker().catch((error: unknown) => {
      failure ??= { error };
      stop.abort(error);
    }),
  );
  await Promise.all(workers);
  if (failure !== undefined) throw failure.error;
  if (signal?.aborted) throw abortError(signal);
  return written;
}
