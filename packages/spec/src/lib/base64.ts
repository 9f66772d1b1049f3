const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Tells whether a string is padded standard base64 (RFC 4648 section 4), with
 * no whitespace.
 *
 * @param value - the string to test
 * @returns whether it is base64
 */
export function isBase64(value: string): boolean {
  return BASE64_PATTERN.test(value);
}

/**
 * Decodes standard base64 that {@link isBase64} accepted.
 *
 * @param value - base64 text
 * @returns the bytes
 */
export function decodeBase64(value: string): Uint8Array {
  const binary = atob(value);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  return bytes;
}
