/**
 * A URL as it may appear in a message or a trace: scheme, host, port and
 * path. The query (upload state tokens, pre-signed signatures) becomes `?…`
 * and user info is dropped.
 *
 * @param url - the URL
 * @returns the redacted text
 */
export function redactUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '<invalid URL>';
  }
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}${parsed.search ? '?…' : ''}`;
}

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

/**
 * Headers as they may appear in a trace: credentials replaced by `<redacted>`
 * (keeping the scheme of an `Authorization`), everything else as it is.
 *
 * @param headers - request or response headers (the names of a record in any case)
 * @returns a plain record of lower-cased names
 */
export function redactHeaders(
  headers: Headers | Readonly<Record<string, string>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  const entries =
    typeof headers.forEach === 'function' ? (headers as Headers) : Object.entries(headers);
  for (const [given, value] of entries) {
    const name = given.toLowerCase();
    if (!SECRET_HEADERS.has(name)) {
      out[name] = name === 'location' ? redactUrl(value) : value;
      continue;
    }
    const scheme = name.endsWith('authorization') ? value.split(' ')[0] : undefined;
    out[name] = scheme ? `${scheme} <redacted>` : '<redacted>';
  }
  return out;
}
