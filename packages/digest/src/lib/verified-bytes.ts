import { streamFromBytes } from './bytes.ts';
import { parseDigest } from './digest.ts';
import { OciError } from './errors.ts';
import { assertSupportedAlgorithm, createHasher } from './hasher.ts';
import { markSelfVerifying } from './self-verifying.ts';
import type { ExpectedContent } from './verify.ts';

/**
 * A stream of bytes held in memory, checked against their digest and size
 * before it is made, so it verifies itself as the readable side of a
 * `createVerifyStream` does (`verifyContent` only counts its bytes), with
 * none of a `TransformStream`'s machinery: for content that is read whole
 * anyway, such as a manifest. The bytes must not change afterwards.
 *
 * @param bytes - the content
 * @param expected - the digest and (optionally) size it must have
 * @returns a stream of the bytes
 * @throws {OciError} `SIZE_MISMATCH` or `DIGEST_MISMATCH` when the bytes are
 *   not the content; `DIGEST_INVALID` or `DIGEST_UNSUPPORTED` for a
 *   malformed digest or one that cannot be computed here
 */
export function streamFromVerifiedBytes(
  bytes: Uint8Array,
  expected: ExpectedContent,
): ReadableStream<Uint8Array> {
  const { digest, algorithm } = parseDigest(expected.digest);
  const hasher = createHasher(assertSupportedAlgorithm(algorithm));
  if (expected.size !== undefined && bytes.byteLength !== expected.size) {
    throw new OciError(
      'SIZE_MISMATCH',
      `Content of ${digest} is ${bytes.byteLength} bytes, not its declared ${expected.size}`,
    );
  }
  const actual = hasher.update(bytes).digest();
  if (actual !== digest) {
    throw new OciError(
      'DIGEST_MISMATCH',
      `Content does not match ${digest}: it hashes to ${actual}`,
    );
  }
  const stream = streamFromBytes(bytes);
  markSelfVerifying(stream, { digest, size: bytes.byteLength });
  return stream;
}
