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

/**
 * The global options that take a value as the next argument (`--format
 * json`); `program.test.ts` checks the list against the command tree.
 */
export const GLOBAL_OPTIONS_WITH_VALUE: readonly string[] = [
  '--format',
  '--insecure',
  '--plain-http',
  '--ca-file',
];

/**
 * The top-level command a command line runs: its first argument that is
 * neither an option nor the value of a global option (`ocikit --plain-http
 * host copy …` runs `copy`), if it is one of {@link TOP_LEVEL_COMMANDS},
 * else `other`.
 *
 * @param args - the arguments after the program
 * @returns the command's word, or `other`
 */
export function commandWord(args: readonly string[]): string {
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    if (arg === '--') return 'other';
    if (!arg.startsWith('-')) return TOP_LEVEL_COMMANDS.includes(arg) ? arg : 'other';
    if (GLOBAL_OPTIONS_WITH_VALUE.includes(arg)) i += 1;
  }
  return 'other';
}
