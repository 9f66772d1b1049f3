import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isOciError } from './errors.ts';
import { createHasher, digestBytes } from './hasher.ts';
import { createHashState as nodeState } from './sha2.node.ts';
import { createHashState as webState } from './sha2.web.ts';

const ALGORITHMS = ['sha256', 'sha384', 'sha512'] as const;

function oracle(algorithm: string, data: Uint8Array): string {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

describe('createHasher', () => {
  it('hashes known vectors', () => {
    expect(digestBytes('')).toBe(
      'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(digestBytes('{}')).toBe(
      'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
    );
    expect(digestBytes('abc', 'sha512')).toBe(
      'sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    );
  });

  it('gives the oracle digest for every split of the input, with both backends', () => {
    const data = randomBytes(300);
    // Hash a copy that sits at a non-zero byteOffset in a larger buffer.
    const padded = new Uint8Array(data.byteLength + 7);
    padded.set(data, 3);
    const view = padded.subarray(3, 3 + data.byteLength);
    for (const algorithm of ALGORITHMS) {
      const expected = oracle(algorithm, data);
      for (let split = 0; split <= data.byteLength; split += 1) {
        const hasher = createHasher(algorithm);
        hasher.update(view.subarray(0, split)).update(view.subarray(split));
        expect(hasher.digest(), `${algorithm} split ${split}`).toBe(expected);
        expect(hasher.size).toBe(data.byteLength);
        for (const [name, createState] of [
          ['node', nodeState],
          ['web', webState],
        ] as const) {
          const state = createState(algorithm);
          state.update(view.subarray(0, split));
          state.update(view.subarray(split));
          expect(`${algorithm}:${state.hex()}`, `${name} ${algorithm} split ${split}`).toBe(
            expected,
          );
        }
      }
    }
  });

  it('gives the oracle digest for every chunk size', () => {
    const data = randomBytes(257);
    const expected = oracle('sha256', data);
    for (let chunkSize = 1; chunkSize <= data.byteLength; chunkSize += 1) {
      for (const createState of [nodeState, webState]) {
        const state = createState('sha256');
        for (let offset = 0; offset < data.byteLength; offset += chunkSize) {
          state.update(data.subarray(offset, offset + chunkSize));
        }
        expect(`sha256:${state.hex()}`, `chunk ${chunkSize}`).toBe(expected);
      }
    }
  });

  it('returns the same digest twice and refuses updates after it', () => {
    const hasher = createHasher().update(new Uint8Array([1, 2, 3]));
    const first = hasher.digest();
    expect(hasher.digest()).toBe(first);
    expect(() => hasher.update(new Uint8Array([4]))).toThrow(
      expect.objectContaining({ code: 'OPTION_INVALID' }),
    );
  });

  it('rejects algorithms it cannot compute with DIGEST_UNSUPPORTED', () => {
    // go-digest verifiers_test.go TestVerifierUnsupportedDigest panics; we throw.
    for (const algorithm of ['', 'bean', 'sha256-garbage', 'md5', 'SHA256']) {
      try {
        createHasher(algorithm);
        expect.unreachable(algorithm);
      } catch (error) {
        expect(isOciError(error, 'DIGEST_UNSUPPORTED'), algorithm).toBe(true);
        expect((error as Error).message).toContain(`"${algorithm}"`);
      }
    }
  });
});
