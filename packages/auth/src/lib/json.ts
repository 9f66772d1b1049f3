/**
 * Tells whether a parsed JSON value is an object (not an array, not `null`).
 *
 * @param value - a value from `JSON.parse`
 * @returns whether its members can be read by name
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
