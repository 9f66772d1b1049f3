import { OciError } from '@ocikit/digest';
import { compare, Range, SemVer } from 'semver';

/**
 * Which tags of a repository a sync takes. The parts combine: a tag is kept
 * when it matches one `include` pattern (or there is none), no `exclude`
 * pattern, and the `semver` range; of those, `latest` keeps the highest
 * versions.
 */
export interface TagFilter {
  /**
   * Regular expressions (source text), each matched against the whole tag
   * (`v\d+` takes `v12`, not `v12-rc`); a tag must match one of them.
   * @default every tag
   */
  readonly include?: readonly string[];
  /**
   * Regular expressions (source text) matched against the whole tag; a tag
   * matching one of them is left out.
   * @default none
   */
  readonly exclude?: readonly string[];
  /**
   * A semver range as npm writes them (`>=1.2 <2`, `^1.2`, `~1.2.3`, `1.x`,
   * `>=1 <2 || >=3`). Only tags that read as versions can match: an
   * optional `v`, one to three numbers (`1.2` is 1.2.0), then a SemVer
   * pre-release and build; as in npm, a pre-release (`1.3.0-rc.1`,
   * and `1.3-alpine` reads as one) matches only a range that names a
   * pre-release of the same `major.minor.patch`.
   * @default any tag, version or not
   */
  readonly semver?: string;
  /**
   * Keep only the N highest versions (semver order; tags that do not read
   * as versions are left out), after the other parts. Without a `semver`
   * range, pre-releases are left out too (as the range `*` does).
   * @default all
   */
  readonly latest?: number;
}

/** A tag that reads as a version: `v` prefix optional, 1 to 3 numbers, pre-release and build as in SemVer 2.0. */
const VERSION_TAG =
  /^v?(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?(?:\.(0|[1-9]\d*))?(-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/**
 * Reads a tag as a semantic version, deliberately: an optional `v` prefix
 * (`v1.2.3`), one to three numbers with the missing ones taken as 0 (`1.2`
 * is 1.2.0, `3` is 3.0.0), then a SemVer pre-release (`-rc.1`) and build
 * (`+build.5`). Numbers with leading zeros (`01.2`), other prefixes
 * (`release-1.2`) and anything else (`latest`, `3.20.1.4`) are not versions.
 *
 * @param tag - the tag
 * @returns the version, or `undefined` when the tag is not one
 */
export function tagVersion(tag: string): SemVer | undefined {
  const parts = VERSION_TAG.exec(tag);
  if (parts === null) return undefined;
  const [, major, minor = '0', patch = '0', prerelease = '', build = ''] = parts;
  try {
    return new SemVer(`${major}.${minor}.${patch}${prerelease}${build}`);
  } catch {
    return undefined; // a number beyond Number.MAX_SAFE_INTEGER
  }
}

/**
 * Compiles a filter once, checking every part.
 *
 * @param filter - a {@link TagFilter}, or a single `include` pattern, or nothing (every tag)
 * @returns a function that picks the tags to take from a listing, in the listing's order
 * @throws {OciError} `OPTION_INVALID` for a pattern that is no regular
 *   expression, a bad semver range, or a `latest` that is not an integer ≥ 1
 */
export function compileTagFilter(
  filter: TagFilter | string | undefined,
): (tags: readonly string[]) => string[] {
  const parts: TagFilter = typeof filter === 'string' ? { include: [filter] } : (filter ?? {});
  const include = parts.include?.map(wholeTag);
  const exclude = (parts.exclude ?? []).map(wholeTag);
  const latest = parts.latest;
  const range =
    parts.semver === undefined
      ? latest === undefined
        ? undefined
        : new Range('*')
      : semverRange(parts.semver);
  if (latest !== undefined && (!Number.isInteger(latest) || latest < 1)) {
    throw new OciError('OPTION_INVALID', `latest must be an integer ≥ 1, not ${latest}`);
  }
  return (tags) => {
    const versions = new Map<string, SemVer>();
    const kept = tags.filter((tag) => {
      if (include !== undefined && !include.some((pattern) => pattern.test(tag))) return false;
      if (exclude.some((pattern) => pattern.test(tag))) return false;
      if (range === undefined) return true;
      const version = tagVersion(tag);
      if (version === undefined || !range.test(version)) return false;
      versions.set(tag, version);
      return true;
    });
    if (latest === undefined || kept.length <= latest) return kept;
    const newest = new Set(
      [...kept]
        .sort((a, b) => {
          const order = compare(versions.get(b) as SemVer, versions.get(a) as SemVer);
          return order !== 0 ? order : a < b ? -1 : a > b ? 1 : 0;
        })
        .slice(0, latest),
    );
    return kept.filter((tag) => newest.has(tag));
  };
}

function wholeTag(source: string): RegExp {
  try {
    return new RegExp(`^(?:${source})$`);
  } catch (error) {
    throw new OciError('OPTION_INVALID', `The tag filter /${source}/ is not a regular expression`, {
      cause: error,
    });
  }
}

function semverRange(source: string): Range {
  try {
    return new Range(source);
  } catch (error) {
    throw new OciError('OPTION_INVALID', `The semver range "${source}" cannot be parsed`, {
      cause: error,
    });
  }
}
