/**
 * The properties of `value` named by `keys` that are set (not `undefined`),
 * to spread into options that must not carry an explicit `undefined`.
 *
 * @param value - the object
 * @param keys - the properties to take
 * @returns a new object with those that are set
 */
export function pick<T extends object, K extends keyof T>(
  value: T,
  keys: readonly K[],
): Partial<Pick<T, K>> {
  const picked: Partial<Pick<T, K>> = {};
  for (const key of keys) if (value[key] !== undefined) picked[key] = value[key];
  return picked;
}
