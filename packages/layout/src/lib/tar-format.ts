// The one interpretation of tar headers that every reader of ours uses (the
// in-place scanner and the streaming reader), so that they cannot disagree.
// Where Go's archive/tar (skopeo, containerd, Docker) and GNU tar read the
// same bytes differently, the archive is refused rather than read one way.

import { OciError } from '@ocikit/digest';

/** The kinds of tar entries. */
export type TarEntryType =
  | 'file'
  | 'link'
  | 'symlink'
  | 'character-device'
  | 'block-device'
  | 'directory'
  | 'fifo';

/** One entry of a tar archive, its extended headers applied, located by byte offsets. */
export interface TarEntry {
  /** The name as stored (PAX and GNU long names applied). */
  readonly name: string;
  readonly type: TarEntryType;
  /** The target of a link. */
  readonly linkname: string;
  /** Where the entry's data starts in the archive. */
  readonly offset: number;
  /** The data's length (0 for every type but `file`). */
  readonly size: number;
}

/** What a header block announces: an entry, or metadata for the entry after it. */
export type TarHeaderKind = TarEntryType | 'pax' | 'pax-global' | 'long-name' | 'long-link';

/** The fields of one header block. */
export interface TarHeader {
  /** The name, with the ustar prefix applied. */
  readonly name: string;
  readonly kind: TarHeaderKind;
  /** The size field: the length of the data that follows the header. */
  readonly size: number;
  readonly linkname: string;
}

/** The size of a tar block. */
export const TAR_BLOCK = 512;
/** The largest PAX or GNU long-name record accepted (Go's limit too). */
export const MAX_META_SIZE = 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The typeflags read. Any other (GNU sparse `S`, volume labels, multi-volume
 * parts, vendor types) is refused: readers disagree on what follows them.
 */
const KINDS: Readonly<Record<string, TarHeaderKind>> = {
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

/** Types with no data: Go reads their size as 0, GNU tar skips the size given, so it must be 0. */
const HEADER_ONLY: ReadonlySet<TarEntryType> = new Set([
  'link',
  'symlink',
  'character-device',
  'block-device',
  'directory',
  'fifo',
]);

/**
 * Parses a header block: checksum, numbers, ustar prefix, typeflag.
 *
 * @param block - the 512 bytes
 * @param position - the block's offset in the archive (for messages)
 * @returns the fields
 * @throws {OciError} `TAR_INVALID` for a bad checksum, a malformed number, a
 *   name that is not UTF-8, an unknown typeflag, or a prefix field that
 *   readers split differently
 */
export function parseTarHeader(block: Uint8Array, position: number): TarHeader {
  const stored = readNumber(block, 148, 8, position);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < TAR_BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : (block[i] as number);
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  if (stored !== unsigned && stored !== signed) {
    throw tarInvalid(`the header at offset ${position} has a bad checksum`);
  }
  for (const [offset, length] of [
    [100, 8],
    [108, 8],
    [116, 8],
    [136, 12],
  ] as const) {
    readNumber(block, offset, length, position, true);
  }
  const typeflag = String.fromCharCode(block[156] as number);
  const name = cString(block, 0, 100, position);
  const kind = KINDS[typeflag];
  if (kind === undefined) {
    throw tarInvalid(`entry "${name}" has the unsupported type ${JSON.stringify(typeflag)}`);
  }
  return {
    name: withPrefix(block, name, position),
    kind,
    size: readNumber(block, 124, 12, position),
    linkname: cString(block, 157, 100, position),
  };
}

/**
 * The ustar prefix joined to the name. A GNU header has none, but Go takes
 * its time fields as a prefix when they do not parse; a star header's prefix
 * is 131 bytes for Go and 155 for GNU tar. Both doubts are refused.
 */
function withPrefix(block: Uint8Array, name: string, position: number): string {
  const magic = String.fromCharCode(...block.subarray(257, 265));
  if (magic === 'ustar  \0') {
    for (const offset of [345, 357]) {
      if (block[offset] !== 0) readNumber(block, offset, 12, position, true);
    }
    return name;
  }
  if (!magic.startsWith('ustar\0')) return name;
  const prefix = cString(block, 345, 155, position);
  const star = String.fromCharCode(...block.subarray(508, 512)) === 'tar\0';
  if (star && cString(block, 345, 131, position) !== prefix) {
    throw tarInvalid(
      `the header at offset ${position} has a prefix that readers split differently`,
    );
  }
  return prefix === '' ? name : `${prefix}/${name}`;
}

/**
 * The extended headers met before an entry, and the rules that apply them.
 * A PAX `x` header replaces the one before it (the last wins, as in Go, GNU
 * tar and modern-tar); so does a GNU long name. A PAX path together with a
 * GNU long name is refused (Go takes the long name, GNU tar the PAX path).
 */
export class ExtendedHeaders {
  #pax: Map<string, string> | undefined;
  #longName: string | undefined;
  #longLink: string | undefined;

  /**
   * Records the data of a metadata header.
   *
   * @param kind - the header's kind (`pax`, `pax-global`, `long-name`, `long-link`)
   * @param data - its data
   * @param position - the header's offset (for messages)
   * @throws {OciError} `TAR_INVALID` for a malformed record, a global header
   *   that sets a name or size or comes between an extended header and its
   *   entry, or GNU sparse records
   */
  add(kind: TarHeaderKind, data: Uint8Array, position: number): void {
    if (kind === 'pax') {
      this.#pax = parsePax(data, position);
    } else if (kind === 'long-name') {
      this.#longName = cString(data, 0, data.byteLength, position);
    } else if (kind === 'long-link') {
      this.#longLink = cString(data, 0, data.byteLength, position);
    } else {
      // Go returns a global header as an entry and drops what came before it; GNU tar keeps it.
      if (this.pending) {
        throw tarInvalid(`a global PAX header at offset ${position} follows an extended header`);
      }
      const records = parsePax(data, position);
      for (const key of ['path', 'linkpath', 'size']) {
        if (records.has(key)) throw tarInvalid(`a global PAX header sets "${key}"`);
      }
    }
  }

  /** Whether extended headers wait for their entry. */
  get pending(): boolean {
    return this.#pax !== undefined || this.#longName !== undefined || this.#longLink !== undefined;
  }

  /**
   * Applies the extended headers to an entry's header, and forgets them.
   *
   * @param header - the entry's header
   * @param offset - where its data starts
   * @returns the entry
   * @throws {OciError} `TAR_INVALID` for an empty name, a name given twice, a
   *   type with no data but a size, or a regular file named like a
   *   directory that holds data
   */
  resolve(header: TarHeader, offset: number): TarEntry {
    const pax = this.#pax ?? new Map<string, string>();
    const name = pick(pax.get('path'), this.#longName, header.name, 'name');
    const linkname = pick(pax.get('linkpath'), this.#longLink, header.linkname, 'link target');
    const paxSize = pax.get('size');
    const size = paxSize === undefined ? header.size : Number(paxSize);
    this.#pax = this.#longName = this.#longLink = undefined;
    if (name === '') throw tarInvalid(`the entry at offset ${offset - TAR_BLOCK} has no name`);
    let type = header.kind as TarEntryType;
    // Old archives mark directories with a trailing slash; with data, Go and GNU tar disagree.
    if (type === 'file' && name.endsWith('/')) type = 'directory';
    if (HEADER_ONLY.has(type) && size !== 0) {
      throw tarInvalid(`entry "${name}" is a ${type} but holds data (${size} bytes)`);
    }
    return { name, type, linkname, offset, size };
  }
}

function pick(
  pax: string | undefined,
  gnu: string | undefined,
  header: string,
  what: string,
): string {
  if (pax !== undefined && gnu !== undefined) {
    throw tarInvalid(`an entry's ${what} is set by both a PAX header and a GNU long name`);
  }
  return pax ?? gnu ?? header;
}

/**
 * Parses PAX records `"<length> <key>=<value>\n"`; a key met twice keeps its
 * last value.
 */
function parsePax(data: Uint8Array, position: number): Map<string, string> {
  const malformed = (reason: string) =>
    tarInvalid(`the PAX header at offset ${position} is malformed: ${reason}`);
  const records = new Map<string, string>();
  let offset = 0;
  while (offset < data.byteLength) {
    const space = data.indexOf(0x20, offset);
    const digits = space < 0 ? '' : String.fromCharCode(...data.subarray(offset, space));
    const length = /^[0-9]{1,16}$/.test(digits) ? Number(digits) : Number.NaN;
    if (!(length > space - offset + 1) || offset + length > data.byteLength) {
      throw malformed('a record length is wrong');
    }
    const record = decode(data.subarray(space + 1, offset + length), position);
    const equals = record.indexOf('=');
    if (!record.endsWith('\n') || equals <= 0) throw malformed('a record is not "key=value\\n"');
    const key = record.slice(0, equals);
    const value = record.slice(equals + 1, -1);
    if (key.includes('\0')) throw malformed('a key holds a NUL');
    records.set(key, value);
    offset += length;
  }
  for (const [key, value] of records) {
    if (key.startsWith('GNU.sparse.')) {
      throw tarInvalid(`the PAX header at offset ${position} describes a GNU sparse file`);
    }
    if (key !== 'path' && key !== 'linkpath' && key !== 'size') continue;
    // An empty value: Go keeps the header's field, GNU tar takes it as empty.
    if (value === '' || value.includes('\0')) {
      throw malformed(`"${key}" is empty or holds a NUL`);
    }
    if (key === 'size' && !(/^[0-9]+$/.test(value) && Number.isSafeInteger(Number(value)))) {
      throw malformed(`the size ${JSON.stringify(value)} is not a number`);
    }
  }
  return records;
}

/**
 * A numeric header field: octal text, or GNU base-256 when the high bit is
 * set. `signed` allows negative base-256 values (times); sizes may not be.
 */
function readNumber(
  block: Uint8Array,
  offset: number,
  length: number,
  position: number,
  signed = false,
): number {
  const first = block[offset] as number;
  if (first & 0x80) {
    const negative = (first & 0x40) !== 0;
    if (negative && !signed)
      throw tarInvalid(`a negative number in the header at offset ${position}`);
    let value = negative ? ~first & 0x3f : first & 0x7f;
    for (let i = 1; i < length; i++) {
      const byte = block[offset + i] as number;
      value = value * 256 + (negative ? ~byte & 0xff : byte);
    }
    if (!Number.isSafeInteger(value)) throw tarInvalid(`a number too large at offset ${position}`);
    return negative ? -value - 1 : value;
  }
  const text = String.fromCharCode(...block.subarray(offset, offset + length))
    .replace(/[\0 ]+$/, '')
    .replace(/^ +/, '');
  if (!/^[0-7]*$/.test(text)) {
    throw tarInvalid(
      `the header at offset ${position} has a malformed number ${JSON.stringify(text)}`,
    );
  }
  return text === '' ? 0 : Number.parseInt(text, 8);
}

/** A NUL-terminated field, as UTF-8. */
function cString(bytes: Uint8Array, offset: number, length: number, position: number): string {
  const field = bytes.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return decode(end < 0 ? field : field.subarray(0, end), position);
}

function decode(bytes: Uint8Array, position: number): string {
  try {
    return utf8.decode(bytes);
  } catch (error) {
    throw new OciError(
      'TAR_INVALID',
      `Tar archive is invalid: text at offset ${position} is not UTF-8`,
      {
        cause: error,
      },
    );
  }
}

/**
 * The error for a malformed archive.
 *
 * @param reason - what is wrong
 * @returns a `TAR_INVALID` error
 */
export function tarInvalid(reason: string): OciError {
  return new OciError('TAR_INVALID', `Tar archive is invalid: ${reason}`);
}
