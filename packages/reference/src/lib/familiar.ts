import { pathMatch } from './match.ts';
import { DEFAULT_REGISTRY, OFFICIAL_NAMESPACE } from './normalize.ts';
import type { DigestReference, Reference } from './reference.ts';

/**
 * The name as Docker shows it: `docker.io/` dropped, and `library/` dropped
 * from official images (`docker.io/library/ubuntu` → `ubuntu`,
 * `docker.io/user/app` → `user/app`). Other registries are unchanged.
 * Distribution's `FamiliarName`.
 *
 * @param reference - any named reference
 * @returns the familiar name
 */
export function familiarName(reference: Reference): string {
  if (reference.registry !== DEFAULT_REGISTRY) return reference.name;
  const path = reference.repository;
  if (path.startsWith(OFFICIAL_NAMESPACE)) {
    const short = path.slice(OFFICIAL_NAMESPACE.length);
    if (!short.includes('/')) return short;
  }
  return path;
}

/**
 * The reference as Docker shows it: the {@link familiarName} with the tag and
 * digest. A digest reference is its digest. Distribution's `FamiliarString`.
 *
 * @param reference - a reference or digest reference
 * @returns such as `ubuntu:24.04` for `docker.io/library/ubuntu:24.04`
 */
export function familiarString(reference: Reference | DigestReference): string {
  if (!('name' in reference)) return reference.toString();
  return familiarName(reference) + reference.toString().slice(reference.name.length);
}

/**
 * Tells whether a reference matches a glob pattern with Go `path.Match`
 * semantics (`*` and `?` do not cross `/`, `[a-z]`, `[^…]`, `\` escapes),
 * tried against the {@link familiarString} and then the {@link familiarName}.
 * Distribution's `FamiliarMatch`.
 *
 * @param pattern - such as `ubuntu:2?.04` or `ghcr.io/org/*`
 * @param reference - a reference or digest reference
 * @returns whether it matches
 * @throws {OciError} `REFERENCE_INVALID` when the pattern is malformed
 *   (Go's `path.ErrBadPattern`)
 */
export function familiarMatch(pattern: string, reference: Reference | DigestReference): boolean {
  if (pathMatch(pattern, familiarString(reference))) return true;
  return 'name' in reference && pathMatch(pattern, familiarName(reference));
}
