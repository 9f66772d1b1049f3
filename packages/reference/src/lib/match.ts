// Go's path.Match, on the UTF-8 bytes of pattern and name as Go sees strings:
// `*` and a star's skipping advance by byte, `?` and classes by rune, and a
// malformed pattern is an error whether or not the name matched so far.

import { referenceInvalid } from './errors.ts';

const SLASH = 0x2f;
const STAR = 0x2a;
const QUESTION = 0x3f;
const BACKSLASH = 0x5c;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const CARET = 0x5e;
const DASH = 0x2d;
const RUNE_ERROR = 0xfffd;
const NOTHING = new Uint8Array(0);

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Tells whether `name` matches the shell pattern `pattern`, exactly as Go's
 * `path.Match`: `*` is any run of non-`/` characters, `?` one non-`/`
 * character, `[…]` a class (`[^…]` negated, `a-z` ranges), `\c` the
 * character `c`. The whole name must match.
 *
 * @param pattern - the pattern
 * @param name - the string to test
 * @returns whether it matches
 * @throws {OciError} `REFERENCE_INVALID` when the pattern is malformed
 * @see https://pkg.go.dev/path#Match
 */
export function pathMatch(pattern: string, name: string): boolean {
  const p = encoder.encode(pattern);
  const n = encoder.encode(name);
  let at = 0;
  let rest = 0;
  chunks: while (rest < p.length) {
    const chunk = scanChunk(p, rest);
    rest = chunk.end;
    if (chunk.star && chunk.start === chunk.end) return n.indexOf(SLASH, at) < 0;
    const matched = matchChunk(p, chunk.start, chunk.end, n, at);
    // The last chunk must use up the name; otherwise a star may still match.
    if (matched >= 0 && (matched === n.length || rest < p.length)) {
      at = matched;
      continue;
    }
    if (chunk.star) {
      for (let skip = at; skip < n.length && n[skip] !== SLASH; skip += 1) {
        const after = matchChunk(p, chunk.start, chunk.end, n, skip + 1);
        if (after < 0 || (rest === p.length && after < n.length)) continue;
        at = after;
        continue chunks;
      }
    }
    // No match; the rest of the pattern must still be well-formed.
    while (rest < p.length) {
      const next = scanChunk(p, rest);
      rest = next.end;
      matchChunk(p, next.start, next.end, NOTHING, 0);
    }
    return false;
  }
  return at === n.length;
}

/** The next run of single-character operators, after any stars. */
function scanChunk(p: Uint8Array, from: number): { star: boolean; start: number; end: number } {
  let start = from;
  while (start < p.length && p[start] === STAR) start += 1;
  let inClass = false;
  let end = start;
  for (; end < p.length; end += 1) {
    const byte = p[end];
    if (byte === BACKSLASH) {
      if (end + 1 < p.length) end += 1;
    } else if (byte === OPEN) {
      inClass = true;
    } else if (byte === CLOSE) {
      inClass = false;
    } else if (byte === STAR && !inClass) {
      break;
    }
  }
  return { star: start > from, start, end };
}

/**
 * Matches the chunk `p[start, end)` at `n[from]`.
 *
 * @returns the index in `n` after the match, or -1 when it does not match
 * @throws {OciError} `REFERENCE_INVALID` when the chunk is malformed
 */
function matchChunk(
  p: Uint8Array,
  start: number,
  end: number,
  n: Uint8Array,
  from: number,
): number {
  let at = from;
  let failed = false;
  let i = start;
  while (i < end) {
    if (!failed && at >= n.length) failed = true;
    const op = p[i];
    if (op === OPEN) {
      let rune = 0;
      if (!failed) {
        const [value, size] = decodeRune(n, at);
        rune = value;
        at += size;
      }
      i += 1;
      const negated = i < end && p[i] === CARET;
      if (negated) i += 1;
      let inClass = false;
      for (let ranges = 0; ; ranges += 1) {
        if (i < end && p[i] === CLOSE && ranges > 0) {
          i += 1;
          break;
        }
        const low = classChar(p, i, end);
        let high = low;
        if (p[low.next] === DASH) high = classChar(p, low.next + 1, end);
        i = high.next;
        if (low.rune <= rune && rune <= high.rune) inClass = true;
      }
      if (inClass === negated) failed = true;
    } else if (op === QUESTION) {
      if (!failed) {
        if (n[at] === SLASH) failed = true;
        at += decodeRune(n, at)[1];
      }
      i += 1;
    } else {
      if (op === BACKSLASH) {
        i += 1;
        if (i >= end) throw badPattern(p, 'it ends with a "\\" that escapes nothing');
      }
      if (!failed) {
        if (p[i] !== n[at]) failed = true;
        at += 1;
      }
      i += 1;
    }
  }
  return failed ? -1 : at;
}

/**
 * One possibly escaped character of a class; something must follow it.
 * (Go also rejects invalid UTF-8 here, which an encoded string cannot hold.)
 */
function classChar(p: Uint8Array, at: number, end: number): { rune: number; next: number } {
  let i = at;
  if (i >= end || p[i] === DASH || p[i] === CLOSE) {
    throw badPattern(p, 'a character class is empty, unterminated or has an incomplete range');
  }
  if (p[i] === BACKSLASH) {
    i += 1;
    if (i >= end) throw badPattern(p, 'a character class is unterminated');
  }
  const [rune, size] = decodeRune(p, i);
  const next = i + size;
  if (next >= end) throw badPattern(p, 'a character class is unterminated');
  return { rune, next };
}

/** The rune at `bytes[at]` and its length; a stray continuation byte is U+FFFD of length 1. */
function decodeRune(bytes: Uint8Array, at: number): [rune: number, size: number] {
  const lead = bytes[at] ?? 0;
  if (lead < 0x80) return [lead, 1];
  const size = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 0;
  if (size === 0 || at + size > bytes.length) return [RUNE_ERROR, 1];
  let rune = lead & (0xff >> (size + 1));
  for (let k = 1; k < size; k += 1) rune = (rune << 6) | ((bytes[at + k] ?? 0) & 0x3f);
  return [rune, size];
}

function badPattern(p: Uint8Array, reason: string) {
  return referenceInvalid('Invalid pattern', decoder.decode(p), reason);
}
