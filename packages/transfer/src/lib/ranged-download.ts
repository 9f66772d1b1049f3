import { type Fetcher, isRangeFetcher, type RangeFetcher } from '@ocikit/content';
import { abortError, createVerifyStream, OciError } from '@ocikit/digest';
import { type Descriptor, isManifestMediaType } from '@ocikit/spec';

/** Options of a parallel ranged download of one large blob (`rangedDownload` of a copy). */
export interface RangedDownloadOptions {
  /**
   * The smallest blob fetched in parts; smaller ones go in one stream.
   * @default 67108864 (64 MiB)
   */
  minSize?: number;
  /**
   * How many `Range` requests of one blob run at once.
   * @default 4
   */
  parts?: number;
  /**
   * The bytes of one `Range` request; each request's bytes are held in
   * memory until the ones before them went on, so one blob holds at most
   * `parts × partSize` bytes.
   * @default 8388608 (8 MiB)
   */
  partSize?: number;
}

/** {@link RangedDownloadOptions} with defaults filled in. */
export type RangedDownload = Required<RangedDownloadOptions>;

/** How often one part is continued from its last byte after it broke off. */
const MAX_PART_RESUMES = 3;

/**
 * Validates `rangedDownload`.
 *
 * @param options - the option, if given
 * @returns the settings, or undefined (off)
 * @throws {OciError} `OPTION_INVALID` naming the field
 */
export function rangedDownloadFrom(
  options: RangedDownloadOptions | undefined,
): RangedDownload | undefined {
  if (options === undefined) return undefined;
  const settings = {
    minSize: options.minSize ?? 64 * 1024 * 1024,
    parts: options.parts ?? 4,
    partSize: options.partSize ?? 8 * 1024 * 1024,
  };
  for (const [name, value] of Object.entries(settings)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new OciError(
        'OPTION_INVALID',
        `rangedDownload.${name} must be an integer ≥ 1, not ${value}`,
      );
    }
  }
  return settings;
}

/**
 * Opens a blob of the source as parts fetched in parallel, when the settings
 * ask for it, the source reads ranges and the blob is large enough.
 *
 * @param from - the source
 * @param descriptor - the blob
 * @param settings - `rangedDownload`, if on
 * @param signal - cancels every part
 * @returns the verified stream of the whole blob, or undefined to fetch it as one stream
 */
export function fetchRanged(
  from: Fetcher,
  descriptor: Descriptor,
  settings: RangedDownload | undefined,
  signal: AbortSignal,
): ReadableStream<Uint8Array> | undefined {
  if (
    settings === undefined ||
    !isRangeFetcher(from) ||
    isManifestMediaType(descriptor.mediaType) ||
    descriptor.size < settings.minSize ||
    descriptor.size <= settings.partSize
  ) {
    return undefined;
  }
  return fetchInParts(from, descriptor, settings, signal).pipeThrough(
    createVerifyStream(descriptor),
  );
}

/**
 * The bytes of a blob, fetched as `Range` requests of `partSize` bytes with
 * up to `parts` of them at once, passed on in order (so they are hashed
 * once, in order, by the verify stream after this). A part that breaks off
 * or ends early is continued from its last byte.
 */
function fetchInParts(
  from: RangeFetcher,
  descriptor: Descriptor,
  settings: RangedDownload,
  signal: AbortSignal,
): ReadableStream<Uint8Array> {
  const { size } = descriptor;
  const { parts, partSize } = settings;
  const inFlight: Promise<Uint8Array>[] = [];
  let next = 0;
  const startParts = () => {
    while (inFlight.length < parts && next < size) {
      const part = fetchPart(from, descriptor, next, Math.min(partSize, size - next), signal);
      // Awaited in order below; a rejection is not unhandled while it waits.
      part.catch(() => {});
      inFlight.push(part);
      next += partSize;
    }
  };
  return new ReadableStream<Uint8Array>(
    {
      start: startParts,
      async pull(controller) {
        const part = inFlight.shift();
        if (part === undefined) {
          controller.close();
          return;
        }
        controller.enqueue(await part);
        startParts();
      },
      cancel() {
        inFlight.length = 0;
      },
    },
    { highWaterMark: 0 },
  );
}

/** One part, read whole into memory; continued from its last byte when it breaks off. */
async function fetchPart(
  from: RangeFetcher,
  descriptor: Descriptor,
  start: number,
  length: number,
  signal: AbortSignal,
): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  let filled = 0;
  let lastError: unknown;
  for (let attempt = 0; attempt <= MAX_PART_RESUMES && filled < length; attempt += 1) {
    if (signal.aborted) throw abortError(signal);
    try {
      const stream = await from.fetchRange(descriptor, {
        offset: start + filled,
        length: length - filled,
        signal,
      });
      const reader = stream.getReader();
      try {
        while (filled < length) {
          const { done, value } = await reader.read();
          if (done) break;
          const take = Math.min(value.byteLength, length - filled);
          buffer.set(value.subarray(0, take), filled);
          filled += take;
        }
      } finally {
        // A fetcher that ignores `length` sends the rest of the blob: stop it.
        await reader.cancel().catch(() => {});
      }
    } catch (error) {
      if (signal.aborted) throw abortError(signal);
      lastError = error;
    }
  }
  if (filled < length) {
    throw (
      lastError ??
      new OciError(
        'SIZE_MISMATCH',
        `Bytes ${start}-${start + length - 1} of ${descriptor.digest} ended after ${filled} bytes`,
      )
    );
  }
  return buffer;
}
