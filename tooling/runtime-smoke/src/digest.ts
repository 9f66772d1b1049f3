import {
  createVerifyStream,
  digestBytes,
  digestStream,
  isOciError,
  parseDigest,
  streamFromBytes,
} from '@ocikit/digest';
import { check, rejectsWith } from './check.ts';

/** Hashes and verifies through the built @ocikit/digest. */
export async function smokeDigest(): Promise<void> {
  const empty = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
  check(digestBytes('') === empty, 'sha256 of nothing');
  const data = new TextEncoder().encode('hello, ocikit');
  const digest = digestBytes(data);
  check((await digestStream(streamFromBytes(data, 3))).digest === digest, 'digestStream');
  try {
    parseDigest('sha256:nope');
    check(false, 'parseDigest accepted garbage');
  } catch (error) {
    check(isOciError(error, 'DIGEST_INVALID'), 'parseDigest error code');
  }
  const wrong = streamFromBytes(data).pipeThrough(createVerifyStream({ digest: empty }));
  await rejectsWith(new Response(wrong).arrayBuffer(), 'DIGEST_MISMATCH', 'verify stream');
}
