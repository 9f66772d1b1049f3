import {
  CANONICAL_ALGORITHM,
  type Digest,
  digestBytes,
  OciError,
  parseDigest,
} from '@ocikit/digest';
import { Checker, describe, enforceMaxSize, type JsonObject } from './check.ts';
import { parseJsonBytes } from './json.ts';
import { checkImageIndex, checkImageManifest, checkSchema1 } from './manifest-check.ts';
import {
  type ImageManifestMediaType,
  type IndexMediaType,
  isImageManifestMediaType,
  isIndexMediaType,
  isManifestMediaType,
  MANIFEST_MEDIA_TYPES,
  type ManifestMediaType,
  MediaType,
  parseContentType,
  type Schema1MediaType,
} from './media-types.ts';
import type { Descriptor, ImageIndex, ImageManifest, Schema1Manifest } from './types.ts';

/**
 * The default size limit of a manifest, 4 MiB: what distribution and most
 * registries accept, and the bound that keeps a hostile server from
 * exhausting memory.
 */
export const DEFAULT_MAX_MANIFEST_SIZE = 4 * 1024 * 1024;

/** What every parsed manifest carries. */
export interface ParsedManifestBase {
  /** The exact bytes the manifest was parsed from (a copy the result owns). */
  readonly bytes: Uint8Array;
  /** The digest of {@link bytes}. */
  readonly digest: Digest;
  /** The length of {@link bytes}. */
  readonly size: number;
  /** `{ mediaType, digest, size }` of the manifest, to reference it. */
  readonly descriptor: Descriptor;
}

/** An OCI image index or Docker manifest list, parsed. */
export interface ParsedImageIndex extends ParsedManifestBase {
  /** Always `index`. */
  readonly kind: 'index';
  /** From the Content-Type, the `mediaType` member, or the shape. */
  readonly mediaType: IndexMediaType;
  /** The document, deep-frozen. */
  readonly value: ImageIndex;
}

/** An OCI image manifest or Docker schema 2 manifest, parsed. */
export interface ParsedImageManifest extends ParsedManifestBase {
  /** Always `manifest`. */
  readonly kind: 'manifest';
  /** From the Content-Type, the `mediaType` member, or the shape. */
  readonly mediaType: ImageManifestMediaType;
  /** The document, deep-frozen. */
  readonly value: ImageManifest;
}

/** A Docker schema 1 manifest, recognised (signatures unverified). */
export interface ParsedSchema1Manifest extends ParsedManifestBase {
  /** Always `schema1`. */
  readonly kind: 'schema1';
  /** From the Content-Type, or signed when the document has `signatures`. */
  readonly mediaType: Schema1MediaType;
  /** The document, deep-frozen. */
  readonly value: Schema1Manifest;
}

/** A manifest parsed from bytes; `kind` tells which one. */
export type ParsedManifest = ParsedImageIndex | ParsedImageManifest | ParsedSchema1Manifest;

/** Options of {@link parseManifest}. */
export interface ParseManifestOptions {
  /**
   * The `Content-Type` the manifest came with (parameters such as
   * `; charset=utf-8` are ignored). When given it must be a manifest type,
   * and a `mediaType` member must equal it. `application/json` and no value
   * mean: tell the type from the document.
   * @default undefined
   */
  contentType?: string | null;
  /**
   * The largest manifest accepted, in bytes.
   * @default DEFAULT_MAX_MANIFEST_SIZE (4 MiB)
   */
  maxSize?: number;
  /**
   * The digest the bytes must have (a manifest fetched by digest). Its
   * algorithm is the one used; without it the digest is sha256.
   * @default undefined
   */
  expectedDigest?: Digest;
}

/**
 * Parses and validates a manifest from its exact bytes: an OCI image index
 * or image manifest, a Docker manifest list or schema 2 manifest, or a Docker
 * schema 1 manifest (recognised, layers listed). The bytes are kept as they
 * are and hashed; nothing is ever re-serialized.
 *
 * The type comes from the `Content-Type` when one is given, else from the
 * document's `mediaType`, else from its shape (`manifests` → OCI index;
 * `config`/`layers` → OCI image manifest; `schemaVersion: 1`/`fsLayers` →
 * schema 1).
 *
 * @param bytes - the manifest as received or read
 * @param options - {@link ParseManifestOptions}
 * @returns the typed view, the bytes, their digest and size
 * @throws {OciError} `SIZE_EXCEEDED` over `maxSize`; `UNSUPPORTED_MEDIA_TYPE`
 *   for a `Content-Type` or `mediaType` that is not a manifest type;
 *   `DIGEST_MISMATCH` when the bytes do not hash to `expectedDigest`;
 *   `MANIFEST_INVALID` naming the field and the problem otherwise;
 *   `OPTION_INVALID` for a bad `maxSize`; `DIGEST_INVALID` or
 *   `DIGEST_UNSUPPORTED` for an `expectedDigest` that is malformed or cannot
 *   be computed here
 * @see https://github.com/opencontainers/image-spec/blob/main/manifest.md
 * @see https://github.com/opencontainers/image-spec/blob/main/image-index.md
 */
export function parseManifest(
  bytes: Uint8Array,
  options: ParseManifestOptions = {},
): ParsedManifest {
  const { expectedDigest } = options;
  // A copy: a Node Buffer may be a view of a shared pool, and the caller may reuse its array.
  return readManifest(new Uint8Array(bytes), {
    contentType: options.contentType ?? undefined,
    maxSize: options.maxSize ?? DEFAULT_MAX_MANIFEST_SIZE,
    algorithm:
      expectedDigest === undefined ? CANONICAL_ALGORITHM : parseDigest(expectedDigest).algorithm,
    expectedDigest,
  });
}

/** What {@link readManifest} needs, all resolved. */
export interface ReadManifestOptions {
  contentType: string | undefined;
  maxSize: number;
  algorithm: string;
  expectedDigest?: Digest | undefined;
}

/**
 * Parses manifest bytes the caller hands over (they are kept, not copied).
 * {@link parseManifest} and the builders share it.
 *
 * @param bytes - the manifest, owned by the result from now on
 * @param options - {@link ReadManifestOptions}
 * @returns the parsed manifest
 * @throws {OciError} as {@link parseManifest}
 */
export function readManifest(bytes: Uint8Array, options: ReadManifestOptions): ParsedManifest {
  enforceMaxSize(bytes, options.maxSize, 'Manifest');
  const declared = declaredMediaType(options.contentType);
  const digest = digestBytes(bytes, options.algorithm);
  if (options.expectedDigest !== undefined && digest !== options.expectedDigest) {
    throw new OciError(
      'DIGEST_MISMATCH',
      `Manifest hashes to ${digest}, not to the expected ${options.expectedDigest}`,
    );
  }
  const checker = new Checker('MANIFEST_INVALID', 'Manifest');
  const document = checker.object(parseJsonBytes(bytes, checker), '');
  const mediaType = resolveMediaType(checker, document, declared);
  const size = bytes.byteLength;
  const common = {
    mediaType,
    bytes,
    digest,
    size,
    descriptor: Object.freeze({ mediaType, digest, size }),
  };
  if (isIndexMediaType(mediaType)) {
    const value = checkImageIndex(checker, document);
    return Object.freeze({ ...common, kind: 'index', mediaType, value });
  }
  if (isImageManifestMediaType(mediaType)) {
    const minLayers = mediaType === MediaType.OciImageManifest ? 1 : 0;
    const value = checkImageManifest(checker, document, { minLayers });
    return Object.freeze({ ...common, kind: 'manifest', mediaType, value });
  }
  const value = checkSchema1(checker, document);
  return Object.freeze({ ...common, kind: 'schema1', mediaType, value });
}

/** The manifest type a `Content-Type` names, or `undefined` when it leaves the choice to the document. */
function declaredMediaType(contentType: string | undefined): ManifestMediaType | undefined {
  if (contentType === undefined) return undefined;
  const mediaType = parseContentType(contentType);
  if (mediaType === '' || mediaType === 'application/json') return undefined;
  if (isManifestMediaType(mediaType)) return mediaType;
  throw new OciError(
    'UNSUPPORTED_MEDIA_TYPE',
    `Content-Type ${describe(contentType)} is not a manifest type; expected one of ${MANIFEST_MEDIA_TYPES.join(', ')}`,
  );
}

/**
 * The type of a manifest: the declared one (the `mediaType` member, when
 * present, must agree), else the `mediaType` member, else the shape.
 */
function resolveMediaType(
  checker: Checker,
  document: JsonObject,
  declared: ManifestMediaType | undefined,
): ManifestMediaType {
  const hasField = Object.hasOwn(document, 'mediaType');
  const field = hasField ? checker.string(document.mediaType, 'mediaType') : undefined;
  if (declared !== undefined) {
    if (field !== undefined && field !== declared) {
      checker.fail('mediaType', `is ${describe(field)}, but the Content-Type is "${declared}"`);
    }
    return declared;
  }
  if (field !== undefined) {
    if (isManifestMediaType(field)) return field;
    throw new OciError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Manifest mediaType ${describe(field)} is not a manifest type; expected one of ${MANIFEST_MEDIA_TYPES.join(', ')}`,
    );
  }
  if (Object.hasOwn(document, 'manifests')) return MediaType.OciImageIndex;
  if (Object.hasOwn(document, 'config') || Object.hasOwn(document, 'layers')) {
    return MediaType.OciImageManifest;
  }
  if (document.schemaVersion === 1 || Object.hasOwn(document, 'fsLayers')) {
    return Object.hasOwn(document, 'signatures')
      ? MediaType.DockerSchema1SignedManifest
      : MediaType.DockerSchema1Manifest;
  }
  return checker.fail(
    '',
    'has no mediaType, and none of manifests, config, layers or fsLayers to tell its type by',
  );
}
