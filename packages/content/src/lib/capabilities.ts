import type {
  Deleter,
  Located,
  Mounter,
  RangeFetcher,
  ReferrerLister,
  RepositoryLocation,
  ResumablePusher,
  TagLister,
  Untagger,
} from './interfaces.ts';

function hasMethods(value: unknown, ...names: string[]): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return names.every((name) => typeof record[name] === 'function');
}

/** Tells whether a target can list its tags. */
export function isTagLister(value: unknown): value is TagLister {
  return hasMethods(value, 'tags');
}

/** Tells whether a target can list referrers of a manifest. */
export function isReferrerLister(value: unknown): value is ReferrerLister {
  return hasMethods(value, 'referrers');
}

/** Tells whether a target can delete content. */
export function isDeleter(value: unknown): value is Deleter {
  return hasMethods(value, 'delete');
}

/** Tells whether a target can remove a tag alone. */
export function isUntagger(value: unknown): value is Untagger {
  return hasMethods(value, 'untag');
}

/** Tells whether a target can mount content from another place. */
export function isMounter(value: unknown): value is Mounter {
  return hasMethods(value, 'mount');
}

/** Tells whether a fetcher can start mid-content. */
export function isRangeFetcher(value: unknown): value is RangeFetcher {
  return hasMethods(value, 'fetchRange');
}

/** Tells whether a pusher can continue an interrupted push. */
export function isResumablePusher(value: unknown): value is ResumablePusher {
  return hasMethods(value, 'resumeOffset', 'pushFrom');
}

/** Tells whether a value names a repository of a registry (`registry` and `repository` strings). */
export function isRepositoryLocation(value: unknown): value is RepositoryLocation {
  if (typeof value !== 'object' || value === null) return false;
  const { registry, repository } = value as Record<string, unknown>;
  return typeof registry === 'string' && typeof repository === 'string';
}

/** Tells whether a target is a repository of a registry. */
export function isLocated(value: unknown): value is Located {
  return (
    typeof value === 'object' &&
    value !== null &&
    isRepositoryLocation((value as { location?: unknown }).location)
  );
}
