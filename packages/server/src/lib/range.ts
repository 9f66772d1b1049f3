import { OciError } from '@ocikit/digest';

/** A byte range of content, both ends inclusive. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

const RANGE = /^bytes=(\d{0,15})-(\d{0,15})$/;

/**
 * Reads a request's `Range` header (one range: `bytes=a-b`, `bytes=a-` or
 * `bytes=-n`) against content of a known size.
 *
 * @param header - the header value, or null
 * @param size - the content's size
 * @returns the range, or undefined when the whole content is asked for
 * @throws {OciError} `RANGE_INVALID` (416) for a malformed or unsatisfiable range
 * @see https://www.rfc-editor.org/rfc/rfc9110#name-range
 */
export function parseRange(header: string | null, size: number): ByteRange | undefined {
  if (header === null) return undefined;
  const match = RANGE.exec(header.trim());
  const [, first = '', last = ''] = match ?? [];
  if (!match || (first === '' && last === '')) throw unsatisfiable(header, size);
  if (first === '') {
    const length = Math.min(Number(last), size);
    if (length === 0) throw unsatisfiable(header, size);
    return { start: size - length, end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || end < start) throw unsatisfiable(header, size);
  return { start, end };
}

function unsatisfiable(header: string, size: number): OciError {
  return new OciError(
    'RANGE_INVALID',
    `Range "${header.slice(0, 100)}" cannot be served from ${size} bytes`,
    { detail: { size } },
  );
}

/**
 * A pass-through stream that lets the first `length` bytes through and then
 * ends, cancelling what comes after.
 *
 * @param length - the bytes to keep
 * @returns the transform
 */
export function takeBytes(length: number): TransformStream<Uint8Array, Uint8Array> {
  let left = length;
  return new TransformStream({
    transform(chunk, controller) {
      if (left <= 0) return;
      const part = chunk.byteLength > left ? chunk.subarray(0, left) : chunk;
      left -= part.byteLength;
      controller.enqueue(part);
      if (left === 0) controller.terminate();
    },
  });
}
