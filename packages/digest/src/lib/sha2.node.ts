import { createHash } from 'node:crypto';
import type { DigestAlgorithm } from './digest.ts';
import type { HashState } from './hash-state.ts';

/**
 * The hash backend for runtimes with `node:crypto` (Node, Deno, Bun): OpenSSL,
 * with SHA-NI where the CPU has it.
 */
export function createHashState(algorithm: DigestAlgorithm): HashState {
  const hash = createHash(algorithm);
  return {
    update(data) {
      hash.update(data);
    },
    hex() {
      return hash.digest('hex');
    },
  };
}
