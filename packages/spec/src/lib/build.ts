import { CANONICAL_ALGORITHM, type DigestAlgorithm, OciError } from '@ocikit/digest';
import { isJsonObject } from './check.ts';
import {
  DEFAULT_MAX_MANIFEST_SIZE,
  type ParsedImageIndex,
  type ParsedImageManifest,
  readManifest,
} from './manifest.ts';
import { type ImageManifestMediaType, type IndexMediaType, MediaType } from './media-types.ts';
import type { Descriptor, StringMap } from './types.ts';

/** What an image manifest is built from. */
export interface ImageManifestInput {
  /**
   * The manifest type; Docker schema 2 has no `artifactType`, `subject` or
   * `annotations`.
   * @default MediaType.OciImageManifest
   */
  mediaType?: ImageManifestMediaType;
  /** The artifact type; required when `config` is the empty descriptor. */
  artifactType?: string;
  /** The config descriptor. */
  config: Descriptor;
  /** The layer descriptors, base first (at least one for OCI). */
  layers: readonly Descriptor[];
  /** The manifest this one refers to. */
  subject?: Descriptor;
  /** Annotations of the manifest. */
  annotations?: StringMap;
}

/** What an index is built from. */
export interface ImageIndexInput {
  /**
   * The index type; a Docker manifest list has no `artifactType`, `subject`
   * or `annotations`.
   * @default MediaType.OciImageIndex
   */
  mediaType?: IndexMediaType;
  /** The artifact type. */
  artifactType?: string;
  /** The manifests the index lists, with their `platform`s. */
  manifests: readonly Descriptor[];
  /** The manifest this one refers to. */
  subject?: Descriptor;
  /** Annotations of the index. */
  annotations?: StringMap;
}

/** Options of {@link createImageManifest} and {@link createImageIndex}. */
export interface BuildManifestOptions {
  /**
   * The digest algorithm of the result.
   * @default 'sha256'
   */
  algorithm?: DigestAlgorithm;
  /**
   * The largest manifest to build, in bytes: registries refuse bigger ones.
   * @default DEFAULT_MAX_MANIFEST_SIZE (4 MiB)
   */
  maxSize?: number;
}

type Json = Record<string, unknown>;

/**
 * Builds an image manifest and serializes it, once, to its canonical bytes:
 * members in the order of image-spec's Go types (`specs-go/v1`), empty
 * optional members left out, map keys sorted, and `<`, `>`, `&`, U+2028,
 * U+2029 escaped as Go's `encoding/json` does, so the bytes (and the digest)
 * match what Go tools produce for the same manifest. The bytes are then
 * parsed back, so the result is validated exactly as a fetched manifest is.
 *
 * @param input - {@link ImageManifestInput}
 * @param options - {@link BuildManifestOptions}
 * @returns the manifest as {@link parseManifest} would return it: `bytes`,
 *   `digest`, `size`, `descriptor`, `value`
 * @throws {OciError} `MANIFEST_INVALID` for invalid input (naming the field);
 *   `SIZE_EXCEEDED` over `maxSize`
 * @see https://github.com/opencontainers/image-spec/blob/main/manifest.md
 */
export function createImageManifest(
  input: ImageManifestInput,
  options: BuildManifestOptions = {},
): ParsedImageManifest {
  const mediaType = input.mediaType ?? MediaType.OciImageManifest;
  if (input.config?.mediaType === MediaType.OciEmpty && !input.artifactType) {
    throw new OciError(
      'MANIFEST_INVALID',
      'Manifest is invalid: artifactType is required when config is the empty descriptor',
    );
  }
  const members = { config: descriptorJson(input.config), layers: listJson(input.layers) };
  return build(input, mediaType, members, options) as ParsedImageManifest;
}

/**
 * Builds an index and serializes it, once, to its canonical bytes (see
 * {@link createImageManifest} for the form).
 *
 * @param input - {@link ImageIndexInput}
 * @param options - {@link BuildManifestOptions}
 * @returns the index as {@link parseManifest} would return it
 * @throws {OciError} `MANIFEST_INVALID` for invalid input (naming the field);
 *   `SIZE_EXCEEDED` over `maxSize`
 * @see https://github.com/opencontainers/image-spec/blob/main/image-index.md
 */
export function createImageIndex(
  input: ImageIndexInput,
  options: BuildManifestOptions = {},
): ParsedImageIndex {
  const mediaType = input.mediaType ?? MediaType.OciImageIndex;
  const members = { manifests: listJson(input.manifests) };
  return build(input, mediaType, members, options) as ParsedImageIndex;
}

/** The members both kinds of manifest share, around their own ones. */
type SharedInput = Pick<ImageManifestInput, 'artifactType' | 'subject' | 'annotations'>;

/** Assembles the document in canonical order, serializes it, and parses the bytes back. */
function build(
  input: SharedInput,
  mediaType: string,
  members: Json,
  options: BuildManifestOptions,
): ParsedImageIndex | ParsedImageManifest {
  if (mediaType === MediaType.DockerManifest || mediaType === MediaType.DockerManifestList) {
    for (const key of ['artifactType', 'subject', 'annotations'] as const) {
      if (input[key] !== undefined) {
        throw new OciError(
          'MANIFEST_INVALID',
          `A ${mediaType} document has no ${key}; build an OCI one`,
        );
      }
    }
  }
  const document: Json = { schemaVersion: 2, mediaType };
  putString(document, 'artifactType', input.artifactType);
  Object.assign(document, members);
  if (input.subject !== undefined) document.subject = descriptorJson(input.subject);
  putMap(document, 'annotations', input.annotations);
  const text = JSON.stringify(document).replace(/[<>&\u2028\u2029]/g, goEscape);
  return readManifest(new TextEncoder().encode(text), {
    contentType: mediaType,
    maxSize: options.maxSize ?? DEFAULT_MAX_MANIFEST_SIZE,
    algorithm: options.algorithm ?? CANONICAL_ALGORITHM,
  }) as ParsedImageIndex | ParsedImageManifest;
}

/** Go's HTML-safe escape of one character. */
function goEscape(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** A list of descriptors in canonical form; anything else passes through for the parser to report. */
function listJson(list: unknown): unknown {
  return Array.isArray(list) ? list.map(descriptorJson) : list;
}

/** A descriptor in canonical form (the member order of Go's `v1.Descriptor`). */
function descriptorJson(value: unknown): unknown {
  if (!isJsonObject(value)) return value;
  const out: Json = { mediaType: value.mediaType, digest: value.digest, size: value.size };
  putList(out, 'urls', value.urls);
  putMap(out, 'annotations', value.annotations);
  putString(out, 'data', value.data);
  if (value.platform !== undefined) out.platform = platformJson(value.platform);
  putString(out, 'artifactType', value.artifactType);
  return out;
}

/** A platform in canonical form (the member order of Go's `v1.Platform`). */
function platformJson(value: unknown): unknown {
  if (!isJsonObject(value)) return value;
  const out: Json = { architecture: value.architecture, os: value.os };
  putString(out, 'os.version', value['os.version']);
  putList(out, 'os.features', value['os.features']);
  putString(out, 'variant', value.variant);
  return out;
}

/** Sets a member unless it is absent or the empty string (Go's `omitempty`). */
function putString(out: Json, key: string, value: unknown): void {
  if (value !== undefined && value !== '') out[key] = value;
}

/** Sets a member unless it is absent or an empty array. */
function putList(out: Json, key: string, value: unknown): void {
  if (value !== undefined && !(Array.isArray(value) && value.length === 0)) out[key] = value;
}

/** Sets a map member with its keys sorted, unless it is absent or empty. */
function putMap(out: Json, key: string, value: unknown): void {
  if (value === undefined) return;
  if (!isJsonObject(value)) {
    out[key] = value;
    return;
  }
  const keys = Object.keys(value).sort();
  if (keys.length === 0) return;
  const sorted: Json = {};
  for (const name of keys)
    Object.defineProperty(sorted, name, { value: value[name], enumerable: true });
  out[key] = sorted;
}
