import { OciError } from '@ocikit/digest';

/** undici's exports. */
export type Undici = typeof import('undici');
/** Anything that dispatches undici requests: an `Agent` or a proxy agent. */
export type Dispatcher = import('undici').Dispatcher;

let loading: Promise<Undici> | undefined;

/**
 * undici, loaded on first use: it is an optional peer dependency, and its
 * code (about 40 ms to load in Node 20) is paid only by a fetch that sends
 * through it. Without it installed, this fails with `DEPENDENCY_MISSING`.
 *
 * @returns undici's exports
 * @throws {OciError} `DEPENDENCY_MISSING` when undici is not installed
 */
export function loadUndici(): Promise<Undici> {
  loading ??= importUndici();
  return loading;
}

/**
 * Node gives a CommonJS module's named exports to `import()`; a bundler that
 * puts undici in a chunk of its own (esbuild with splitting) gives only
 * `default`, so both are read.
 */
async function importUndici(): Promise<Undici> {
  let loaded: Undici;
  try {
    loaded = await import('undici');
  } catch (cause) {
    throw new OciError(
      'DEPENDENCY_MISSING',
      '@ocikit/transport/node sends through undici, an optional peer dependency that is not installed: npm install undici (or use engine: "node:http")',
      { cause },
    );
  }
  if (typeof loaded.Agent === 'function') return loaded;
  return (loaded as unknown as { default?: Undici }).default ?? loaded;
}
