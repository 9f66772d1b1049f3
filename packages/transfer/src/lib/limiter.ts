import { abortError } from '@ocikit/digest';

/**
 * One bound on how many operations run at once, shared by a whole copy (not
 * one per level of the graph). A task holds its slot only while it runs, so a
 * manifest waiting for its children holds none.
 */
export class Limiter {
  readonly #limit: number;
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  /** @param limit - the most tasks at once (≥ 1) */
  constructor(limit: number) {
    this.#limit = limit;
  }

  /**
   * Runs a task when a slot is free.
   *
   * @param task - the work
   * @param signal - stops waiting for a slot
   * @returns what the task returns
   * @throws {OciError} `ABORTED` when the signal fires first; whatever the task throws
   */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.#acquire(signal);
    try {
      return await task();
    } finally {
      this.#release();
    }
  }

  async #acquire(signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) throw abortError(signal);
    if (this.#running < this.#limit) {
      this.#running += 1;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const at = this.#waiting.indexOf(grant);
        if (at >= 0) this.#waiting.splice(at, 1);
        reject(abortError(signal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(grant);
    });
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#running -= 1;
  }
}
