import { parseDigest } from '@ocikit/digest';
import { quote, referenceInvalid } from './errors.ts';
import { type DigestReference, digestReference, parseAs, type Reference } from './reference.ts';
import { ANCHORED_IDENTIFIER_RE } from './regexp.ts';

/** The registry of Docker Hub as normalization writes it. */
export const DEFAULT_REGISTRY = 'docker.io';

/** Docker Hub's legacy name ("the Docker Index"), normalized to {@link DEFAULT_REGISTRY}. */
const LEGACY_REGISTRY = 'index.docker.io';

/** The namespace of Docker Hub's official images. */
export const OFFICIAL_NAMESPACE = 'library/';

/** Options of {@link parseNormalized}. */
export interface ParseNormalizedOptions {
  /**
   * Accept only input already in normalized form (`docker.io/library/ubuntu`,
   * not `ubuntu` or `docker.io/ubuntu`), as distribution's `ParseNamed` does.
   * @default false
   */
  canonical?: boolean;
}

/**
 * Parses a reference the way Docker does, turning a familiar name into a
 * fully qualified one: `ubuntu` → `docker.io/library/ubuntu`, `user/app` →
 * `docker.io/user/app`, `index.docker.io/…` → `docker.io/…`. The first path
 * component is a registry when it is `localhost`, contains `.` or `:`, or has
 * upper case; anything else lives on Docker Hub. No tag is added (see
 * {@link parseDockerRef}). Distribution's `ParseNormalizedNamed`.
 *
 * @param input - such as `ubuntu:24.04` or `ghcr.io/org/app@sha256:…`
 * @param options - {@link ParseNormalizedOptions}
 * @returns the normalized reference; its `registry` is never empty
 * @throws {OciError} `REFERENCE_INVALID` for 64-hex strings (image IDs), upper
 *   case in the repository, anything {@link parse} rejects, and, with
 *   `canonical`, input that normalization would change
 * @see https://github.com/distribution/reference/blob/main/normalize.go
 */
export function parseNormalized(input: string, options: ParseNormalizedOptions = {}): Reference {
  const subject = 'Cannot parse reference';
  if (input === '') throw referenceInvalid(subject, input, 'it is empty');
  if (ANCHORED_IDENTIFIER_RE.test(input)) {
    throw referenceInvalid(
      subject,
      input,
      'a 64-character hex string is an image ID, not a repository name',
    );
  }
  const [registry, remainder] = splitDockerDomain(input);
  const colon = remainder.indexOf(':');
  const remote = colon < 0 ? remainder : remainder.slice(0, colon);
  if (remote.toLowerCase() !== remote) {
    throw referenceInvalid(subject, input, `repository name ${quote(remote)} must be lowercase`);
  }
  const reference = parseAs(`${registry}/${remainder}`, input);
  if (options.canonical && reference.toString() !== input) {
    throw referenceInvalid(
      subject,
      input,
      `it is not in canonical form; the canonical form is ${quote(reference.toString())}`,
    );
  }
  return reference;
}

/**
 * Parses like {@link parseNormalized}, then makes the reference usable for a
 * pull the way Docker does: `latest` when there is neither tag nor digest, and
 * only the digest when there are both. Distribution's `ParseDockerRef`.
 *
 * @param input - such as `busybox`
 * @returns `docker.io/library/busybox:latest` for `busybox`
 * @throws {OciError} `REFERENCE_INVALID`, as {@link parseNormalized}
 */
export function parseDockerRef(input: string): Reference {
  const reference = parseNormalized(input);
  if (reference.tag !== undefined && reference.digest !== undefined) return reference.withoutTag();
  return reference.withDefaultTag();
}

/**
 * Parses a string that may be an image ID, a digest or a familiar name: 64
 * lower-case hex digits become the digest `sha256:<hex>`, a digest this build
 * can compute (`sha256:…`, `sha512:…`) stays a digest, anything else goes
 * through {@link parseNormalized}. Tell the results apart with `'name' in
 * result`. Distribution's `ParseAnyReference`.
 *
 * @param input - such as `redis`, `sha256:…` or a bare image ID
 * @returns a {@link Reference} or a {@link DigestReference}
 * @throws {OciError} `REFERENCE_INVALID`, as {@link parseNormalized}
 */
export function parseAnyReference(input: string): Reference | DigestReference {
  if (ANCHORED_IDENTIFIER_RE.test(input)) return digestReference(`sha256:${input}`);
  try {
    return digestReference(parseDigest(input, { requireSupported: true }).digest);
  } catch {
    return parseNormalized(input);
  }
}

/** Splits a familiar name into registry and remote name, defaulting to Docker Hub. */
function splitDockerDomain(name: string): [registry: string, remainder: string] {
  const slash = name.indexOf('/');
  if (slash < 0) return [DEFAULT_REGISTRY, OFFICIAL_NAMESPACE + name];
  const first = name.slice(0, slash);
  const rest = name.slice(slash + 1);
  let registry = DEFAULT_REGISTRY;
  let remainder = name;
  if (first === LEGACY_REGISTRY) {
    remainder = rest;
  } else if (
    first === 'localhost' ||
    first.includes('.') ||
    first.includes(':') ||
    first.toLowerCase() !== first
  ) {
    registry = first;
    remainder = rest;
  }
  if (registry === DEFAULT_REGISTRY && !remainder.includes('/')) {
    remainder = OFFICIAL_NAMESPACE + remainder;
  }
  return [registry, remainder];
}
