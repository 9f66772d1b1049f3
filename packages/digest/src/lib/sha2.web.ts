import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { DigestAlgorithm } from './digest.ts';
import type { HashState } from './hash-state.ts';

const HASHES = { sha256, sha384, sha512 } as const;

/**
 * The hash backend where `node:crypto` is absent (browsers, workers):
 * `@noble/hashes`, audited pure JavaScript.
 */
export function createHashState(algorithm: DigestAlgorithm): HashState {
  const hash = HASHES[algorithm].create();
  return {
    update(data) {
      hash.update(data);
    },
    hex() {
      return bytesToHex(hash.digest());
    },
  };
}
