import type { OciErrorCode } from '@ocikit/digest';

/** The exit codes of `ocikit`, documented in the README: scripts branch on them. */
export const EXIT = {
  /** Everything worked. */
  ok: 0,
  /** Any other failure (network, registry, files, digests). */
  failure: 1,
  /** The command line is wrong: unknown command or flag, missing argument, malformed reference. */
  usage: 2,
  /** What was named does not exist: manifest, blob, repository, platform. */
  notFound: 3,
  /** The registry refused the credentials, or there were none (`UNAUTHORIZED`, `DENIED`). */
  auth: 4,
  /** The reader of stdout closed it early (128 + SIGPIPE, as GNU tools end). Nothing is printed. */
  brokenPipe: 141,
} as const;

const USAGE_CODES: ReadonlySet<string> = new Set<OciErrorCode>([
  'REFERENCE_INVALID',
  'OPTION_INVALID',
  'PLATFORM_INVALID',
]);
const NOT_FOUND_CODES: ReadonlySet<string> = new Set<OciErrorCode>([
  'MANIFEST_UNKNOWN',
  'BLOB_UNKNOWN',
  'NAME_UNKNOWN',
  'PLATFORM_NOT_FOUND',
]);
const AUTH_CODES: ReadonlySet<string> = new Set<OciErrorCode>(['UNAUTHORIZED', 'DENIED']);

/**
 * The exit code for an error code.
 *
 * @param code - an `OciError` code, or `USAGE` for a command-line error
 * @returns the exit code
 */
export function exitCodeFor(code: string): number {
  if (code === 'USAGE' || USAGE_CODES.has(code)) return EXIT.usage;
  if (NOT_FOUND_CODES.has(code)) return EXIT.notFound;
  if (AUTH_CODES.has(code)) return EXIT.auth;
  return EXIT.failure;
}
