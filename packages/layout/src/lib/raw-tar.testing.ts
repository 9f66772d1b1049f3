// Test support: tar archives built byte by byte, including the malformed and
// hostile ones a tar library refuses to write. Imported only by tests.

import { OciError } from '@ocikit/digest';

/** One entry of {@link rawTar}. */
export interface RawEntry {
  /** The name field (up to 100 bytes; use `prefix` or a PAX/GNU record for more). */
  name: string;
  /** The ustar prefix field. */
  prefix?: string;
  /** The typeflag character. @default '0' */
  type?: string;
  /** The data. @default none */
  content?: Uint8Array | string;
  /** The size field, when it must lie about the data. @default the data's length */
  size?: number;
  /** The link target. */
  linkname?: string;
  /** Write a wrong checksum. */
  badChecksum?: boolean;
}

const encoder = new TextEncoder();

function put(block: Uint8Array, offset: number, length: number, text: string): void {
  const bytes = encoder.encode(text);
  if (bytes.byteLength > length) throw new OciError('OPTION_INVALID', `Field too long: ${text}`);
  block.set(bytes, offset);
}

function octal(value: number, length: number): string {
  return `${value.toString(8).padStart(length - 1, '0')}\0`;
}

/** A 512-byte ustar header. */
export function rawHeader(entry: RawEntry): Uint8Array {
  const block = new Uint8Array(512);
  const data = typeof entry.content === 'string' ? encoder.encode(entry.content) : entry.content;
  put(block, 0, 100, entry.name);
  put(block, 100, 8, octal(0o644, 8));
  put(block, 108, 8, octal(0, 8));
  put(block, 116, 8, octal(0, 8));
  put(block, 124, 12, octal(entry.size ?? data?.byteLength ?? 0, 12));
  put(block, 136, 12, octal(0, 12));
  put(block, 156, 1, entry.type ?? '0');
  put(block, 157, 100, entry.linkname ?? '');
  put(block, 257, 6, 'ustar\0');
  put(block, 263, 2, '00');
  put(block, 345, 155, entry.prefix ?? '');
  block.fill(0x20, 148, 156);
  let sum = block.reduce((total, byte) => total + byte, 0);
  if (entry.badChecksum) sum += 1;
  put(block, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return block;
}

/** A PAX extended header's data: `"<length> <key>=<value>\n"` records. */
export function paxData(records: Record<string, string>): string {
  return Object.entries(records)
    .map(([key, value]) => {
      const body = ` ${key}=${value}\n`;
      let length = body.length + 1;
      while (`${length}${body}`.length !== length) length += 1;
      return `${length}${body}`;
    })
    .join('');
}

/** A tar archive of the entries, data padded to 512 bytes, and the end-of-archive marker unless `end` is false. */
export function rawTar(entries: readonly RawEntry[], options: { end?: boolean } = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const entry of entries) {
    parts.push(rawHeader(entry));
    const data = typeof entry.content === 'string' ? encoder.encode(entry.content) : entry.content;
    if (data && data.byteLength > 0) {
      parts.push(data);
      const padding = -data.byteLength & 511;
      if (padding > 0) parts.push(new Uint8Array(padding));
    }
  }
  if (options.end ?? true) parts.push(new Uint8Array(1024));
  const out = new Uint8Array(parts.reduce((total, part) => total + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}
