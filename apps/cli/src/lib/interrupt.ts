/** The exit code of a command stopped by a signal: 128 + its number, as shells report it. */
const SIGNAL_EXIT: Readonly<Record<'SIGINT' | 'SIGTERM', number>> = { SIGINT: 130, SIGTERM: 143 };

const controller = new AbortController();
let received: keyof typeof SIGNAL_EXIT | undefined;
let installed = false;

/**
 * The signal of a long command that Ctrl-C (SIGINT) or SIGTERM aborts: from
 * the first call on, the first of those signals aborts it instead of killing
 * the process, and a second one kills the process as usual.
 *
 * @returns the signal to hand to every long operation
 */
export function interruptSignal(): AbortSignal {
  if (!installed) {
    installed = true;
    const stop = (signal: keyof typeof SIGNAL_EXIT) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      received = signal;
      controller.abort();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  }
  return controller.signal;
}

/**
 * Which signal aborted the command, if one did.
 *
 * @returns its name and exit code, or `undefined`
 */
export function interruption(): { signal: string; exitCode: number } | undefined {
  return received === undefined ? undefined : { signal: received, exitCode: SIGNAL_EXIT[received] };
}
