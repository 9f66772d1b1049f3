import { OciError } from './errors.ts';

/**
 * The error an aborted operation fails with: the signal's reason when it is
 * an {@link OciError}, else `ABORTED` with the reason as its cause.
 *
 * @param signal - the aborted signal
 * @returns the error to throw
 */
export function abortError(signal: AbortSignal | undefined): OciError {
  const reason: unknown = signal?.reason;
  if (reason instanceof OciError) return reason;
  return new OciError('ABORTED', 'The operation was aborted', { cause: reason });
}

/**
 * Waits `ms` milliseconds, or fails with `ABORTED` as soon as the signal
 * fires (at once when it already has). Uses the global `setTimeout`, so fake
 * timers drive it in tests.
 *
 * @param ms - how long to wait
 * @param signal - cancels the wait
 */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
