/**
 * A request body that remembers why it failed. When `fetch` sends a stream
 * that errors (a digest mismatch found while uploading, a broken source), it
 * rejects with a generic network error; the upload reports this one instead.
 */
export interface TrackedBody {
  /** The stream to send; pull-based, so nothing is read ahead of the request. */
  readonly stream: ReadableStream<Uint8Array>;
  /** What the source failed with, if it did. */
  failure(): unknown;
  /** Cancels the source unless it was read to its end (safe to call more than once). */
  release(reason?: unknown): Promise<void>;
}

/**
 * Wraps content for an upload: errors of the source are recorded, and the
 * source can be cancelled even while `fetch` holds the wrapper locked.
 *
 * @param source - the content
 * @returns the tracked body
 */
export function trackBody(source: ReadableStream<Uint8Array>): TrackedBody {
  const reader = source.getReader();
  let failed: { error: unknown } | undefined;
  let finished = false;
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            finished = true;
            controller.close();
          } else {
            controller.enqueue(value);
          }
        } catch (error) {
          failed = { error };
          finished = true;
          throw error;
        }
      },
      async cancel(reason) {
        finished = true;
        await reader.cancel(reason).catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
  return {
    stream,
    failure: () => failed?.error,
    async release(reason) {
      if (finished) return;
      finished = true;
      await reader.cancel(reason).catch(() => {});
    },
  };
}
