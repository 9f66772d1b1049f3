import type { Descriptor } from '@ocikit/spec';
import type { ReferrerListOptions } from './interfaces.ts';

/**
 * Tells whether a referrer passes the filter of a referrers listing: any
 * referrer without an `artifactType` filter, else only those of that type.
 * Every {@link ReferrerLister} applies it, and a registry client applies it
 * when the server did not (`OCI-Filters-Applied`).
 *
 * @param referrer - a referrer's descriptor
 * @param options - the listing's options (`artifactType`)
 * @returns whether to list it
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers
 */
export function matchesReferrerFilter(
  referrer: Pick<Descriptor, 'artifactType'>,
  options: Pick<ReferrerListOptions, 'artifactType'>,
): boolean {
  return options.artifactType === undefined || referrer.artifactType === options.artifactType;
}
