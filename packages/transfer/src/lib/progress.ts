import type { Descriptor } from '@ocikit/spec';

/** Running totals of a copy, carried by every progress event. */
export interface ProgressTotals {
  /** Blobs whose bytes moved so far. */
  readonly blobsCopied: number;
  /** Blobs the destination already had. */
  readonly blobsSkipped: number;
  /** Blobs mounted at the destination. */
  readonly blobsMounted: number;
  /** Blob bytes moved so far (including blobs still moving). */
  readonly bytesCopied: number;
  /** Blob bytes an interrupted earlier copy left at the destination, continued rather than moved. */
  readonly bytesResumed: number;
  /** Manifests pushed (or found present) so far. */
  readonly manifests: number;
}

/**
 * One step of a copy, per blob or manifest: `started` when its bytes begin to
 * move (`offset`: from where, when the destination kept the start of it),
 * `bytes` as they do, throttled (`transferred`: this blob's bytes at the
 * destination so far, the kept ones included), `skipped`
 * (the destination has it, or a foreign layer left out), `mounted`, `done`,
 * `failed`.
 */
export type ProgressEvent = { readonly descriptor: Descriptor; readonly totals: ProgressTotals } & (
  | { readonly type: 'started'; readonly offset: number }
  | { readonly type: 'bytes'; readonly transferred: number }
  | { readonly type: 'skipped'; readonly reason: 'exists' | 'foreign' }
  | { readonly type: 'mounted' }
  | { readonly type: 'done' }
  | { readonly type: 'failed'; readonly error: unknown }
);

type Step = ProgressEvent extends infer E
  ? E extends ProgressEvent
    ? Omit<E, 'descriptor' | 'totals'>
    : never
  : never;

/** Counts what a copy does and reports it; costs nothing beyond the counts when nobody listens. */
export class Tally {
  blobsCopied = 0;
  blobsSkipped = 0;
  blobsMounted = 0;
  bytesCopied = 0;
  bytesResumed = 0;
  manifests = 0;
  readonly foreignSkipped: Descriptor[] = [];
  referrers = 0;
  readonly #listener: ((event: ProgressEvent) => void) | undefined;
  readonly #intervalMs: number;

  /**
   * @param listener - the `onProgress` option
   * @param intervalMs - the `progressIntervalMs` option: the least time between two `bytes` events of one blob
   */
  constructor(listener: ((event: ProgressEvent) => void) | undefined, intervalMs: number) {
    this.#listener = listener;
    this.#intervalMs = intervalMs;
  }

  /**
   * Reports one step.
   *
   * @param descriptor - the blob or manifest
   * @param step - what happened
   */
  emit(descriptor: Descriptor, step: Step): void {
    if (!this.#listener) return;
    const { blobsCopied, blobsSkipped, blobsMounted, bytesCopied, bytesResumed, manifests } = this;
    const totals = {
      blobsCopied,
      blobsSkipped,
      blobsMounted,
      bytesCopied,
      bytesResumed,
      manifests,
    };
    this.#listener({ ...step, descriptor, totals } as ProgressEvent);
  }

  /**
   * The reporter of one blob's bytes as they move: a `bytes` event for the
   * first chunk, then at most one per interval (the `done` event follows the
   * last). `undefined` when nobody listens, so a copy without a listener
   * does nothing per chunk but count.
   *
   * @param descriptor - the blob
   * @returns a function of the blob's bytes so far, or `undefined`
   */
  byteEvents(descriptor: Descriptor): ((transferred: number) => void) | undefined {
    if (!this.#listener) return undefined;
    let last = Number.NEGATIVE_INFINITY;
    return (transferred) => {
      const now = Date.now();
      if (now - last < this.#intervalMs) return;
      last = now;
      this.emit(descriptor, { type: 'bytes', transferred });
    };
  }
}
