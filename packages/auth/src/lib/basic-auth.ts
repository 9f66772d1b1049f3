import type { BasicCredential } from './credential.ts';

/**
 * Encodes a user name and password as Basic auth and Docker's `auth` field
 * do: base64 of the UTF-8 bytes of `username:password`.
 *
 * @param username - the user name
 * @param password - the password
 * @returns the base64 text (put `Basic ` before it for an `Authorization` header)
 * @see https://www.rfc-editor.org/rfc/rfc7617#section-2
 */
export function encodeBasicAuth(username: string, password: string): string {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * Decodes a Docker `auth` field (or Basic auth text): base64 of
 * `username:password`. As Docker does, the password keeps everything after
 * the first colon, minus trailing NUL characters.
 *
 * @param value - the base64 text
 * @returns the user name and password, or `undefined` when the text is not
 *   base64, has no colon, or has an empty user name (the caller reports that
 *   without quoting the text, which is a secret)
 */
export function decodeBasicAuth(value: string): BasicCredential | undefined {
  let binary: string;
  try {
    binary = atob(value);
  } catch {
    return undefined;
  }
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  const text = new TextDecoder().decode(bytes);
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  return { username: text.slice(0, colon), password: text.slice(colon + 1).replace(/\0+$/, '') };
}
