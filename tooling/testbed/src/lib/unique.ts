import { randomBytes } from 'node:crypto';

let counter = 0;

/**
 * A repository name no other test uses: every test shares the registries.
 * Lower-case, valid by the distribution grammar: `PREFIX/<time>-<pid>-<n>-<random>`.
 *
 * @param prefix - path components before the unique part, such as
 *   `transport/retry` or `public/pull` (the token registry's public prefix)
 * @returns the name
 */
export function uniqueRepo(prefix = 'test'): string {
  counter += 1;
  const unique = [
    Date.now().toString(36),
    process.pid.toString(36),
    counter.toString(36),
    randomBytes(3).toString('hex'),
  ].join('-');
  return `${prefix}/${unique}`;
}
