import { OciError } from '@ocikit/digest';
import type { Agent as UndiciAgent } from 'undici';

type Undici = typeof import('undici');

/**
 * undici's exports. Node gives a CommonJS module's named exports to
 * `import()`; a bundler that puts undici in a chunk of its own (esbuild
 * with splitting) gives only `default`, so both are read.
 */
async function loadUndici(): Promise<Undici> {
  let loaded: Undici;
  try {
    loaded = await import('undici');
  } catch (cause) {
    throw new OciError(
      'DEPENDENCY_MISSING',
      '@ocikit/transport/node runs on undici, an optional peer dependency that is not installed: npm install undici',
      { cause },
    );
  }
  if (typeof loaded.Agent === 'function') return loaded;
  return (loaded as unknown as { default?: Undici }).default ?? loaded;
}

// undici is an optional peer dependency: only `@ocikit/transport/node` loads
// it, and importing that entry without it fails with DEPENDENCY_MISSING.
const undici = await loadUndici();

/** undici's connection pool (`Agent`). */
export const Agent: Undici['Agent'] = undici.Agent;
/** undici's connection pool (`Agent`). */
export type Agent = UndiciAgent;
/** undici's `fetch`, which takes a `dispatcher`. */
export const fetch: Undici['fetch'] = undici.fetch;
/** undici's `request()`, the Node-stream API without fetch's machinery. */
export const request: Undici['request'] = undici.request;
/** undici's pool that sends through `HTTP(S)_PROXY` except to `NO_PROXY` hosts. */
export const EnvHttpProxyAgent: Undici['EnvHttpProxyAgent'] = undici.EnvHttpProxyAgent;
/** Anything that dispatches undici requests: an {@link Agent} or a proxy agent. */
export type Dispatcher = import('undici').Dispatcher;
