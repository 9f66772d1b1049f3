import { OciError } from '@ocikit/digest';
import { DEFAULT_MAX_MANIFEST_SIZE, isValidMediaType, MANIFEST_MEDIA_TYPES } from '@ocikit/spec';
import type { Client, ClientOptions } from './client.ts';

/** How a {@link Repository} finds referrers. */
export type ReferrersMode = 'auto' | 'api' | 'tag-schema';

/** Options of a {@link Repository} (and of {@link Registry.repository}). */
export interface RepositoryOptions extends ClientOptions {
  /**
   * The manifest media types: all of them go into every `Accept` header of a
   * manifest request (registries such as distribution answer 404 when the
   * stored type is missing), and a descriptor of one of these types is read
   * and written through the manifest endpoints.
   * @default MANIFEST_MEDIA_TYPES of @ocikit/spec (OCI, Docker schema 2 and 1)
   */
  manifestMediaTypes?: readonly string[];
  /**
   * The largest manifest read or written, in bytes. A larger
   * `Content-Length` fails before reading; a body that grows past it is cut off.
   * @default 4194304 (4 MiB)
   */
  maxManifestSize?: number;
  /**
   * The largest JSON answer read for one page of a listing (tags, catalog,
   * referrers), in bytes.
   * @default 4194304 (4 MiB)
   */
  maxListSize?: number;
  /**
   * The most pages one listing follows (a guard against endless pagination).
   * @default 10000
   */
  maxPages?: number;
  /**
   * The buffer an upload reads the blob into, in bytes: a blob that fits is
   * sent in one `PUT`, a larger one in `PATCH` chunks of this size. Every
   * request then carries bytes, so it is repeated after transient failures.
   * Raised to the registry's `OCI-Chunk-Min-Length` when it asks for more.
   * @default 8388608 (8 MiB)
   */
  chunkSize?: number;
  /**
   * Send a blob larger than `chunkSize` in one `PUT` as a stream (with
   * `Content-Length`) instead of in `PATCH` chunks: one request, no copy, and
   * about 1.6× the push throughput into distribution 2.8 (see the memory
   * test), but it cannot be repeated after a failure — push again with fresh
   * content (a copy does that for you). Blobs up to `chunkSize` always go
   * buffered in one repeatable `PUT`.
   * @default true
   */
  streamUploads?: boolean;
  /**
   * How many times a blob download that broke off is resumed with a `Range`
   * request from the last byte received.
   * @default 3
   */
  maxResumes?: number;
  /**
   * How referrers are found and kept: `api` (the registry has the referrers
   * API), `tag-schema` (the `<alg>-<hex>` tag fallback of registries
   * without it), or `auto` (ask the API, fall back on 404, and maintain the
   * fallback index when a push with a `subject` gets no `OCI-Subject`).
   * @default 'auto'
   */
  referrers?: ReferrersMode;
  /**
   * Where the registry refuses the OCI 1.1 tag `DELETE` (distribution 2.8
   * answers 400), remove a tag by pointing it at a unique, empty throwaway
   * manifest and deleting that manifest by digest. The image the tag pointed
   * at and its other tags stay untouched. Off by default because it writes
   * to the repository (one tiny blob and a manifest that is deleted again).
   * @default false (such registries make `untag` fail with `UNSUPPORTED`)
   */
  untagFallback?: boolean;
}

/** {@link RepositoryOptions} checked, with every default filled in. */
export interface RepositorySettings {
  readonly manifestMediaTypes: readonly string[];
  readonly maxManifestSize: number;
  readonly maxListSize: number;
  readonly maxPages: number;
  readonly chunkSize: number;
  readonly streamUploads: boolean;
  readonly maxResumes: number;
  readonly referrers: ReferrersMode;
  readonly untagFallback: boolean;
}

/** What the modules of a repository share. */
export interface RepositoryContext {
  /** The connection to the registry. */
  readonly client: Client;
  /** The repository name (path), such as `library/alpine`. */
  readonly name: string;
  /** The name shown to people, with the registry: `ghcr.io/library/alpine`. */
  readonly display: string;
  /** The checked options. */
  readonly settings: RepositorySettings;
  /** Whether the registry has the referrers API: unknown until a response tells. */
  referrersApi: boolean | undefined;
}

/** The default upload chunk buffer: 8 MiB. */
const DEFAULT_CHUNK_SIZE = 8 * 1024 * 1024;

/** The token scopes of the operations on a repository. */
export const scope = {
  pull: (name: string) => `repository:${name}:pull`,
  push: (name: string) => `repository:${name}:pull,push`,
  delete: (name: string) => `repository:${name}:delete`,
};

/**
 * Checks a whole-number option.
 *
 * @param name - the option, for the message
 * @param value - its value
 * @param min - the smallest value allowed
 * @returns the value
 * @throws {OciError} `OPTION_INVALID` for anything but a safe integer ≥ `min`
 */
export function checkInteger(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new OciError('OPTION_INVALID', `${name} must be an integer ≥ ${min}, not ${value}`);
  }
  return value;
}

/**
 * Checks repository options and fills in the defaults.
 *
 * @param options - {@link RepositoryOptions}
 * @returns the settings
 * @throws {OciError} `OPTION_INVALID` for a bad option
 */
export function repositorySettings(options: RepositoryOptions): RepositorySettings {
  const manifestMediaTypes = options.manifestMediaTypes ?? MANIFEST_MEDIA_TYPES;
  if (manifestMediaTypes.length === 0 || !manifestMediaTypes.every(isValidMediaType)) {
    throw new OciError(
      'OPTION_INVALID',
      'manifestMediaTypes must list at least one media type, each of the form type/subtype',
    );
  }
  const referrers = options.referrers ?? 'auto';
  if (!['auto', 'api', 'tag-schema'].includes(referrers)) {
    throw new OciError(
      'OPTION_INVALID',
      `referrers must be "auto", "api" or "tag-schema", not "${referrers}"`,
    );
  }
  return Object.freeze({
    manifestMediaTypes: Object.freeze([...manifestMediaTypes]),
    maxManifestSize: checkInteger(
      'maxManifestSize',
      options.maxManifestSize ?? DEFAULT_MAX_MANIFEST_SIZE,
      1,
    ),
    maxListSize: checkInteger('maxListSize', options.maxListSize ?? 4 * 1024 * 1024, 1),
    maxPages: checkInteger('maxPages', options.maxPages ?? 10_000, 1),
    chunkSize: checkInteger('chunkSize', options.chunkSize ?? DEFAULT_CHUNK_SIZE, 1),
    streamUploads: options.streamUploads ?? true,
    maxResumes: checkInteger('maxResumes', options.maxResumes ?? 3, 0),
    referrers,
    untagFallback: options.untagFallback ?? false,
  });
}
