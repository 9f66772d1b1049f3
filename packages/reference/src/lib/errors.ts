import { OciError } from '@ocikit/digest';

/** Longest part of a bad value quoted in a message; hostile input can be huge. */
const QUOTE_LIMIT = 160;

/**
 * Quotes a value for an error message: double quotes, control characters and
 * quote marks escaped, cut after {@link QUOTE_LIMIT} characters.
 *
 * @param value - the bad value
 * @returns the quoted text
 */
export function quote(value: string): string {
  const shown = value.length > QUOTE_LIMIT ? `${value.slice(0, QUOTE_LIMIT)}…` : value;
  const escaped = shown.replace(/[\p{Cc}"]/gu, (char) =>
    char === '"' ? '\\"' : `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `"${escaped}"`;
}

/**
 * Builds the `REFERENCE_INVALID` error of this package:
 * `<subject> "<value>": <reason>`.
 *
 * @param subject - what failed, such as `Cannot parse reference`
 * @param value - the input, quoted in the message
 * @param reason - what is wrong with it
 * @param cause - the underlying error, such as a `DIGEST_INVALID` from `parseDigest`
 * @returns the error to throw
 */
export function referenceInvalid(
  subject: string,
  value: string,
  reason: string,
  cause?: unknown,
): OciError {
  return new OciError(
    'REFERENCE_INVALID',
    `${subject} ${quote(value)}: ${reason}`,
    cause === undefined ? {} : { cause },
  );
}
