import { abortError, type Digest } from '@ocikit/digest';
import {
  type Descriptor,
  isManifestMediaType,
  manifestChildren,
  manifestSubject,
  parseManifest,
} from '@ocikit/spec';
import type { ExistenceChecker, Fetcher, OperationOptions } from './interfaces.ts';
import { fetchBytes } from './read-write.ts';

/** What {@link findReachable} found. */
export interface Reachability {
  /** Every digest reachable from the roots that is present. */
  readonly reachable: ReadonlySet<Digest>;
  /** Digests reachable from the roots that are not in the store. */
  readonly missing: readonly Descriptor[];
}

/**
 * Walks the content graph from a set of roots: manifests lead to their
 * children (an index's manifests, an image's config and layers) and to
 * their `subject`. Used by garbage collection, which deletes the rest.
 *
 * @param store - where the content is
 * @param roots - the descriptors to start from (tagged manifests, kept referrers, …)
 * @param options - {@link OperationOptions}
 * @returns the reachable digests, and the reachable content that is missing
 */
export async function findReachable(
  store: Fetcher & ExistenceChecker,
  roots: readonly Descriptor[],
  options: OperationOptions = {},
): Promise<Reachability> {
  const reachable = new Set<Digest>();
  const missing: Descriptor[] = [];
  const queue = [...roots];
  for (let node = queue.shift(); node; node = queue.shift()) {
    if (options.signal?.aborted) throw abortError(options.signal);
    if (reachable.has(node.digest as Digest)) continue;
    if (!(await store.exists(node, options))) {
      missing.push(node);
      continue;
    }
    reachable.add(node.digest as Digest);
    if (!isManifestMediaType(node.mediaType)) continue;
    const manifest = parseManifest(await fetchBytes(store, node, options), {
      contentType: node.mediaType,
    });
    if (manifest.kind === 'schema1') continue;
    queue.push(...manifestChildren(manifest));
    const subject = manifestSubject(manifest);
    if (subject) queue.push(subject);
  }
  return { reachable, missing };
}
