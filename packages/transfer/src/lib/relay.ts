/** What a {@link relay} reports. */
export interface RelayHooks {
  /** Called with each chunk before it is passed on. */
  onChunk?: (chunk: Uint8Array) => void;
  /** Called when reading the source stream fails (before the relay fails with it). */
  onSourceError: (error: unknown) => void;
}

/**
 * Passes a source stream on chunk by chunk, pulled by its consumer (no
 * buffering beyond the chunk being handed over), so a copy can count bytes
 * and tell a failure of the source (a digest mismatch, a broken
 * connection) from a failure of the destination reading it.
 *
 * @param source - the stream to pass on
 * @param hooks - {@link RelayHooks}
 * @returns the same bytes
 */
export function relay(
  source: ReadableStream<Uint8Array>,
  hooks: RelayHooks,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await reader.read();
        } catch (error) {
          hooks.onSourceError(error);
          throw error;
        }
        if (result.done) {
          controller.close();
          return;
        }
        hooks.onChunk?.(result.value);
        controller.enqueue(result.value);
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
