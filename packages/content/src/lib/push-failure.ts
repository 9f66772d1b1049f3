import { isOciError, OciError } from '@ocikit/digest';
import type { Descriptor } from '@ocikit/spec';

const CONTENT_CODES = new Set(['DIGEST_MISMATCH', 'SIZE_MISMATCH', 'SIZE_EXCEEDED']);
const annotated = new WeakSet<object>();

/**
 * Says in an error about pushed content (`DIGEST_MISMATCH`, `SIZE_MISMATCH`,
 * `SIZE_EXCEEDED`) that it happened on a push, and to where; other errors,
 * and errors already said so, are returned as they are.
 *
 * @param error - what the push threw
 * @param descriptor - what was pushed
 * @param where - the destination as a person names it, such as `registry.example.com/app`
 * @returns the error to throw, with the same code and the original as `cause`
 */
export function pushFailure(error: unknown, descriptor: Descriptor, where: string): unknown {
  if (!isOciError(error) || !CONTENT_CODES.has(error.code) || annotated.has(error)) return error;
  const wrapped = new OciError(
    error.code,
    `Cannot push ${descriptor.digest} to ${where}: ${error.message}`,
    { cause: error, status: error.status, detail: error.detail },
  );
  annotated.add(wrapped);
  return wrapped;
}
