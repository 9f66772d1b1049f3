import { OciError } from '@ocikit/digest';
import {
  Annotation,
  type Descriptor,
  type ImageIndex,
  MediaType,
  parseManifest,
} from '@ocikit/spec';
import { CONTAINERD_IMAGE_NAME, containerdImageName, tagOfImageName } from './tag.ts';

/**
 * The default size limit of `index.json`, 64 MiB: far above what a layout
 * with tens of thousands of entries needs, and a bound on memory.
 */
export const DEFAULT_MAX_INDEX_SIZE = 64 * 1024 * 1024;

/**
 * The deepest nesting of JSON values accepted in `index.json`, 64: real
 * indexes nest 4 deep (index, manifests, entry, annotations); unknown members
 * are kept and written back, and far deeper ones would overflow the stack
 * of `JSON.stringify` on every update.
 */
const MAX_INDEX_DEPTH = 64;

/** Options of {@link parseLayoutIndex}. */
export interface ParseLayoutIndexOptions {
  /**
   * The largest `index.json` accepted, in bytes.
   * @default DEFAULT_MAX_INDEX_SIZE (64 MiB)
   */
  maxSize?: number;
}

/** Options of {@link setLayoutTag}. */
export interface SetLayoutTagOptions {
  /**
   * The repository the image belongs to, such as `example.com/app` (or
   * `alpine`, normalized to `docker.io/library/alpine`). When set, the entry
   * also gets `io.containerd.image.name: <repository>:<tag>`, so `ctr import`
   * and `docker load` name the image. The tag must then be a registry tag.
   * @default undefined (no containerd name)
   */
  imageName?: string;
}

/**
 * Parses and validates a layout's `index.json`: an OCI image index (its
 * `mediaType`, when present, must be the OCI index type). Every member is
 * kept, unknown ones included, so an update writes them back.
 *
 * @param bytes - the file's content
 * @param options - {@link ParseLayoutIndexOptions}
 * @returns the index, deep-frozen
 * @throws {OciError} `LAYOUT_INVALID` when it is not a valid OCI image index
 *   (the underlying error is the `cause`), or nests deeper than
 *   64 levels
 * @see https://github.com/opencontainers/image-spec/blob/main/image-layout.md#indexjson-file
 */
export function parseLayoutIndex(
  bytes: Uint8Array,
  options: ParseLayoutIndexOptions = {},
): ImageIndex {
  let parsed: ReturnType<typeof parseManifest>;
  try {
    parsed = parseManifest(bytes, { maxSize: options.maxSize ?? DEFAULT_MAX_INDEX_SIZE });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new OciError('LAYOUT_INVALID', `index.json is invalid: ${reason}`, { cause: error });
  }
  if (parsed.kind !== 'index' || parsed.mediaType !== MediaType.OciImageIndex) {
    throw new OciError(
      'LAYOUT_INVALID',
      `index.json is invalid: it is a ${parsed.mediaType}, not an OCI image index`,
    );
  }
  if (depthOf(parsed.value, MAX_INDEX_DEPTH) > MAX_INDEX_DEPTH) {
    throw new OciError(
      'LAYOUT_INVALID',
      `index.json is invalid: it nests deeper than the ${MAX_INDEX_DEPTH}-level limit`,
    );
  }
  return parsed.value;
}

/** How deep a JSON value nests (a scalar is 0), counted without recursion and only up to just past `limit`. */
function depthOf(root: unknown, limit: number): number {
  let deepest = 0;
  const pending: [value: unknown, depth: number][] = [[root, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [value, depth] = next;
    if (typeof value !== 'object' || value === null) continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > limit) return deepest;
    for (const child of Object.values(value)) pending.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * Serializes an index for `index.json`: compact JSON, members in the order
 * they have (a parsed index keeps the file's order).
 *
 * @param index - the index
 * @returns UTF-8 JSON bytes
 */
export function serializeLayoutIndex(index: ImageIndex): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(index));
}

/**
 * An empty layout index: `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}`.
 *
 * @returns the index, frozen
 */
export function createLayoutIndex(): ImageIndex {
  return Object.freeze({
    schemaVersion: 2,
    mediaType: MediaType.OciImageIndex,
    manifests: Object.freeze([]),
  });
}

/**
 * The tag an `index.json` entry carries: its
 * `org.opencontainers.image.ref.name`, or else the tag of its
 * `io.containerd.image.name` (`docker.io/library/x:1` → `1`).
 *
 * @param entry - an entry of `index.json`
 * @returns the tag, or `undefined` for an untagged entry
 */
export function layoutEntryTag(entry: Descriptor): string | undefined {
  const refName = entry.annotations?.[Annotation.RefName];
  if (refName !== undefined && refName !== '') return refName;
  const imageName = entry.annotations?.[CONTAINERD_IMAGE_NAME];
  return imageName === undefined ? undefined : tagOfImageName(imageName);
}

/**
 * Every tag of a layout, each once, in code-unit order.
 *
 * @param index - the layout's index
 * @returns the sorted tags
 */
export function layoutTags(index: ImageIndex): string[] {
  const tags = new Set<string>();
  for (const entry of index.manifests) {
    const tag = layoutEntryTag(entry);
    if (tag !== undefined) tags.add(tag);
  }
  return [...tags].sort(compareStrings);
}

/**
 * The entry a tag names. When foreign tools left several entries with one
 * tag, the last one wins, as when containerd imports the file.
 *
 * @param index - the layout's index
 * @param tag - the tag
 * @returns the entry, or `undefined`
 */
export function findLayoutEntry(index: ImageIndex, tag: string): Descriptor | undefined {
  let found: Descriptor | undefined;
  for (const entry of index.manifests) {
    if (layoutEntryTag(entry) === tag) found = entry;
  }
  return found;
}

/**
 * Points a tag at a manifest, immutably:
 *
 * - an entry of this manifest that already has the tag is kept (with its
 *   other annotations and members) and other entries with the tag go;
 * - otherwise every entry with the tag goes, and an untagged entry of this
 *   manifest takes the tag, or a new entry is appended;
 * - so tagging twice, or re-tagging, never duplicates an entry.
 *
 * A new entry holds the descriptor's `mediaType`, `digest`, `size`,
 * `platform` and `artifactType` and the annotations
 * `org.opencontainers.image.ref.name` (and `io.containerd.image.name` with
 * `imageName`). Tag validity is the caller's business (see `assertLayoutTag`).
 *
 * @param index - the layout's index
 * @param descriptor - the manifest to tag
 * @param tag - the tag
 * @param options - {@link SetLayoutTagOptions}
 * @returns the new index, or `index` itself when nothing changes
 * @throws {OciError} `OPTION_INVALID` for an `imageName` that is not a
 *   repository name, or with a tag that is not a registry tag
 * @see https://github.com/opencontainers/image-spec/blob/main/image-layout.md#indexjson-file
 */
export function setLayoutTag(
  index: ImageIndex,
  descriptor: Descriptor,
  tag: string,
  options: SetLayoutTagOptions = {},
): ImageIndex {
  const names: Record<string, string> = { [Annotation.RefName]: tag };
  if (options.imageName !== undefined) {
    names[CONTAINERD_IMAGE_NAME] = containerdImageName(options.imageName, tag);
  }
  const manifests = index.manifests;
  let keep = manifests.findIndex(
    (entry) => entry.digest === descriptor.digest && layoutEntryTag(entry) === tag,
  );
  if (keep < 0) {
    keep = manifests.findIndex(
      (entry) => entry.digest === descriptor.digest && layoutEntryTag(entry) === undefined,
    );
  }
  const next: Descriptor[] = [];
  let changed = false;
  for (const [position, entry] of manifests.entries()) {
    if (position === keep) {
      const updated = withAnnotations(entry, names);
      changed ||= updated !== entry;
      next.push(updated);
    } else if (layoutEntryTag(entry) === tag) {
      changed = true;
    } else {
      next.push(entry);
    }
  }
  if (keep < 0) {
    next.push(newEntry(descriptor, names));
    changed = true;
  }
  return changed ? withManifests(index, next) : index;
}

/**
 * Removes a tag, immutably: every entry with the tag goes.
 *
 * @param index - the layout's index
 * @param tag - the tag
 * @returns the new index, or `index` itself when no entry has the tag
 */
export function removeLayoutTag(index: ImageIndex, tag: string): ImageIndex {
  const next = index.manifests.filter((entry) => layoutEntryTag(entry) !== tag);
  return next.length === index.manifests.length ? index : withManifests(index, next);
}

/**
 * Adds an untagged entry for a manifest unless some entry already lists it,
 * so garbage collection keeps it (skopeo and oras keep referrers this way).
 *
 * @param index - the layout's index
 * @param descriptor - the manifest
 * @returns the new index, or `index` itself when the manifest is listed
 */
export function addLayoutEntry(index: ImageIndex, descriptor: Descriptor): ImageIndex {
  if (index.manifests.some((entry) => entry.digest === descriptor.digest)) return index;
  return withManifests(index, [...index.manifests, newEntry(descriptor, {})]);
}

/**
 * Removes every entry of a manifest, tagged or not.
 *
 * @param index - the layout's index
 * @param digest - the manifest's digest
 * @returns the new index, or `index` itself when no entry lists it
 */
export function removeLayoutEntries(index: ImageIndex, digest: string): ImageIndex {
  const next = index.manifests.filter((entry) => entry.digest !== digest);
  return next.length === index.manifests.length ? index : withManifests(index, next);
}

function withManifests(index: ImageIndex, manifests: readonly Descriptor[]): ImageIndex {
  return Object.freeze({ ...index, manifests: Object.freeze([...manifests]) });
}

/**
 * A new `index.json` entry in canonical member order (Go's `v1.Descriptor`):
 * the descriptor's `mediaType`, `digest`, `size`, `platform` and
 * `artifactType`, and the given annotations (sorted; none when empty).
 *
 * @param descriptor - the manifest
 * @param annotations - the entry's annotations
 * @returns the entry, frozen
 */
export function newEntry(descriptor: Descriptor, annotations: Record<string, string>): Descriptor {
  const { mediaType, digest, size, platform, artifactType } = descriptor;
  const entry: Record<string, unknown> = { mediaType, digest, size };
  if (Object.keys(annotations).length > 0) entry.annotations = sortedMap(annotations);
  if (platform !== undefined) entry.platform = platform;
  if (artifactType !== undefined) entry.artifactType = artifactType;
  return Object.freeze(entry) as unknown as Descriptor;
}

/** The entry with `annotations` merged in, or the entry itself when they are there already. */
function withAnnotations(entry: Descriptor, annotations: Record<string, string>): Descriptor {
  const current = entry.annotations ?? {};
  if (Object.entries(annotations).every(([key, value]) => current[key] === value)) return entry;
  return Object.freeze({ ...entry, annotations: sortedMap({ ...current, ...annotations }) });
}

function sortedMap(map: Record<string, string>): Readonly<Record<string, string>> {
  const sorted: Record<string, string> = {};
  for (const key of Object.keys(map).sort(compareStrings)) sorted[key] = map[key] as string;
  return Object.freeze(sorted);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
