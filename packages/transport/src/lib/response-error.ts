import { OciError, type OciErrorCode, type RegistryErrorCode, readBytes } from '@ocikit/digest';
import { type SentSecrets, secretsOf } from './secrets.ts';

const REGISTRY_CODES: ReadonlySet<string> = new Set<RegistryErrorCode>([
  'BLOB_UNKNOWN',
  'BLOB_UPLOAD_INVALID',
  'BLOB_UPLOAD_UNKNOWN',
  'DIGEST_INVALID',
  'MANIFEST_BLOB_UNKNOWN',
  'MANIFEST_INVALID',
  'MANIFEST_UNKNOWN',
  'MANIFEST_UNVERIFIED',
  'NAME_INVALID',
  'NAME_UNKNOWN',
  'PAGINATION_NUMBER_INVALID',
  'RANGE_INVALID',
  'SIZE_INVALID',
  'TAG_INVALID',
  'UNAUTHORIZED',
  'DENIED',
  'UNSUPPORTED',
  'TOOMANYREQUESTS',
  'UNKNOWN',
]);

/** The largest error body parsed; a longer one is discarded and the error comes from the status. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;
const MAX_MESSAGE_LENGTH = 300;

/** One entry of a distribution-spec error body. */
export interface RegistryErrorEntry {
  readonly code: string;
  readonly message?: string;
  readonly detail?: unknown;
}

/**
 * Turns an error response into an {@link OciError}: the code of the first
 * entry of a distribution-spec error body (`{"errors":[{code, message,
 * detail}]}`) when it is a known one, else a code from the status. The body
 * is parsed when it is at most {@link MAX_ERROR_BODY_BYTES} (a longer one is
 * discarded, and the code comes from the status); a malformed body is no error
 * of its own. The message starts with `what` and never contains the URL's
 * query. For a response a {@link Transport} returned, every secret that
 * transport has sent to the host (password, Basic value, tokens, in plain,
 * base64 and URL-encoded forms) is removed from the body's messages and
 * `detail` and from the reason phrase, so a registry that echoes the `Authorization` header cannot put
 * it into an error.
 *
 * Without a usable body: 401 `UNAUTHORIZED`, 403 `DENIED`, 405 `UNSUPPORTED`,
 * 429 `TOOMANYREQUESTS`, anything else `HTTP_UNEXPECTED_STATUS`.
 *
 * @param response - the response, whose body this consumes
 * @param what - what was being done, such as `Cannot get manifest "v1" of library/alpine`
 * @returns the error, with `status` and the body's entries as `detail`
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes
 */
export async function errorFromResponse(response: Response, what: string): Promise<OciError> {
  const secrets = secretsOf(response);
  const entries = await readErrorEntries(response, secrets);
  const first = entries[0];
  const code: OciErrorCode =
    first && REGISTRY_CODES.has(first.code)
      ? (first.code as RegistryErrorCode)
      : statusCode(response.status);
  const said = entries
    .map((entry) => entry.message ?? entry.code)
    .join('; ')
    .slice(0, MAX_MESSAGE_LENGTH);
  const status = `HTTP ${response.status}`;
  const message = said
    ? `${what}: ${said} (${status})`
    : `${what}: ${status} ${reasonPhrase(response, secrets)}`.trimEnd();
  return new OciError(code, message, {
    status: response.status,
    ...(entries.length > 0 ? { detail: entries } : {}),
  });
}

/** The response's reason phrase, server text like the body: cleared of sent secrets and cut short. */
function reasonPhrase(response: Response, secrets: SentSecrets | undefined): string {
  const text = response.statusText.slice(0, MAX_MESSAGE_LENGTH);
  return secrets === undefined ? text : secrets.redact(text);
}

function statusCode(status: number): OciErrorCode {
  switch (status) {
    case 401:
      return 'UNAUTHORIZED';
    case 403:
      return 'DENIED';
    case 405:
      return 'UNSUPPORTED';
    case 429:
      return 'TOOMANYREQUESTS';
    default:
      return 'HTTP_UNEXPECTED_STATUS';
  }
}

async function readErrorEntries(
  response: Response,
  secrets: SentSecrets | undefined,
): Promise<RegistryErrorEntry[]> {
  if (!response.body) return [];
  let text: string;
  try {
    const bytes = await readBytes(response.body, { maxBytes: MAX_ERROR_BODY_BYTES });
    text = new TextDecoder().decode(bytes);
  } catch {
    await response.body.cancel().catch(() => {});
    return [];
  }
  try {
    const parsed: unknown = JSON.parse(text);
    const errors = (parsed as { errors?: unknown } | null)?.errors;
    if (!Array.isArray(errors)) return [];
    return entriesOf(secrets === undefined ? errors : (secrets.redactValue(errors) as unknown[]));
  } catch {
    return [];
  }
}

function entriesOf(errors: readonly unknown[]): RegistryErrorEntry[] {
  return errors.flatMap((entry: unknown): RegistryErrorEntry[] => {
    const { code, message, detail } = (entry ?? {}) as Record<string, unknown>;
    if (typeof code !== 'string') return [];
    return [
      {
        code,
        ...(typeof message === 'string' ? { message: oneLine(message) } : {}),
        ...(detail === undefined ? {} : { detail }),
      },
    ];
  });
}

function oneLine(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ').trim();
}
