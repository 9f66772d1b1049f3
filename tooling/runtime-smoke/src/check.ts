/** Fails the smoke run with a message when a condition does not hold. */
export function check(condition: unknown, what: string): void {
  if (!condition) throw new Error(`smoke check failed: ${what}`);
}

/** Awaits a promise that must reject with an error carrying `code`. */
export async function rejectsWith(
  promise: Promise<unknown>,
  code: string,
  what: string,
): Promise<void> {
  try {
    await promise;
  } catch (error) {
    check(
      (error as { code?: string }).code === code,
      `${what}: expected ${code}, got ${String(error)}`,
    );
    return;
  }
  check(false, `${what}: expected ${code}, but it succeeded`);
}
