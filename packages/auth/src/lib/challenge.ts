import { OciError } from '@ocikit/digest';

/**
 * One challenge of a `WWW-Authenticate` header: a scheme and either
 * auth-params or a token68.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-11.6.1
 */
export interface Challenge {
  /** The auth-scheme, lower-cased: `bearer`, `basic`, … */
  readonly scheme: string;
  /**
   * The auth-params: names lower-cased, quoted values unescaped, empty quoted
   * values kept (`empty=""` gives `''`). A name given twice keeps its last
   * value, as Go's parsers do. Empty for a token68 challenge. The record has
   * no prototype, so a parameter named `__proto__` is just a parameter.
   */
  readonly params: Readonly<Record<string, string>>;
  /** The token68 (`Negotiate abc==`), for a challenge that uses that form. */
  readonly token68?: string;
}

/**
 * The longest `WWW-Authenticate` text accepted, all values together: 64 KiB.
 * Longer input fails with `SIZE_EXCEEDED` before it is parsed.
 */
export const MAX_CHALLENGE_LENGTH = 64 * 1024;

// tchar of RFC 9110: "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
// "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
const TCHAR = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]$/;
// token68 of RFC 9110: ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/", then "="s
const TOKEN68_CHAR = /^[-._~+/0-9A-Za-z]$/;

/**
 * Parses `WWW-Authenticate` challenges. One header value may hold several
 * challenges (`Basic realm="a", Bearer realm="b"`), and a response may carry
 * several header values; `Headers.get` joins those with `, `, which parses the
 * same. Schemes and parameter names are case-insensitive (returned
 * lower-cased); quoted strings may hold commas, spaces and backslash escapes.
 * Parsing is linear and strict: malformed input is an error, never a partial
 * result.
 *
 * @param header - a header value, several values, or the response's `Headers`
 * @returns the challenges in order (none for an absent or empty header)
 * @throws {OciError} `CHALLENGE_INVALID` for malformed input (the message quotes
 *   it and says where); `SIZE_EXCEEDED` above {@link MAX_CHALLENGE_LENGTH}
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-11.6.1
 */
export function parseChallenges(header: string | readonly string[] | Headers): Challenge[] {
  const values =
    typeof header === 'string'
      ? [header]
      : isHeaders(header)
        ? [header.get('www-authenticate') ?? '']
        : header;
  const total = values.reduce((sum, value) => sum + value.length, 0);
  if (total > MAX_CHALLENGE_LENGTH) {
    throw new OciError(
      'SIZE_EXCEEDED',
      `WWW-Authenticate is ${total} characters, over the ${MAX_CHALLENGE_LENGTH}-character limit`,
    );
  }
  return values.flatMap((value) => new ChallengeParser(value).parse());
}

function isHeaders(value: readonly string[] | Headers): value is Headers {
  return !Array.isArray(value);
}

/**
 * Formats a challenge as a `WWW-Authenticate` value; every parameter value is
 * written as a quoted string. The inverse of {@link parseChallenges}, for
 * servers and tests.
 *
 * @param challenge - the scheme and its params or token68
 * @returns the header value, such as `Bearer realm="https://auth/token",service="reg"`
 * @throws {OciError} `OPTION_INVALID` when the scheme, a parameter name or the
 *   token68 is not a valid token
 */
export function formatChallenge(challenge: Challenge): string {
  if (!isToken(challenge.scheme)) {
    throw new OciError('OPTION_INVALID', `Invalid auth-scheme ${JSON.stringify(challenge.scheme)}`);
  }
  if (challenge.token68 !== undefined) {
    if (!/^[-._~+/0-9A-Za-z]+=*$/.test(challenge.token68)) {
      throw new OciError('OPTION_INVALID', 'Invalid token68 in a challenge');
    }
    return `${challenge.scheme} ${challenge.token68}`;
  }
  const params = Object.entries(challenge.params).map(([name, value]) => {
    if (!isToken(name)) {
      throw new OciError('OPTION_INVALID', `Invalid auth-param name ${JSON.stringify(name)}`);
    }
    return `${name}="${value.replace(/["\\]/g, '\\$&')}"`;
  });
  return params.length === 0 ? challenge.scheme : `${challenge.scheme} ${params.join(',')}`;
}

function isToken(value: string): boolean {
  return value.length > 0 && [...value].every((char) => TCHAR.test(char));
}

/** A one-pass parser over one header value (RFC 9110 `1#challenge`). */
class ChallengeParser {
  readonly #text: string;
  #pos = 0;

  constructor(text: string) {
    this.#text = text;
  }

  parse(): Challenge[] {
    const challenges: Challenge[] = [];
    this.#skipSeparators();
    while (this.#pos < this.#text.length) {
      challenges.push(this.#challenge());
      this.#skipSeparators();
    }
    return challenges;
  }

  #challenge(): Challenge {
    const scheme = this.#token();
    if (scheme === '') this.#fail('expected an auth-scheme');
    const afterScheme = this.#pos;
    this.#skipSpaces();
    if (this.#atEnd() || this.#peek() === ',') {
      return { scheme: scheme.toLowerCase(), params: Object.create(null) };
    }
    if (this.#pos === afterScheme) this.#fail('expected a space after the auth-scheme');
    const token68 = this.#token68();
    if (token68 !== undefined) {
      return { scheme: scheme.toLowerCase(), params: Object.create(null), token68 };
    }
    return { scheme: scheme.toLowerCase(), params: this.#params() };
  }

  /** A token68 that stands alone (followed by the end or a comma), else nothing. */
  #token68(): string | undefined {
    const start = this.#pos;
    while (!this.#atEnd() && TOKEN68_CHAR.test(this.#peek())) this.#pos += 1;
    if (this.#pos === start) return undefined;
    while (this.#peek() === '=') this.#pos += 1;
    const end = this.#pos;
    this.#skipSpaces();
    if (this.#atEnd() || this.#peek() === ',') return this.#text.slice(start, end);
    this.#pos = start;
    return undefined;
  }

  #params(): Record<string, string> {
    const params: Record<string, string> = Object.create(null);
    for (;;) {
      const name = this.#token();
      if (name === '') this.#fail('expected an auth-param name');
      this.#skipSpaces();
      if (this.#peek() !== '=') this.#fail(`expected "=" after "${name}"`);
      this.#pos += 1;
      this.#skipSpaces();
      let value: string;
      if (this.#peek() === '"') {
        value = this.#quoted();
      } else {
        value = this.#token();
        if (value === '') this.#fail(`expected a value for "${name}"`);
      }
      params[name.toLowerCase()] = value;
      this.#skipSpaces();
      if (this.#atEnd()) return params;
      if (this.#peek() !== ',') this.#fail('expected "," after an auth-param');
      const comma = this.#pos;
      this.#skipSeparators();
      if (this.#atEnd() || !this.#nextIsParam()) {
        this.#pos = comma;
        return params;
      }
    }
  }

  /** Whether the text ahead is `token BWS "="`, an auth-param rather than a new challenge. */
  #nextIsParam(): boolean {
    const start = this.#pos;
    const name = this.#token();
    this.#skipSpaces();
    const isParam = name !== '' && this.#peek() === '=';
    this.#pos = start;
    return isParam;
  }

  #quoted(): string {
    this.#pos += 1;
    let value = '';
    let chunkStart = this.#pos;
    while (!this.#atEnd()) {
      const char = this.#peek();
      if (char === '"') {
        value += this.#text.slice(chunkStart, this.#pos);
        this.#pos += 1;
        return value;
      }
      if (char === '\\') {
        value += this.#text.slice(chunkStart, this.#pos);
        this.#pos += 1;
        if (this.#atEnd()) break;
        chunkStart = this.#pos;
      }
      this.#pos += 1;
    }
    return this.#fail('unterminated quoted string');
  }

  #token(): string {
    const start = this.#pos;
    while (!this.#atEnd() && TCHAR.test(this.#peek())) this.#pos += 1;
    return this.#text.slice(start, this.#pos);
  }

  #skipSpaces(): void {
    while (this.#peek() === ' ' || this.#peek() === '\t') this.#pos += 1;
  }

  #skipSeparators(): void {
    for (;;) {
      this.#skipSpaces();
      if (this.#peek() !== ',') return;
      this.#pos += 1;
    }
  }

  #peek(): string {
    return this.#text.charAt(this.#pos);
  }

  #atEnd(): boolean {
    return this.#pos >= this.#text.length;
  }

  #fail(reason: string): never {
    const shown = this.#text.length > 200 ? `${this.#text.slice(0, 200)}…` : this.#text;
    throw new OciError(
      'CHALLENGE_INVALID',
      `Cannot parse WWW-Authenticate ${JSON.stringify(shown)}: ${reason} at position ${this.#pos}`,
    );
  }
}
