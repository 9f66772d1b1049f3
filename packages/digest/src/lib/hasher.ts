import { createHashState } from '#sha2';
import {
  CANONICAL_ALGORITHM,
  type Digest,
  type DigestAlgorithm,
  isSupportedAlgorithm,
  supportedAlgorithms,
} from './digest.ts';
import { OciError } from './errors.ts';

/** An incremental hash that also counts the bytes it was given. */
export interface Hasher {
  /** The algorithm in use. */
  readonly algorithm: DigestAlgorithm;
  /** How many bytes have been hashed so far. */
  readonly size: number;
  /**
   * Feeds bytes into the hash.
   * @throws {OciError} `OPTION_INVALID` after {@link Hasher.digest} was called
   */
  update(data: Uint8Array): this;
  /** Finishes the hash; later calls return the same digest. */
  digest(): Digest;
}

/**
 * Checks that an algorithm can be computed here and narrows its type.
 *
 * @param algorithm - an algorithm name
 * @returns the same name, typed
 * @throws {OciError} `DIGEST_UNSUPPORTED` for any other algorithm
 */
export function assertSupportedAlgorithm(algorithm: string): DigestAlgorithm {
  if (isSupportedAlgorithm(algorithm)) return algorithm;
  throw new OciError(
    'DIGEST_UNSUPPORTED',
    `Digest algorithm "${algorithm}" cannot be computed; supported: ${supportedAlgorithms().join(', ')}`,
  );
}

/**
 * Starts an incremental hash.
 *
 * @param algorithm - `sha256` (default), `sha384` or `sha512`
 * @returns a {@link Hasher}
 * @throws {OciError} `DIGEST_UNSUPPORTED` for any other algorithm
 */
export function createHasher(algorithm: string = CANONICAL_ALGORITHM): Hasher {
  const checked = assertSupportedAlgorithm(algorithm);
  const state = createHashState(checked);
  let size = 0;
  let result: Digest | undefined;
  return {
    algorithm: checked,
    get size() {
      return size;
    },
    update(data) {
      if (result !== undefined) {
        throw new OciError('OPTION_INVALID', 'Cannot update a hasher after its digest was taken');
      }
      state.update(data);
      size += data.byteLength;
      return this;
    },
    digest() {
      result ??= `${checked}:${state.hex()}`;
      return result;
    },
  };
}

const utf8 = new TextEncoder();

/**
 * Computes the digest of bytes in memory (a string is hashed as UTF-8).
 *
 * @param data - the content
 * @param algorithm - `sha256` by default
 * @returns the digest
 * @throws {OciError} `DIGEST_UNSUPPORTED` for an algorithm that cannot be computed
 */
export function digestBytes(
  data: Uint8Array | string,
  algorithm: string = CANONICAL_ALGORITHM,
): Digest {
  const bytes = typeof data === 'string' ? utf8.encode(data) : data;
  return createHasher(algorithm).update(bytes).digest();
}
