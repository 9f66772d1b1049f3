import { EXIT } from './exit-codes.ts';
import { interruption } from './interrupt.ts';
import { buildProgram, type RunState, UsageError } from './program.ts';

/**
 * Runs `ocikit` with its arguments: parses them, runs the command, and turns
 * a failure into one line on stderr.
 *
 * @param argv - the arguments after `ocikit`
 * @returns the exit code (see `EXIT`)
 */
export async function main(argv: readonly string[]): Promise<number> {
  process.stdout.on('error', exitOnBrokenPipe);
  const state: RunState = { command: '', args: [], debug: false };
  try {
    await buildProgram(state).parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(error);
    const interrupted = interruption();
    if (interrupted !== undefined) {
      process.stderr.write(`Interrupted (${interrupted.signal}): ${state.command} stopped\n`);
      return interrupted.exitCode;
    }
    const { describeFailure } = await import('./failure.ts');
    const failure = describeFailure(error, state);
    const { detectTerminal, paint } = await import('./terminal.ts');
    const color = detectTerminal(process.env, process.stderr.isTTY === true).color;
    process.stderr.write(`${paint(color, 'red', failure.line)}\n`);
    if (state.debug) {
      process.stderr.write(`${(error as Error)?.stack ?? ''}\n`);
    }
    return failure.exitCode;
  }
}

/**
 * The reader of stdout went away (`ocikit blob get … | head -c 10`): stop at
 * once and quietly, as a program killed by SIGPIPE does (exit 141). Any other
 * stdout error is thrown on.
 */
function exitOnBrokenPipe(error: NodeJS.ErrnoException): void {
  if (error.code !== 'EPIPE') throw error;
  process.exit(EXIT.brokenPipe);
}

/** Help and version end well; every other parser error is a usage error. */
function usageFailure(error: UsageError): number {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') {
    return EXIT.ok;
  }
  if (error.code === 'commander.help' || error.code === 'commander.executeSubCommandAsync') {
    return EXIT.usage;
  }
  const help = error.command === '' ? 'ocikit --help' : `ocikit ${error.command} --help`;
  process.stderr.write(
    `USAGE: ${error.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ')} — run "${help}"\n`,
  );
  return EXIT.usage;
}
