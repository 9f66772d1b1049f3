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
  /** Manifests pushed (or found present) so far. */
  readonly manifests: number;
}

/**
 * One step of a copy, per blob or manifest: `started` when its bytes begin to
 * move, `bytes` as they do (`transferred` counts this blob so far), `skipped`
 * (the destination has it, or a foreign layer left out), `mounted`, `done`,
 * `failed`.
 */
export type ProgressEvent = { readonly descriptor: Descriptor; readonly totals: ProgressTotals } & (
  | { readonly type: 'started' }
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
  manifests = 0;
  readonly foreignSkipped: Descriptor[] = [];
  referrers = 0;
  readonly #listener: ((event: ProgressEvent) => void) | undefined;

  /** @param listener - the `onProgress` option */
  constructor(listener: ((event: ProgressEvent) => void) | undefined) {
    this.#listener = listener;
  }

  /** Whether anyone listens (to skip building events). */
  get listening(): boolean {
    return this.#listener !== undefined;
  }

  /**
   * Reports one step.
   *
   * @param descriptor - the blob or manifest
   * @param step - what happened
   */
  emit(descriptor: Descriptor, step: Step): void {
    if (!this.#listener) return;
    const { blobsCopied, blobsSkipped, blobsMounted, bytesCopied, manifests } = this;
    const totals = { blobsCopied, blobsSkipped, blobsMounted, bytesCopied, manifests };
    this.#listener({ ...step, descriptor, totals } as ProgressEvent);
  }
}
