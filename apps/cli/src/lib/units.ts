const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/**
 * Formats a byte count for people: `512 B`, `1.5 MiB`.
 *
 * @param bytes - the count
 * @returns the text
 */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB|TiB|KB|MB|GB|TB|K|M|G|T)?$/i;
const DECIMAL: Readonly<Record<string, number>> = { K: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/**
 * Reads a size people write: `512`, `64MiB`, `1.5GiB` (binary units), `2GB`
 * (decimal), `8G` (binary, as `docker --memory` reads it).
 *
 * @param text - the size
 * @returns whole bytes, or undefined when the text is no size
 */
export function parseBytes(text: string): number | undefined {
  const match = SIZE.exec(text.trim());
  if (!match) return undefined;
  const unit = (match[2] ?? 'B').toUpperCase();
  const scale = unit.endsWith('IB')
    ? 1024 ** UNITS.findIndex((each) => each.toUpperCase() === unit)
    : unit.length === 2 && unit !== 'B'
      ? (DECIMAL[unit[0] as string] as number)
      : unit === 'B'
        ? 1
        : 1024 ** ('KMGT'.indexOf(unit) + 1);
  const bytes = Math.floor(Number(match[1]) * scale);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/**
 * A digest shortened for a progress line: algorithm and 12 hex digits.
 *
 * @param digest - such as `sha256:…`
 * @returns such as `sha256:0123456789ab`
 */
export function shortDigest(digest: string): string {
  const colon = digest.indexOf(':');
  return digest.slice(0, colon + 13);
}
