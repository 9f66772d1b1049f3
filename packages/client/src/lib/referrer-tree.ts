import type { ReferrerLister, ReferrerListOptions } from '@ocikit/content';
import type { Descriptor } from '@ocikit/spec';

/** A referrer and, below it, the referrers of that referrer. */
export interface ReferrerNode {
  /** The referrer's manifest: media type, digest, size, `artifactType`, annotations. */
  readonly descriptor: Descriptor;
  /** The manifests that refer to this one, recursively. */
  readonly referrers: readonly ReferrerNode[];
}

/** Every referrer of a manifest, recursively: the tree `Client.referrers` returns. */
export interface ReferrerTree {
  /** The manifest the location names. */
  readonly subject: Descriptor;
  /** Its referrers, each with its own. */
  readonly referrers: readonly ReferrerNode[];
}

/**
 * Lists the referrers of a subject and of each referrer, depth first. A
 * manifest met twice (a cycle a hostile source could build) is listed again
 * without its referrers.
 *
 * @param lister - where the referrers are listed
 * @param subject - the manifest at the top
 * @param options - `artifactType` (applied at every depth), `signal`
 * @returns the tree
 * @throws {OciError} the lister's errors
 */
export async function referrerTree(
  lister: ReferrerLister,
  subject: Descriptor,
  options: ReferrerListOptions,
): Promise<ReferrerTree> {
  const seen = new Set<string>([subject.digest]);
  const below = async (of: Descriptor): Promise<ReferrerNode[]> => {
    const nodes: ReferrerNode[] = [];
    for await (const descriptor of lister.referrers(of, options)) {
      const first = !seen.has(descriptor.digest);
      seen.add(descriptor.digest);
      nodes.push({ descriptor, referrers: first ? await below(descriptor) : [] });
    }
    return nodes;
  };
  return { subject, referrers: await below(subject) };
}
