/**
 * The words that start an `ocikit` command (names and aliases of the
 * top-level commands): the bin keeps one code cache for each, and one for
 * anything else, so that mistyped commands make no new files.
 * `program.test.ts` checks the list against the command tree.
 */
export const TOP_LEVEL_COMMANDS: readonly string[] = [
  'copy',
  'cp',
  'inspect',
  'digest',
  'config',
  'platforms',
  'manifest',
  'tag',
  'blob',
  'repo',
  'referrers',
  'artifact',
  'layout',
  'login',
  'logout',
  'serve',
  'sync',
  'completion',
  'version',
];
