import type { Checker } from './check.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Reads bytes as one JSON document and deep-freezes the result, so the parsed
 * view cannot drift from the bytes it came from. The bytes must be UTF-8
 * without a byte order mark (RFC 8259; Go's `encoding/json` refuses a BOM
 * too). Duplicate member names keep the last value, as `JSON.parse` and Go's
 * `encoding/json` both do.
 *
 * @param bytes - the document
 * @param checker - reports problems with its code and document name
 * @returns the frozen JSON value
 * @throws {OciError} the checker's code when the bytes are not UTF-8 JSON
 */
export function parseJsonBytes(bytes: Uint8Array, checker: Checker): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch (error) {
    return checker.fail('', 'is not valid UTF-8', error);
  }
  if (text.charCodeAt(0) === 0xfeff) {
    checker.fail('', 'starts with a byte order mark, which JSON does not allow');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    checker.fail('', `is not valid JSON: ${(error as Error).message}`, error);
  }
  return deepFreeze(value);
}

/** Freezes a JSON value and everything in it, without recursion (no stack limit). */
function deepFreeze<T>(root: T): T {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value !== 'object' || value === null || Object.isFrozen(value)) continue;
    Object.freeze(value);
    for (const child of Object.values(value)) pending.push(child);
  }
  return root;
}
