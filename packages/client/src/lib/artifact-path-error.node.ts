import { errnoCode } from '@ocikit/content/fs';
import { isOciError, OciError } from '@ocikit/digest';

/**
 * The coded form of a file system error (`ENOENT`, `EACCES`, …) about a
 * path: `PATH_INVALID` naming the path and the errno code; an `OciError`
 * stays as it is, and so does an error without an errno code.
 *
 * @param error - what was thrown
 * @param path - the path it was about
 * @param doing - reading or writing it
 * @returns the error to throw
 */
export function pathError(error: unknown, path: string, doing: 'read' | 'write'): unknown {
  if (isOciError(error)) return error;
  const code = errnoCode(error);
  if (code === undefined) return error;
  const message =
    code === 'ENOENT' && doing === 'read'
      ? `File "${path}" does not exist`
      : `Cannot ${doing} "${path}" (${code})`;
  return new OciError('PATH_INVALID', message, { cause: error });
}
