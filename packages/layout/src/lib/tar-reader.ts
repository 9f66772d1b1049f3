import { abortError, concatBytes } from '@ocikit/digest';
import {
  ExtendedHeaders,
  MAX_META_SIZE,
  parseTarHeader,
  TAR_BLOCK,
  type TarEntry,
  tarInvalid,
} from './tar-format.ts';

/** The bytes of a tar archive, read from the start to the end. */
export interface TarSource {
  /** Reads the next bytes: at least one and at most `max`; none at the end. */
  read(max: number): Promise<Uint8Array>;
  /** Passes over the next `length` bytes; returns how many there were (fewer at the end). */
  skip(length: number): Promise<number>;
}

/** Reads `length` bytes at `position`; fewer only at the end of the file. */
export type ReadAt = (position: number, length: number) => Promise<Uint8Array>;

const EMPTY: Uint8Array = new Uint8Array(0);

/**
 * Reads a tar archive entry by entry, with the header rules of
 * `tar-format.ts`, from any source: a file read in place (data skipped
 * without reading it) or a stream. Checks every header checksum and
 * requires the end-of-archive marker (two zero blocks); what follows it is
 * not read. Calls run one after the other, whoever makes them.
 */
export class TarReader {
  readonly #source: TarSource;
  readonly #signal: AbortSignal | undefined;
  #position = 0;
  #remaining = 0;
  #padding = 0;
  #ended = false;
  #queue: Promise<unknown> = Promise.resolve();

  /**
   * @param source - the archive's bytes
   * @param signal - cancels reading
   */
  constructor(source: TarSource, signal?: AbortSignal) {
    this.#source = source;
    this.#signal = signal;
  }

  /**
   * The next entry; what the previous entry's data has left unread is skipped.
   *
   * @returns the entry, or `undefined` at the end-of-archive marker
   * @throws {OciError} `TAR_INVALID` (see `parseTarHeader` and
   *   `ExtendedHeaders`), also for a truncated archive, a lone zero block,
   *   or extended headers with no entry after them; `ABORTED`
   */
  next(): Promise<TarEntry | undefined> {
    return this.#serial(() => this.#next());
  }

  /**
   * Reads the current entry's data.
   *
   * @param max - the most bytes to return
   * @returns the next bytes of the data; none at its end
   * @throws {OciError} `TAR_INVALID` when the archive ends inside the data
   */
  readData(max: number): Promise<Uint8Array> {
    return this.#serial(async () => {
      if (this.#remaining === 0) return EMPTY;
      const chunk = await this.#source.read(Math.min(max, this.#remaining));
      if (chunk.byteLength === 0) throw tarInvalid('the archive ends inside an entry');
      this.#remaining -= chunk.byteLength;
      this.#position += chunk.byteLength;
      return chunk;
    });
  }

  #serial<T>(run: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(run);
    this.#queue = result.catch(() => {});
    return result;
  }

  async #next(): Promise<TarEntry | undefined> {
    if (this.#ended) return undefined;
    await this.#skip(this.#remaining + this.#padding, 'the archive ends inside an entry');
    this.#remaining = 0;
    this.#padding = 0;
    const extended = new ExtendedHeaders();
    for (;;) {
      if (this.#signal?.aborted) throw abortError(this.#signal);
      const position = this.#position;
      const block = await this.#readExactly(TAR_BLOCK);
      if (isZero(block)) {
        if (!isZero(await this.#readExactly(TAR_BLOCK))) {
          throw tarInvalid(`a lone zero block at offset ${position}`);
        }
        if (extended.pending) throw tarInvalid('extended headers with no entry after them');
        this.#ended = true;
        return undefined;
      }
      const header = parseTarHeader(block, position);
      const { kind, size } = header;
      if (kind === 'pax' || kind === 'pax-global' || kind === 'long-name' || kind === 'long-link') {
        if (size > MAX_META_SIZE) {
          throw tarInvalid(`an extended header of ${size} bytes, over ${MAX_META_SIZE}`);
        }
        const data = await this.#readExactly(size);
        await this.#skip(padding(size), 'the archive ends inside an extended header');
        extended.add(kind, data, position);
        continue;
      }
      const entry = extended.resolve(header, this.#position);
      this.#remaining = entry.size;
      this.#padding = padding(entry.size);
      return entry;
    }
  }

  async #readExactly(length: number): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let total = 0;
    while (total < length) {
      const chunk = await this.#source.read(length - total);
      if (chunk.byteLength === 0) {
        throw tarInvalid('the archive is truncated (no end-of-archive marker)');
      }
      parts.push(chunk);
      total += chunk.byteLength;
    }
    this.#position += total;
    return concatBytes(parts);
  }

  async #skip(length: number, reason: string): Promise<void> {
    if (length === 0) return;
    const skipped = await this.#source.skip(length);
    this.#position += skipped;
    if (skipped < length) throw tarInvalid(reason);
  }
}

/**
 * A file as a tar source, read in place: skipped data is never read.
 *
 * @param readAt - reads bytes of the file
 * @param fileSize - the file's length
 * @returns the source
 */
export function readAtSource(readAt: ReadAt, fileSize: number): TarSource {
  let position = 0;
  return {
    async read(max) {
      const length = Math.min(max, fileSize - position);
      if (length <= 0) return EMPTY;
      const bytes = await readAt(position, length);
      position += bytes.byteLength;
      return bytes;
    },
    async skip(length) {
      const skipped = Math.max(0, Math.min(length, fileSize - position));
      position += skipped;
      return skipped;
    },
  };
}

/**
 * A stream as a tar source. The chunks returned are views of the stream's.
 *
 * @param reader - reads the stream (released by the caller)
 * @returns the source
 */
export function streamSource(reader: ReadableStreamDefaultReader<Uint8Array>): TarSource {
  let buffered: Uint8Array = EMPTY;
  const read = async (max: number): Promise<Uint8Array> => {
    while (buffered.byteLength === 0) {
      const { done, value } = await reader.read();
      if (done) return EMPTY;
      buffered = value;
    }
    const chunk = buffered.subarray(0, max);
    buffered = buffered.subarray(chunk.byteLength);
    return chunk;
  };
  return {
    read,
    async skip(length) {
      let skipped = 0;
      while (skipped < length) {
        const chunk = await read(length - skipped);
        if (chunk.byteLength === 0) break;
        skipped += chunk.byteLength;
      }
      return skipped;
    },
  };
}

function isZero(block: Uint8Array): boolean {
  return block.every((byte) => byte === 0);
}

function padding(size: number): number {
  return (TAR_BLOCK - (size % TAR_BLOCK)) % TAR_BLOCK;
}
