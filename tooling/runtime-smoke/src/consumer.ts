import { isOciError } from '@ocikit/digest';
import { check } from './check.ts';

/**
 * What a consumer without optional peers gets: Node, Deno and Bun load the
 * `node:crypto` build of @ocikit/digest (its `node` condition), and
 * `@ocikit/transport/node` without undici installed fails with
 * DEPENDENCY_MISSING instead of a module-not-found error (Bun has undici
 * built in, so there it loads).
 */
export async function smokeConsumer(): Promise<void> {
  const digest = import.meta.resolve('@ocikit/digest');
  check(digest.endsWith('/@ocikit/digest/dist/index.js'), `node:crypto build, got ${digest}`);
  try {
    const entry = await import('@ocikit/transport/node');
    check('Bun' in globalThis, '@ocikit/transport/node loaded without undici installed');
    check(typeof entry.createNodeFetch() === 'function', "a fetch on Bun's built-in undici");
  } catch (error) {
    check(isOciError(error, 'DEPENDENCY_MISSING'), `DEPENDENCY_MISSING, got ${String(error)}`);
  }
}
