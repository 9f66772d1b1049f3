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
