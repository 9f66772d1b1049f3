import { isOciError, type OciError } from '@ocikit/digest';
import { assert } from 'vitest';

/** The code of the `OciError` a promise rejects with; `'no error'` when it resolves. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isOciError(error)) return error.code;
    throw error;
  }
  return 'no error';
}

/** The `OciError` a promise rejects with; anything else fails the test. */
export async function failure(promise: Promise<unknown>): Promise<OciError> {
  try {
    await promise;
  } catch (error) {
    if (isOciError(error)) return error;
    throw error;
  }
  return assert.fail('expected the promise to reject with an OciError');
}

/** Everything an async iterable yields. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
