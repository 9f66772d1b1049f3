import { type Digest, parseDigest } from '@ocikit/digest';
import { quote, referenceInvalid } from './errors.ts';
import {
  ANCHORED_DIGEST_RE,
  ANCHORED_DOMAIN_RE,
  ANCHORED_NAME_RE,
  ANCHORED_REMOTE_NAME_RE,
  ANCHORED_TAG_RE,
  REFERENCE_RE,
} from './regexp.ts';

/** Longest repository path (the name without its registry), in characters. */
export const REPOSITORY_MAX_LENGTH = 255;

/** The tag that {@link Reference.withDefaultTag} gives a name-only reference. */
export const DEFAULT_TAG = 'latest';

/** What a valid tag looks like, for error messages. */
export const TAG_RULE =
  'a tag is 1 to 128 letters, digits, "_", "." and "-", and does not start with "." or "-"';
const DIGEST_RULE = 'a digest is "algorithm:hex" with at least 32 hex digits';
const NAME_RULE =
  'a name is [host[:port]/]path, where path components are lower-case letters and digits separated by ".", "_", "__" or dashes';

/**
 * An image reference: `registry/repository[:tag][@digest]`, immutable. Built
 * by {@link parse}, {@link parseName} and the normalizing parsers; every
 * `with…` method returns a new value.
 */
export interface Reference {
  /** The registry host with its port (`docker.io`, `localhost:5000`, `[::1]:5000`); `''` when the input had none. */
  readonly registry: string;
  /** The path in the registry, without the registry: `library/ubuntu`. */
  readonly repository: string;
  /** `registry/repository`, or the repository alone when there is no registry. */
  readonly name: string;
  /** The tag, or `undefined`. */
  readonly tag: string | undefined;
  /** The digest, or `undefined`. */
  readonly digest: Digest | undefined;
  /**
   * Sets or replaces the tag, keeping any digest (distribution's `WithTag`).
   *
   * @param tag - the tag, by the grammar `[\w][\w.-]{0,127}`
   * @returns the new reference
   * @throws {OciError} `REFERENCE_INVALID` when the tag is malformed
   */
  withTag(tag: string): Reference;
  /**
   * Sets or replaces the digest, keeping any tag (distribution's
   * `WithDigest`). Like distribution, this checks the reference grammar only
   * (`algorithm:` and at least 32 hex digits), not the algorithm's length: use
   * `parseDigest` from `@ocikit/digest` first when the digest must be verifiable.
   *
   * @param digest - such as `sha256:…`
   * @returns the new reference
   * @throws {OciError} `REFERENCE_INVALID` when the digest is malformed
   */
  withDigest(digest: string): Reference;
  /**
   * Drops the tag.
   *
   * @returns the reference without a tag (this one when it has none)
   */
  withoutTag(): Reference;
  /**
   * Drops the digest.
   *
   * @returns the reference without a digest (this one when it has none)
   */
  withoutDigest(): Reference;
  /**
   * Drops tag and digest (distribution's `TrimNamed`).
   *
   * @returns the name-only reference
   */
  nameOnly(): Reference;
  /**
   * Adds a tag when the reference has neither tag nor digest (distribution's
   * `TagNameOnly`).
   *
   * @param tag - the tag to add; {@link DEFAULT_TAG} (`latest`) by default
   * @returns the tagged reference, or this one when it has a tag or digest
   * @throws {OciError} `REFERENCE_INVALID` when the tag is malformed
   */
  withDefaultTag(tag?: string): Reference;
  /** The canonical string: `name[:tag][@digest]`. */
  toString(): string;
  /** The canonical string, so that `JSON.stringify` writes references as strings. */
  toJSON(): string;
}

/** A reference that is only a digest, from {@link parseAnyReference}. It has no `name`. */
export interface DigestReference {
  /** The digest, such as `sha256:…`. */
  readonly digest: Digest;
  /** The digest. */
  toString(): string;
  /** The digest. */
  toJSON(): string;
}

class NamedReference implements Reference {
  readonly registry: string;
  readonly repository: string;
  readonly name: string;
  readonly tag: string | undefined;
  readonly digest: Digest | undefined;

  constructor(
    registry: string,
    repository: string,
    tag: string | undefined,
    digest: Digest | undefined,
  ) {
    this.registry = registry;
    this.repository = repository;
    this.name = registry === '' ? repository : `${registry}/${repository}`;
    this.tag = tag;
    this.digest = digest;
    Object.freeze(this);
  }

  withTag(tag: string): Reference {
    if (!ANCHORED_TAG_RE.test(tag)) throw referenceInvalid('Invalid tag', tag, TAG_RULE);
    return new NamedReference(this.registry, this.repository, tag, this.digest);
  }

  withDigest(digest: string): Reference {
    if (!ANCHORED_DIGEST_RE.test(digest)) {
      throw referenceInvalid('Invalid digest', digest, DIGEST_RULE);
    }
    return new NamedReference(this.registry, this.repository, this.tag, digest as Digest);
  }

  withoutTag(): Reference {
    if (this.tag === undefined) return this;
    return new NamedReference(this.registry, this.repository, undefined, this.digest);
  }

  withoutDigest(): Reference {
    if (this.digest === undefined) return this;
    return new NamedReference(this.registry, this.repository, this.tag, undefined);
  }

  nameOnly(): Reference {
    return this.withoutTag().withoutDigest();
  }

  withDefaultTag(tag: string = DEFAULT_TAG): Reference {
    return this.tag === undefined && this.digest === undefined ? this.withTag(tag) : this;
  }

  toString(): string {
    const tag = this.tag === undefined ? '' : `:${this.tag}`;
    const digest = this.digest === undefined ? '' : `@${this.digest}`;
    return `${this.name}${tag}${digest}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

class DigestOnlyReference implements DigestReference {
  readonly digest: Digest;

  constructor(digest: Digest) {
    this.digest = digest;
    Object.freeze(this);
  }

  toString(): string {
    return this.digest;
  }

  toJSON(): string {
    return this.digest;
  }
}

/**
 * Tells whether a string is a repository path as the distribution-spec
 * `<name>` grammar gives it (no registry host, at most 255 characters):
 * lower-case alphanumeric path components separated by `.`, `_`, `__` or
 * dashes, joined by `/`. Such a path never holds `..` or an empty component.
 *
 * @param value - such as `library/alpine`
 * @returns whether it is a repository path
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests
 */
export function isRepositoryPath(value: string): boolean {
  return value.length <= REPOSITORY_MAX_LENGTH && ANCHORED_REMOTE_NAME_RE.test(value);
}

/**
 * Tells whether a string is a valid tag: `[\w][\w.-]{0,127}`.
 *
 * @param value - the candidate tag
 * @returns whether it is a tag
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests
 */
export function isTag(value: string): boolean {
  return ANCHORED_TAG_RE.test(value);
}

/**
 * Wraps a validated digest as a {@link DigestReference}.
 *
 * @param digest - a digest already checked by `parseDigest`
 * @returns the digest reference
 */
export function digestReference(digest: Digest): DigestReference {
  return new DigestOnlyReference(digest);
}

/**
 * Parses a reference by the distribution/reference grammar, without
 * normalization: `ubuntu` stays `ubuntu` (no registry), `docker.io/ubuntu`
 * keeps its path. The first path component is the registry only when a `/`
 * follows it. Distribution's `Parse`.
 *
 * @param input - such as `registry.example.com:5000/team/app:v1@sha256:…`
 * @returns the reference
 * @throws {OciError} `REFERENCE_INVALID` when the input does not follow the
 *   grammar, has upper case in the path, a path over 255 characters, or a
 *   digest that `parseDigest` rejects (the digest error is the `cause`)
 * @see https://github.com/distribution/reference/blob/main/reference.go
 */
export function parse(input: string): Reference {
  return parseAs(input, input);
}

/**
 * {@link parse} for text derived from what the user gave (normalization
 * prefixes `docker.io/library/`); errors quote `shown`.
 *
 * @param text - the reference to parse
 * @param shown - the input quoted in error messages
 * @returns the reference
 * @throws {OciError} `REFERENCE_INVALID`, as {@link parse}
 */
export function parseAs(text: string, shown: string): Reference {
  const subject = 'Cannot parse reference';
  const match = REFERENCE_RE.exec(text);
  if (match === null) {
    // Explain with the user's own text unless only the derived one is wrong.
    const explained = shown === text || REFERENCE_RE.test(shown) ? text : shown;
    throw referenceInvalid(subject, shown, schemeHint(shown) ?? whyInvalid(explained));
  }
  const [, name = '', tag, digest] = match;
  const [, registry = '', repository = ''] = ANCHORED_NAME_RE.exec(name) ?? [];
  checkLength(subject, shown, repository);
  return new NamedReference(
    registry,
    repository,
    tag,
    digest === undefined ? undefined : checkedDigest(subject, shown, digest),
  );
}

/**
 * Parses a bare name, `[registry/]repository`, without tag or digest and
 * without normalization. Distribution's `WithName`.
 *
 * @param name - such as `example.com:5000/team/app`
 * @returns the name-only reference
 * @throws {OciError} `REFERENCE_INVALID` when the name does not follow the
 *   grammar (a tag or digest included, upper case in the path) or its path is
 *   over 255 characters
 */
export function parseName(name: string): Reference {
  const subject = 'Invalid repository name';
  const match = ANCHORED_NAME_RE.exec(name);
  if (match === null) {
    throw referenceInvalid(subject, name, name === '' ? 'it is empty' : NAME_RULE);
  }
  const [, registry = '', repository = ''] = match;
  checkLength(subject, name, repository);
  return new NamedReference(registry, repository, undefined, undefined);
}

function checkLength(subject: string, input: string, repository: string): void {
  if (repository.length > REPOSITORY_MAX_LENGTH) {
    throw referenceInvalid(
      subject,
      input,
      `the repository name is ${repository.length} characters, over the ${REPOSITORY_MAX_LENGTH}-character limit`,
    );
  }
}

/**
 * Validates a digest with `parseDigest` (algorithms this build can compute,
 * exact length, lower-case hex), as go-digest's `Parse` does for distribution.
 *
 * @param subject - the start of the error message
 * @param input - the input quoted in the message
 * @param digest - the digest part of the input
 * @returns the digest
 * @throws {OciError} `REFERENCE_INVALID`, with the digest error as `cause`
 */
export function checkedDigest(subject: string, input: string, digest: string): Digest {
  try {
    return parseDigest(digest, { requireSupported: true }).digest;
  } catch (error) {
    const { message } = error as Error;
    throw referenceInvalid(
      subject,
      input,
      `${message.charAt(0).toLowerCase()}${message.slice(1)}`,
      error,
    );
  }
}

/** Says which part of a string that failed the grammar is wrong (error path only). */
/** What to write instead of a URL such as `http://host/repo`: a reference has no scheme. */
function schemeHint(input: string): string | undefined {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(input)?.[0];
  if (scheme === undefined) return undefined;
  return `a reference has no scheme: drop the scheme ${quote(scheme)}: ${quote(input.slice(scheme.length))}`;
}

function whyInvalid(input: string): string {
  if (input === '') return 'it is empty';
  const lower = input.toLowerCase();
  if (lower !== input && REFERENCE_RE.test(lower)) return 'repository name must be lowercase';
  const at = input.indexOf('@');
  const digest = at < 0 ? undefined : input.slice(at + 1);
  if (digest !== undefined && !ANCHORED_DIGEST_RE.test(digest)) {
    return `invalid digest ${quote(digest)}: ${DIGEST_RULE}`;
  }
  const head = at < 0 ? input : input.slice(0, at);
  const colon = head.indexOf(':', head.lastIndexOf('/') + 1);
  const name = colon < 0 ? head : head.slice(0, colon);
  if (name === '') return 'the repository name is missing';
  if (!ANCHORED_NAME_RE.test(name)) {
    if (ANCHORED_DOMAIN_RE.test(head)) return 'it is a registry host without a repository';
    return `invalid repository name ${quote(name)}: ${NAME_RULE}`;
  }
  return `invalid tag ${quote(head.slice(colon + 1))}: ${TAG_RULE}`;
}
