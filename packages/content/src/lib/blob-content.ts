import { OciError, streamFromBytes } from '@ocikit/digest';

/**
 * Content as it goes into a store: a stream, bytes in memory (a Node
 * `Buffer` is a `Uint8Array`), or a web `Blob` (a `File` is one).
 */
export type BlobContent = ReadableStream<Uint8Array> | Uint8Array | Blob;

/**
 * The stream of content given in any form of {@link BlobContent}; every
 * store reads pushed content through this.
 *
 * @param content - a `ReadableStream<Uint8Array>`, a `Uint8Array` or a `Blob`
 * @returns the content as a stream (the stream itself when it is one)
 * @throws {OciError} `OPTION_INVALID`, naming the accepted types, for anything else
 */
export function contentStream(content: BlobContent): ReadableStream<Uint8Array> {
  if (content instanceof Uint8Array) {
    // A plain view: a Buffer given in comes out of a store as a Uint8Array.
    return streamFromBytes(new Uint8Array(content.buffer, content.byteOffset, content.byteLength));
  }
  if (typeof Blob !== 'undefined' && content instanceof Blob) {
    return content.stream() as ReadableStream<Uint8Array>;
  }
  if (typeof (content as Partial<ReadableStream>)?.getReader === 'function') {
    return content as ReadableStream<Uint8Array>;
  }
  throw new OciError(
    'OPTION_INVALID',
    `Content must be a ReadableStream<Uint8Array>, a Uint8Array or a Blob; got ${describe(content)}`,
  );
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return value.constructor?.name ?? 'object';
}
