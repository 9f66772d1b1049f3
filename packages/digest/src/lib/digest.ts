import { OciError } from './errors.ts';

/** A digest string, `algorithm:encoded`, such as `sha256:e3b0…b855`. */
export type Digest = `${string}:${string}`;

/** The algorithms this package can compute. */
export type DigestAlgorithm = 'sha256' | 'sha384' | 'sha512';

/** The algorithm OCI uses unless told otherwise. */
export const CANONICAL_ALGORITHM: DigestAlgorithm = 'sha256';

/** Lengths of the hex encoding of each supported algorithm. */
const ENCODED_LENGTH: Readonly<Record<DigestAlgorithm, number>> = {
  sha256: 64,
  sha384: 96,
  sha512: 128,
};

const ALGORITHM_PATTERN = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*$/;
const ENCODED_PATTERN = /^[a-zA-Z0-9=_-]+$/;
const LOWER_HEX = /^[a-f0-9]+$/;

/** A digest taken apart. */
export interface ParsedDigest {
  /** The algorithm, such as `sha256`; may be one this package cannot compute. */
  readonly algorithm: string;
  /** The encoded part after the colon. */
  readonly encoded: string;
  /** The whole digest string. */
  readonly digest: Digest;
  /** Whether this package can compute (and so verify) the digest. */
  readonly supported: boolean;
}

/** Options of {@link parseDigest}. */
export interface ParseDigestOptions {
  /**
   * Reject well-formed digests whose algorithm cannot be computed here with
   * `DIGEST_UNSUPPORTED`, as go-digest's `Parse` does.
   * @default false
   */
  requireSupported?: boolean;
}

/**
 * Tells whether an algorithm name is one this package can compute.
 *
 * @param algorithm - an algorithm name such as `sha256`
 * @returns whether hashing and verification are available for it
 */
export function isSupportedAlgorithm(algorithm: string): algorithm is DigestAlgorithm {
  return Object.hasOwn(ENCODED_LENGTH, algorithm);
}

/**
 * Parses and validates a digest by the OCI image-spec grammar: `algorithm ":"
 * encoded`, where the encoded part of a registered algorithm is lower-case hex
 * of its exact length (64 for sha256, 128 for sha512). Other well-formed
 * algorithms parse with `supported: false` unless `requireSupported` is set.
 *
 * @param value - the string to parse
 * @param options - {@link ParseDigestOptions}
 * @returns the parsed digest
 * @throws {OciError} `DIGEST_INVALID` for a malformed digest or a wrong length;
 *   `DIGEST_UNSUPPORTED` for an unknown algorithm when `requireSupported` is set
 * @see https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests
 */
export function parseDigest(value: string, options: ParseDigestOptions = {}): ParsedDigest {
  const colon = value.indexOf(':');
  if (colon < 0 || colon === value.length - 1) {
    throw invalid(value, 'expected "algorithm:encoded"');
  }
  const algorithm = value.slice(0, colon);
  const encoded = value.slice(colon + 1);
  if (!isSupportedAlgorithm(algorithm)) {
    if (!ALGORITHM_PATTERN.test(algorithm) || !ENCODED_PATTERN.test(encoded)) {
      throw invalid(value, 'it does not match the digest grammar');
    }
    if (options.requireSupported) {
      throw new OciError(
        'DIGEST_UNSUPPORTED',
        `Digest algorithm "${algorithm}" is not supported; supported: ${supportedAlgorithms().join(', ')}`,
      );
    }
    return { algorithm, encoded, digest: value as Digest, supported: false };
  }
  const expectedLength = ENCODED_LENGTH[algorithm];
  if (encoded.length !== expectedLength) {
    throw invalid(
      value,
      `a ${algorithm} digest has ${expectedLength} hex characters, not ${encoded.length}`,
    );
  }
  if (!LOWER_HEX.test(encoded)) {
    throw invalid(value, `a ${algorithm} digest is lower-case hex`);
  }
  return { algorithm, encoded, digest: value as Digest, supported: true };
}

/**
 * Tells whether a string is a valid digest (see {@link parseDigest}).
 *
 * @param value - the string to test
 * @returns whether it parses
 */
export function isDigest(value: string): value is Digest {
  try {
    parseDigest(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * Joins an algorithm and its hex encoding into a validated digest.
 *
 * @param algorithm - such as `sha256`
 * @param encoded - the encoded part
 * @returns the digest string
 * @throws {OciError} `DIGEST_INVALID` when the result is not a valid digest
 */
export function formatDigest(algorithm: string, encoded: string): Digest {
  return parseDigest(`${algorithm}:${encoded}`).digest;
}

/** The names of the algorithms this package can compute, canonical first. */
export function supportedAlgorithms(): DigestAlgorithm[] {
  return Object.keys(ENCODED_LENGTH) as DigestAlgorithm[];
}

function invalid(value: string, reason: string): OciError {
  const shown = value.length > 160 ? `${value.slice(0, 160)}…` : value;
  return new OciError('DIGEST_INVALID', `Invalid digest "${shown}": ${reason}`);
}
