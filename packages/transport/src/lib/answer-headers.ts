import { OciError } from '@ocikit/digest';

/** The header a `Headers` never joins: each of its values stays apart. */
const SET_COOKIE = 'set-cookie';

/** Header values as Node's HTTP clients hand them over: lower-cased names, repeats as arrays. */
export type RawHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * The headers of a received response, read-only, with the `Headers`
 * interface: `get` joins repeated values with `, `, iteration is sorted by
 * name and yields each `Set-Cookie` apart, `getSetCookie` lists them, and
 * `set`/`append`/`delete` throw (`OPTION_INVALID`), as a response's
 * immutable `Headers` do. Not Node's `Headers`: its first touch loads Node's whole
 * fetch implementation (about 15 ms), which a response read from `node:http`
 * or undici's `request()` does not need. Names are not validated: they come
 * from an HTTP parser that refused bad ones.
 */
export class AnswerHeaders implements Headers {
  /** lower-cased name → its values, in arrival order */
  readonly #values = new Map<string, string[]>();

  /**
   * @param raw - the headers of the answer (names in any case)
   */
  constructor(raw: RawHeaders) {
    for (const [name, value] of Object.entries(raw)) {
      if (value === undefined) continue;
      const key = name.toLowerCase();
      const list = this.#values.get(key) ?? [];
      if (typeof value === 'string') list.push(value);
      else list.push(...value);
      if (list.length > 0) this.#values.set(key, list);
    }
  }

  /** The value of a header, repeats joined with `, `; `null` when absent. */
  get(name: string): string | null {
    return this.#values.get(name.toLowerCase())?.join(', ') ?? null;
  }

  /** Whether the header is present. */
  has(name: string): boolean {
    return this.#values.has(name.toLowerCase());
  }

  /** Each `Set-Cookie` value apart. */
  getSetCookie(): string[] {
    return [...(this.#values.get(SET_COOKIE) ?? [])];
  }

  /** Calls `callback` for each pair in the order of {@link AnswerHeaders.entries}. */
  forEach(
    callback: (value: string, key: string, parent: Headers) => void,
    thisArg?: unknown,
  ): void {
    for (const [name, value] of this.entries()) callback.call(thisArg, value, name, this);
  }

  /** The pairs sorted by name; `Set-Cookie` once per value, the others joined. */
  *entries(): HeadersIterator<[string, string]> {
    for (const name of [...this.#values.keys()].sort()) {
      const values = this.#values.get(name) ?? [];
      if (name === SET_COOKIE) for (const value of values) yield [name, value];
      else yield [name, values.join(', ')];
    }
  }

  /** The names, as {@link AnswerHeaders.entries} yields them. */
  *keys(): HeadersIterator<string> {
    for (const [name] of this.entries()) yield name;
  }

  /** The values, as {@link AnswerHeaders.entries} yields them. */
  *values(): HeadersIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): HeadersIterator<[string, string]> {
    return this.entries();
  }

  /** @throws {OciError} `OPTION_INVALID` always: a response's headers are immutable */
  append(_name: string, _value: string): never {
    throw immutable();
  }

  /** @throws {OciError} `OPTION_INVALID` always: a response's headers are immutable */
  set(_name: string, _value: string): never {
    throw immutable();
  }

  /** @throws {OciError} `OPTION_INVALID` always: a response's headers are immutable */
  delete(_name: string): never {
    throw immutable();
  }

  get [Symbol.toStringTag](): string {
    return 'Headers';
  }
}

/** What changing a response's `Headers` throws (as `fetch`'s do, with a `TypeError`). */
function immutable(): OciError {
  return new OciError('OPTION_INVALID', 'The headers of a received response are immutable');
}
