import { digestBytes, OciError, readBytes, verifyContent } from '@ocikit/digest';
import { DEFAULT_MAX_MANIFEST_SIZE, type Descriptor } from '@ocikit/spec';
import type { Fetcher, OperationOptions, Pusher } from './interfaces.ts';

/** Options of {@link fetchBytes}. */
export interface FetchBytesOptions extends OperationOptions {
  /**
   * The largest content to read into memory; a descriptor that declares more
   * fails before any byte is fetched.
   * @default 4194304 (4 MiB, the manifest limit)
   */
  maxBytes?: number;
}

/**
 * Fetches small content (a manifest, a config) whole into memory, verified.
 *
 * @param fetcher - where the content is
 * @param descriptor - what to fetch
 * @param options - {@link FetchBytesOptions}
 * @returns the verified bytes
 * @throws {OciError} `SIZE_EXCEEDED` when the descriptor is over `maxBytes`;
 *   the fetcher's errors (`BLOB_UNKNOWN`, `DIGEST_MISMATCH`, …)
 */
export async function fetchBytes(
  fetcher: Fetcher,
  descriptor: Descriptor,
  options: FetchBytesOptions = {},
): Promise<Uint8Array> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_MANIFEST_SIZE;
  if (descriptor.size > maxBytes) {
    throw new OciError(
      'SIZE_EXCEEDED',
      `Content ${descriptor.digest} is ${descriptor.size} bytes, over the ${maxBytes}-byte limit for reading into memory`,
    );
  }
  const stream = await fetcher.fetch(descriptor, { signal: options.signal });
  return readBytes(stream, { maxBytes: descriptor.size, signal: options.signal });
}

/**
 * Pushes bytes held in memory, describing them first.
 *
 * @param pusher - where to push
 * @param bytes - the content
 * @param mediaType - its media type
 * @param options - {@link OperationOptions}
 * @returns the descriptor of what was pushed
 */
export async function pushBytes(
  pusher: Pusher,
  bytes: Uint8Array,
  mediaType: string,
  options: OperationOptions = {},
): Promise<Descriptor> {
  const descriptor: Descriptor = { mediaType, digest: digestBytes(bytes), size: bytes.byteLength };
  await pusher.push(descriptor, bytes, options);
  return descriptor;
}

/**
 * Reads a pushed stream into memory, verified against its descriptor, for
 * stores that keep content in memory. A stream that verifies itself (a
 * fetch of another store) is not hashed again (`verifyContent`).
 *
 * @param descriptor - what the content must be
 * @param content - the bytes
 * @param options - {@link OperationOptions}
 * @returns the verified bytes
 */
export function readVerified(
  descriptor: Descriptor,
  content: ReadableStream<Uint8Array>,
  options: OperationOptions = {},
): Promise<Uint8Array> {
  return readBytes(verifyContent(content, descriptor), {
    maxBytes: descriptor.size,
    signal: options.signal,
  });
}
