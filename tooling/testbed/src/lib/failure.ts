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
