import type * as hasherModule from './hasher.ts';

/** How many bytes the hashers of a counting hasher module took in. */
export const hashCounter = { bytes: 0 };

/**
 * The hasher module with `createHasher` wrapped to count the bytes the real
 * hashers take in, for tests that check content is hashed only once. Use it
 * from `vi.mock` of `hasher.ts`.
 *
 * @param real - the real module
 * @returns the counting module
 */
export function countingHasherModule(real: typeof hasherModule): typeof hasherModule {
  return {
    ...real,
    createHasher: (algorithm?: string) => {
      const created = real.createHasher(algorithm);
      const update = created.update.bind(created);
      created.update = (chunk: Uint8Array) => {
        hashCounter.bytes += chunk.byteLength;
        return update(chunk);
      };
      return created;
    },
  };
}
