// Test helpers (not part of the package build): run an action that must
// fail with REFERENCE_INVALID, and map the Go sentinel errors named by the
// upstream vectors onto what ocikit's errors carry.
import { isOciError, type OciError } from '@ocikit/digest';
import { expect } from 'vitest';

/**
 * Runs an action that must throw an `OciError` with code `REFERENCE_INVALID`.
 *
 * @param action - the call under test
 * @param label - the case label, for the assertion message
 * @returns the error
 */
export function failure(action: () => unknown, label: string): OciError {
  let result: unknown;
  try {
    result = action();
  } catch (error) {
    expect(isOciError(error, 'REFERENCE_INVALID'), `${label}: ${String(error)}`).toBe(true);
    return error as OciError;
  }
  return expect.unreachable(`${label}: expected REFERENCE_INVALID, got ${String(result)}`);
}

/**
 * Asserts that an error stands for a Go sentinel of distribution/reference or
 * go-digest: all are `REFERENCE_INVALID`; the message or cause tells which.
 *
 * @param error - the error `failure` returned
 * @param sentinel - the Go error name from the vector, or `null` for "any error"
 * @param label - the case label
 */
export function expectSentinel(error: OciError, sentinel: string | null, label: string): void {
  const cause = (error as { cause?: unknown }).cause;
  switch (sentinel) {
    case null:
    case 'ErrReferenceInvalidFormat':
    case 'errs.ErrInvalidReference':
    case 'errs.ErrParsingFailed':
      return;
    case 'ErrNameEmpty':
      expect(error.message, label).toMatch(/empty/);
      return;
    case 'ErrNameContainsUppercase':
      expect(error.message, label).toMatch(/lowercase/);
      return;
    case 'ErrNameTooLong':
      expect(error.message, label).toMatch(/255/);
      return;
    case 'ErrNameNotCanonical':
      expect(error.message, label).toMatch(/canonical/);
      return;
    case 'digest.ErrDigestInvalidLength':
      expect(isOciError(cause, 'DIGEST_INVALID'), label).toBe(true);
      return;
    case 'digest.ErrDigestUnsupported':
      expect(isOciError(cause, 'DIGEST_UNSUPPORTED'), label).toBe(true);
      return;
    default:
      expect.unreachable(`${label}: unknown sentinel ${sentinel}`);
  }
}
