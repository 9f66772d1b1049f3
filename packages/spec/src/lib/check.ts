import { type Digest, OciError, type OciErrorCode, parseDigest } from '@ocikit/digest';
import { isBase64 } from './base64.ts';
import { isValidMediaType } from './media-types.ts';
import type { StringMap } from './types.ts';

/** A JSON object as `JSON.parse` returns it. */
export type JsonObject = Readonly<Record<string, unknown>>;

const URI_PATTERN =
  /^[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#[\]]|%[0-9A-Fa-f]{2})*$/;
const DATE_TIME_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

/**
 * Validates the parts of one JSON document and reports the first problem as
 * an `OciError` with the code and document name it was made with, naming the
 * field (`layers[2].size`) and quoting the bad value.
 */
export class Checker {
  /**
   * @param code - the code of every error this checker throws
   * @param name - what the document is called in messages, such as `Manifest`
   */
  constructor(
    readonly code: OciErrorCode,
    readonly name: string,
  ) {}

  /**
   * Throws the error for a problem.
   *
   * @param path - the field, `''` for the whole document
   * @param reason - what is wrong with it
   * @param cause - the underlying error
   * @throws {OciError} always
   */
  fail(path: string, reason: string, cause?: unknown): never {
    const subject = path === '' ? 'the document' : path;
    throw new OciError(
      this.code,
      `${this.name} is invalid: ${subject} ${reason}`,
      cause === undefined ? {} : { cause },
    );
  }

  /** Checks for a JSON object (not an array, not null). */
  object(value: unknown, path: string): JsonObject {
    if (!isJsonObject(value)) this.fail(path, `must be an object, got ${describe(value)}`);
    return value;
  }

  /** Checks for a string. */
  string(value: unknown, path: string): string {
    if (typeof value !== 'string') this.fail(path, `must be a string, got ${describe(value)}`);
    return value;
  }

  /** Checks for a boolean. */
  boolean(value: unknown, path: string): boolean {
    if (typeof value !== 'boolean') this.fail(path, `must be a boolean, got ${describe(value)}`);
    return value;
  }

  /** Checks for an array, and each item with `item` when given. */
  array(
    value: unknown,
    path: string,
    item?: (value: unknown, path: string) => unknown,
  ): readonly unknown[] {
    if (!Array.isArray(value)) this.fail(path, `must be an array, got ${describe(value)}`);
    if (item) {
      for (const [index, entry] of value.entries()) item(entry, `${path}[${index}]`);
    }
    return value;
  }

  /** Checks for an array of strings. */
  stringArray(value: unknown, path: string): readonly string[] {
    return this.array(value, path, (entry, at) => this.string(entry, at)) as readonly string[];
  }

  /**
   * Checks for a content size: a non-negative integer that a JavaScript
   * number holds exactly (at most `Number.MAX_SAFE_INTEGER`).
   */
  size(value: unknown, path: string): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      this.fail(path, `must be a non-negative integer, got ${describe(value)}`);
    }
    if (!Number.isSafeInteger(value)) {
      this.fail(path, `is ${value}, over the ${Number.MAX_SAFE_INTEGER}-byte limit`);
    }
    return value;
  }

  /** Checks for a media type by the RFC 6838 grammar. */
  mediaType(value: unknown, path: string): string {
    const text = this.string(value, path);
    if (!isValidMediaType(text)) this.fail(path, `must be a media type, got ${describe(text)}`);
    return text;
  }

  /** Checks for a digest; well-formed digests of unknown algorithms pass. */
  digest(value: unknown, path: string): Digest {
    const text = this.string(value, path);
    try {
      return parseDigest(text).digest;
    } catch (error) {
      return this.fail(path, `must be a digest, got ${describe(text)}`, error);
    }
  }

  /** Checks for an object whose values are all strings (annotations, labels). */
  stringMap(value: unknown, path: string): StringMap {
    const map = this.object(value, path);
    for (const [key, entry] of Object.entries(map)) this.string(entry, memberPath(path, key));
    return map as StringMap;
  }

  /** Checks for an object whose values are all objects (a Go `map[string]struct{}`). */
  objectMap(value: unknown, path: string): Readonly<Record<string, object>> {
    const map = this.object(value, path);
    for (const [key, entry] of Object.entries(map)) this.object(entry, memberPath(path, key));
    return map as Readonly<Record<string, object>>;
  }

  /** Checks for an RFC 3339 date-time, as Go's `time.Time` reads it. */
  dateTime(value: unknown, path: string): string {
    const text = this.string(value, path);
    if (!isDateTime(text)) this.fail(path, `must be an RFC 3339 date-time, got ${describe(text)}`);
    return text;
  }

  /** Checks for an absolute URI by the RFC 3986 character set. */
  uri(value: unknown, path: string): string {
    const text = this.string(value, path);
    if (!URI_PATTERN.test(text)) this.fail(path, `must be an absolute URI, got ${describe(text)}`);
    return text;
  }

  /** Checks for padded standard base64. */
  base64(value: unknown, path: string): string {
    const text = this.string(value, path);
    if (!isBase64(text)) this.fail(path, `must be padded base64, got ${describe(text)}`);
    return text;
  }

  /**
   * Checks a member that must be present.
   *
   * @returns what `check` returns
   */
  required<T>(
    object: JsonObject,
    key: string,
    path: string,
    check: (value: unknown, path: string) => T,
  ): T {
    const at = memberPath(path, key);
    if (!Object.hasOwn(object, key)) this.fail(at, 'is required');
    return check(object[key], at);
  }

  /** Checks a member when it is present (`null` counts as present, and fails most checks). */
  optional(
    object: JsonObject,
    key: string,
    path: string,
    check: (value: unknown, path: string) => unknown,
  ): void {
    if (Object.hasOwn(object, key)) check(object[key], memberPath(path, key));
  }
}

/**
 * Tells whether a value is a JSON object (not an array, not null).
 *
 * @param value - a parsed JSON value
 * @returns whether it is an object
 */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The path of a member: `layers[0]` + `size` is `layers[0].size`.
 *
 * @param path - the parent's path, `''` at the top
 * @param key - the member name
 * @returns the member's path
 */
function memberPath(path: string, key: string): string {
  const name = /^[A-Za-z_][A-Za-z0-9_.]*$/.test(key) ? key : JSON.stringify(key);
  return path === '' ? name : `${path}.${name}`;
}

/**
 * A short description of a value for an error message: strings quoted and
 * cut at 80 characters, objects and arrays named.
 *
 * @param value - any parsed JSON value
 * @returns the description
 */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  }
  return String(value);
}

function isDateTime(text: string): boolean {
  const match = DATE_TIME_PATTERN.exec(text);
  if (!match) return false;
  const field = (index: number) => Number(match[index] ?? 0);
  const [year, month, day] = [field(1), field(2), field(3)];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysInMonth = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  // Go's time.Parse, which the reference validator runs first, has no leap second.
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    field(4) <= 23 &&
    field(5) <= 59 &&
    field(6) <= 59 &&
    field(7) <= 23 &&
    field(8) <= 59
  );
}

/**
 * Enforces a size limit on a document before it is parsed.
 *
 * @param bytes - the document
 * @param maxSize - the limit in bytes
 * @param name - what the document is called in messages, such as `Manifest`
 * @throws {OciError} `SIZE_EXCEEDED` over the limit; `OPTION_INVALID` when
 *   `maxSize` is not a non-negative integer
 */
export function enforceMaxSize(bytes: Uint8Array, maxSize: number, name: string): void {
  if (!Number.isSafeInteger(maxSize) || maxSize < 0) {
    throw new OciError('OPTION_INVALID', `maxSize must be a non-negative integer, got ${maxSize}`);
  }
  if (bytes.byteLength > maxSize) {
    throw new OciError(
      'SIZE_EXCEEDED',
      `${name} is ${bytes.byteLength} bytes, over the ${maxSize}-byte limit`,
    );
  }
}
