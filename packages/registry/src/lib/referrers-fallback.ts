import { isNotFound } from '@ocikit/content';
import { type Digest, isOciError, OciError, parseDigest } from '@ocikit/digest';
import { createImageIndex, type Descriptor, MediaType, parseManifest } from '@ocikit/spec';
import { fetchManifest, putManifest } from './manifests.ts';
import type { RepositoryContext } from './options.ts';

/** How many times a conditional update of a referrers index is tried when another writer got there first. */
const CONDITIONAL_ATTEMPTS = 3;

/**
 * The referrers tag of a digest (the fallback for registries without the
 * referrers API): the algorithm truncated to 32 characters, `-`, the
 * encoded part truncated to 64, every character a tag cannot hold replaced
 * by `-`. `sha256:abc…` → `sha256-abc…`.
 *
 * @param digest - the subject's digest
 * @returns the tag
 * @throws {OciError} `DIGEST_INVALID` for a malformed digest
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#referrers-tag-schema
 */
export function referrersTag(digest: string): string {
  const { algorithm, encoded } = parseDigest(digest);
  return `${algorithm.slice(0, 32)}-${encoded.slice(0, 64)}`.replace(/[^a-zA-Z0-9_.-]/g, '-');
}

/** What a referrers tag holds. */
export type FallbackIndex =
  | { readonly state: 'absent' }
  | {
      readonly state: 'index';
      readonly manifests: readonly Descriptor[];
      readonly etag: string | undefined;
    }
  | { readonly state: 'other'; readonly mediaType: string };

/**
 * Reads the referrers index of a subject from its referrers tag.
 *
 * @param context - the repository
 * @param subject - the subject's digest
 * @param signal - cancels the requests
 * @returns what the tag holds: nothing, an image index (its `manifests`), or something else
 * @throws {OciError} transport and registry errors other than not-found
 */
export async function readFallbackIndex(
  context: RepositoryContext,
  subject: Digest,
  signal: AbortSignal | undefined,
): Promise<FallbackIndex> {
  let fetched: Awaited<ReturnType<typeof fetchManifest>>;
  try {
    fetched = await fetchManifest(context, referrersTag(subject), { signal });
  } catch (error) {
    if (isNotFound(error)) return { state: 'absent' };
    throw error;
  }
  const { mediaType } = fetched.descriptor;
  if (mediaType !== MediaType.OciImageIndex) return { state: 'other', mediaType };
  try {
    const parsed = parseManifest(fetched.bytes, {
      contentType: mediaType,
      maxSize: context.settings.maxManifestSize,
    });
    if (parsed.kind !== 'index') return { state: 'other', mediaType };
    return { state: 'index', manifests: parsed.value.manifests, etag: fetched.etag };
  } catch {
    return { state: 'other', mediaType };
  }
}

/** A change to a referrers list. */
export type ReferrerChange = { readonly add: Descriptor } | { readonly remove: Digest };

/**
 * Applies a change to a referrers list, dropping duplicate entries (by digest).
 *
 * @param manifests - the current list
 * @param change - what to add or remove
 * @returns the new list, or undefined when nothing changes
 */
export function applyReferrerChange(
  manifests: readonly Descriptor[],
  change: ReferrerChange,
): Descriptor[] | undefined {
  const seen = new Set<string>();
  const unique = manifests.filter((entry) => !seen.has(entry.digest) && seen.add(entry.digest));
  let next: Descriptor[];
  if ('add' in change) {
    next = seen.has(change.add.digest) ? unique : [...unique, change.add];
  } else {
    next = unique.filter((entry) => entry.digest !== change.remove);
  }
  return next.length === manifests.length && next.every((entry, i) => entry === manifests[i])
    ? undefined
    : next;
}

/**
 * Adds a referrer to (or removes one from) the referrers index of its
 * subject, kept under the referrers tag for registries without the
 * referrers API: read the index, change it, push it back under the tag.
 *
 * Concurrent writers: updates through one client are serialized per tag,
 * so one process never loses its own entries. Across processes the
 * read-modify-write can race; the push is conditional (`If-Match` with the
 * index's `ETag`, or `If-None-Match: *` for a new one) and is tried again
 * when the registry answers 412, but a registry that ignores conditional
 * requests (distribution 2.8 does) leaves a window in which a concurrent
 * writer's entry can be lost. The spec leaves this to clients; the cure is a
 * registry with the referrers API.
 *
 * @param context - the repository
 * @param subject - the subject's digest
 * @param change - the referrer to add, or the digest to remove
 * @param signal - cancels the requests
 * @throws {OciError} `MANIFEST_INVALID` when the tag holds something other
 *   than an image index (the spec says to report and stop); registry errors
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-manifests-with-subject
 */
export function updateFallbackIndex(
  context: RepositoryContext,
  subject: Digest,
  change: ReferrerChange,
  signal: AbortSignal | undefined,
): Promise<void> {
  const tag = referrersTag(subject);
  return context.client.serialize(`${context.name}\n${tag}`, async () => {
    for (let attempt = 1; ; attempt += 1) {
      const current = await readFallbackIndex(context, subject, signal);
      if (current.state === 'other') {
        throw new OciError(
          'MANIFEST_INVALID',
          `The referrers tag "${tag}" of ${context.display} holds a ${current.mediaType}, not an image index: the referrers list was not updated`,
        );
      }
      const next = applyReferrerChange(current.state === 'index' ? current.manifests : [], change);
      if (next === undefined) return;
      const index = createImageIndex({ manifests: next });
      const condition: Record<string, string> | undefined =
        current.state === 'absent'
          ? { 'if-none-match': '*' }
          : current.etag === undefined
            ? undefined
            : { 'if-match': current.etag };
      try {
        await putManifest(context, index, index.digest, {
          reference: tag,
          signal,
          ...(condition === undefined ? {} : { headers: condition }),
        });
        return;
      } catch (error) {
        if (!isOciError(error) || error.status !== 412 || attempt >= CONDITIONAL_ATTEMPTS) {
          throw error;
        }
      }
    }
  });
}
