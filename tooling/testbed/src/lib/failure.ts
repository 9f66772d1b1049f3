import { OciError } from '@ocikit/digest';

/**
 * Awaits a promise that must fail with an `OciError` and returns that error,
 * for tests that assert its code, status and message. Any other outcome
 * (success, another kind of error) fails the test.
 *
 * @param promise - the operation
 * @returns the `OciError` it failed with
 */
export async function ociFailure(promise: Promise<unknown>): Promise<OciError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OciError) return error;
    throw error;
  }
  throw new Error('Expected the operation to fail with an OciError, but it succeeded');
}

/**
 * The code an operation fails with: an `OciError`'s code, or `'no error'`
 * when it succeeds. Any other kind of error fails the test.
 *
 * @param promise - the operation
 * @returns the code
 */
export async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OciError) return error.code;
    throw error;
  }
  return 'no error';
}

/**
 * Collects an async iterable into an array.
 *
 * @param items - the iterable
 * @returns its items, in order
 */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
