/**
 * The few DER (ASN.1) encoders a self-signed X.509 certificate needs. Every
 * function returns the complete tag-length-value bytes.
 */

function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/**
 * Wraps content in a tag and its length.
 *
 * @param tag - the identifier octet
 * @param parts - the content, concatenated in order
 * @returns the encoded element
 */
export function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const content = Buffer.concat(parts);
  return Buffer.concat([Uint8Array.of(tag), encodeLength(content.byteLength), content]);
}

/** A `SEQUENCE` of the given elements. */
export function sequence(...elements: Uint8Array[]): Uint8Array {
  return tlv(0x30, ...elements);
}

/** A `SET` of the given elements (in the given order: callers pass one element). */
export function set(...elements: Uint8Array[]): Uint8Array {
  return tlv(0x31, ...elements);
}

/** A non-negative `INTEGER` from big-endian magnitude bytes. */
export function integer(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.byteLength - 1 && magnitude[start] === 0) start++;
  const trimmed = magnitude.subarray(start);
  const needsPad = (trimmed[0] ?? 0) >= 0x80;
  return tlv(0x02, needsPad ? Uint8Array.of(0) : new Uint8Array(0), trimmed);
}

/** An `OBJECT IDENTIFIER` from its dotted form, such as `2.5.4.3`. */
export function objectIdentifier(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number);
  const [first = 0, second = 0, ...rest] = arcs;
  const bytes: number[] = [first * 40 + second];
  for (const arc of rest) {
    const base128: number[] = [arc & 0x7f];
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128)) {
      base128.unshift(0x80 | (value & 0x7f));
    }
    bytes.push(...base128);
  }
  return tlv(0x06, Uint8Array.from(bytes));
}

/** A `UTF8String`. */
export function utf8String(value: string): Uint8Array {
  return tlv(0x0c, new TextEncoder().encode(value));
}

/** A `UTCTime` (years 1950–2049) or `GeneralizedTime` (later), to the second. */
export function time(date: Date): Uint8Array {
  const iso = date.toISOString();
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  const year = date.getUTCFullYear();
  if (year < 2050) return tlv(0x17, new TextEncoder().encode(digits.slice(2)));
  return tlv(0x18, new TextEncoder().encode(digits));
}

/** A `BIT STRING` with no unused bits, or with `unusedBits` in the last byte. */
export function bitString(bytes: Uint8Array, unusedBits = 0): Uint8Array {
  return tlv(0x03, Uint8Array.of(unusedBits), bytes);
}

/** An `OCTET STRING`. */
export function octetString(bytes: Uint8Array): Uint8Array {
  return tlv(0x04, bytes);
}

/** The `BOOLEAN` true. */
export function booleanTrue(): Uint8Array {
  return Uint8Array.of(0x01, 0x01, 0xff);
}

/** An explicit context-specific tag `[n]` around an element. */
export function explicit(tagNumber: number, element: Uint8Array): Uint8Array {
  return tlv(0xa0 | tagNumber, element);
}
