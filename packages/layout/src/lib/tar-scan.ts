import { abortError, OciError } from '@ocikit/digest';
import type { TarEntryType } from './tar-names.ts';

/** One entry of a tar file, located by byte offsets. */
export interface ScannedEntry {
  /** The name as stored (PAX and GNU long names applied). */
  readonly name: string;
  readonly type: TarEntryType;
  /** The target of a link. */
  readonly linkname: string;
  /** Where the entry's data starts in the file. */
  readonly offset: number;
  /** The data's length. */
  readonly size: number;
}

/** Reads `length` bytes at `position`; fewer only at the end of the file. */
export type ReadAt = (position: number, length: number) => Promise<Uint8Array>;

const BLOCK = 512;
/** The largest PAX or GNU long-name record accepted. */
const MAX_META_SIZE = 1024 * 1024;
const utf8 = new TextDecoder();

const TYPES: Readonly<
  Record<string, TarEntryType | 'pax' | 'pax-global' | 'long-name' | 'long-link'>
> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'link',
  '2': 'symlink',
  '3': 'character-device',
  '4': 'block-device',
  '5': 'directory',
  '6': 'fifo',
  x: 'pax',
  g: 'pax-global',
  L: 'long-name',
  K: 'long-link',
};

const HEADER_ONLY: ReadonlySet<TarEntryType> = new Set([
  'link',
  'symlink',
  'character-device',
  'block-device',
  'directory',
  'fifo',
]);

interface Pending {
  path?: string;
  linkpath?: string;
  size?: number;
}

/**
 * Lists the entries of a tar file by reading its headers only (the data is
 * skipped), so an archive of any size is indexed in one quick pass. Reads
 * POSIX ustar, PAX (`path`, `linkpath`, `size`) and GNU long names; checks
 * every header checksum; requires the end-of-archive marker (two zero blocks).
 *
 * @param readAt - reads bytes of the file
 * @param fileSize - the file's length
 * @param signal - cancels the scan
 * @returns the entries, in archive order
 * @throws {OciError} `TAR_INVALID` for a bad checksum, an unknown entry type,
 *   a malformed number or PAX record, or a truncated archive; `ABORTED`
 */
export async function scanTar(
  readAt: ReadAt,
  fileSize: number,
  signal?: AbortSignal,
): Promise<ScannedEntry[]> {
  const entries: ScannedEntry[] = [];
  let pending: Pending = {};
  let position = 0;
  for (;;) {
    if (signal?.aborted) throw abortError(signal);
    const block = await readBlock(readAt, position, fileSize);
    if (isZero(block)) {
      const next = await readBlock(readAt, position + BLOCK, fileSize);
      if (!isZero(next)) throw invalid(`a lone zero block at offset ${position}`);
      if (Object.keys(pending).length > 0)
        throw invalid('extended headers with no entry after them');
      return entries;
    }
    const header = parseHeader(block, position);
    const start = position + BLOCK;
    const kind = TYPES[header.typeflag];
    if (kind === undefined) {
      throw invalid(
        `entry "${header.name}" has the unsupported type ${JSON.stringify(header.typeflag)}`,
      );
    }
    let size = header.size;
    if (kind === 'pax' || kind === 'pax-global' || kind === 'long-name' || kind === 'long-link') {
      const data = await readMeta(readAt, start, size, fileSize);
      if (kind === 'pax') Object.assign(pending, paxOverrides(parsePax(data)));
      else if (kind === 'pax-global') checkGlobal(parsePax(data));
      else if (kind === 'long-name') pending.path = cString(data, 0, data.byteLength);
      else pending.linkpath = cString(data, 0, data.byteLength);
    } else {
      const name = pending.path ?? header.name;
      let type: TarEntryType = kind;
      if (type === 'file' && name.endsWith('/')) type = 'directory';
      size = HEADER_ONLY.has(type) ? 0 : (pending.size ?? header.size);
      if (start + size > fileSize) throw invalid(`entry "${name}" is cut off`);
      entries.push({
        name,
        type,
        linkname: pending.linkpath ?? header.linkname,
        offset: start,
        size,
      });
      pending = {};
    }
    position = start + padded(size);
  }
}

/** The header fields the scanner uses. */
interface Header {
  name: string;
  size: number;
  typeflag: string;
  linkname: string;
}

function parseHeader(block: Uint8Array, position: number): Header {
  const stored = readNumber(block, 148, 8, position);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : (block[i] as number);
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  if (stored !== unsigned && stored !== signed) {
    throw invalid(`the header at offset ${position} has a bad checksum`);
  }
  const name = cString(block, 0, 100);
  const magic = utf8.decode(block.subarray(257, 263));
  const prefix = magic === 'ustar\0' ? cString(block, 345, 155) : '';
  return {
    name: prefix === '' ? name : `${prefix}/${name}`,
    size: readNumber(block, 124, 12, position),
    typeflag: String.fromCharCode(block[156] as number),
    linkname: cString(block, 157, 100),
  };
}

/** A numeric header field: octal text, or GNU base-256 when the high bit is set. */
function readNumber(block: Uint8Array, offset: number, length: number, position: number): number {
  const first = block[offset] as number;
  if (first & 0x80) {
    if (first === 0xff) throw invalid(`a negative number in the header at offset ${position}`);
    let value = first & 0x7f;
    for (let i = 1; i < length; i++) value = value * 256 + (block[offset + i] as number);
    if (!Number.isSafeInteger(value)) throw invalid(`a number too large at offset ${position}`);
    return value;
  }
  const text = utf8
    .decode(block.subarray(offset, offset + length))
    .replace(/[\0 ]+$/, '')
    .trimStart();
  if (!/^[0-7]*$/.test(text)) {
    throw invalid(
      `the header at offset ${position} has a malformed number ${JSON.stringify(text)}`,
    );
  }
  return text === '' ? 0 : Number.parseInt(text, 8);
}

/** Parses PAX records `"<length> <key>=<value>\n"`. */
function parsePax(data: Uint8Array): Map<string, string> {
  const records = new Map<string, string>();
  let offset = 0;
  while (offset < data.byteLength) {
    const space = data.indexOf(0x20, offset);
    const length = space < 0 ? Number.NaN : Number(utf8.decode(data.subarray(offset, space)));
    if (
      !Number.isSafeInteger(length) ||
      length <= space - offset ||
      offset + length > data.byteLength
    ) {
      throw invalid('a malformed PAX record');
    }
    const record = utf8.decode(data.subarray(space + 1, offset + length));
    const equals = record.indexOf('=');
    if (!record.endsWith('\n') || equals <= 0) throw invalid('a malformed PAX record');
    records.set(record.slice(0, equals), record.slice(equals + 1, -1));
    offset += length;
  }
  return records;
}

function paxOverrides(records: Map<string, string>): Pending {
  const out: Pending = {};
  const path = records.get('path');
  const linkpath = records.get('linkpath');
  const size = records.get('size');
  if (path !== undefined) out.path = path;
  if (linkpath !== undefined) out.linkpath = linkpath;
  if (size !== undefined) {
    if (!/^\d+$/.test(size) || !Number.isSafeInteger(Number(size))) {
      throw invalid(`a malformed PAX size ${JSON.stringify(size)}`);
    }
    out.size = Number(size);
  }
  return out;
}

/** A global PAX header may carry metadata, never names or sizes (readers disagree on applying them). */
function checkGlobal(records: Map<string, string>): void {
  for (const key of ['path', 'linkpath', 'size']) {
    if (records.has(key)) throw invalid(`a global PAX header sets "${key}"`);
  }
}

async function readBlock(readAt: ReadAt, position: number, fileSize: number): Promise<Uint8Array> {
  if (position + BLOCK > fileSize)
    throw invalid('the archive is truncated (no end-of-archive marker)');
  return readAt(position, BLOCK);
}

async function readMeta(
  readAt: ReadAt,
  start: number,
  size: number,
  fileSize: number,
): Promise<Uint8Array> {
  if (size > MAX_META_SIZE)
    throw invalid(`an extended header of ${size} bytes, over ${MAX_META_SIZE}`);
  if (start + size > fileSize) throw invalid('an extended header is cut off');
  return readAt(start, size);
}

function cString(bytes: Uint8Array, offset: number, length: number): string {
  const field = bytes.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return utf8.decode(end < 0 ? field : field.subarray(0, end));
}

function isZero(block: Uint8Array): boolean {
  return block.every((byte) => byte === 0);
}

function padded(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}

function invalid(reason: string): OciError {
  return new OciError('TAR_INVALID', `Tar archive is invalid: ${reason}`);
}
