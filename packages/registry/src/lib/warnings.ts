/** The most warning text read from one response, as the spec bounds it. */
export const MAX_WARNING_BYTES = 4096;

/** The most distinct warnings a client keeps; later ones are still reported, not kept. */
export const MAX_KEPT_WARNINGS = 100;

const WARNING = /(\d{3})\s+(\S+)\s+"((?:[^"\\]|\\.)*)"(?:\s+"[^"]*")?/g;

/**
 * The texts of the `Warning` headers of a response that the distribution-spec
 * allows: `299 - "text"` (RFC 7234 §5.5, warn-code 299, warn-agent `-`).
 * Other codes and malformed values are ignored, and so is everything past
 * the first {@link MAX_WARNING_BYTES} characters. Several headers arrive
 * joined by `, `, which this splits correctly even when a text holds a comma.
 *
 * @param headers - the response headers
 * @returns the warning texts, unescaped, in order
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#warnings
 */
export function parseWarnings(headers: Headers): string[] {
  const value = headers.get('warning');
  if (value === null) return [];
  const texts: string[] = [];
  for (const match of value.slice(0, MAX_WARNING_BYTES).matchAll(WARNING)) {
    const [, code, agent, quoted] = match;
    if (code !== '299' || agent !== '-' || quoted === undefined) continue;
    const text = quoted.replace(/\\(.)/g, '$1').trim();
    if (text !== '') texts.push(text);
  }
  return texts;
}

/**
 * Collects warnings across the responses of one client, reporting each
 * distinct text once, as the spec asks ("clients SHOULD deduplicate").
 */
export class WarningLog {
  readonly #seen = new Set<string>();
  readonly #kept: string[] = [];
  readonly #report: ((warning: string) => void) | undefined;

  /**
   * @param report - called once per distinct warning text
   */
  constructor(report: ((warning: string) => void) | undefined) {
    this.#report = report;
  }

  /**
   * Records the warnings of a response.
   *
   * @param headers - the response headers
   * @param redact - removes secrets from a text (those the transport sent, echoed back)
   */
  observe(headers: Headers, redact: (text: string) => string = (text) => text): void {
    for (const text of parseWarnings(headers).map(redact)) {
      if (this.#seen.has(text)) continue;
      if (this.#seen.size < MAX_KEPT_WARNINGS) {
        this.#seen.add(text);
        this.#kept.push(text);
      }
      this.#report?.(text);
    }
  }

  /** The distinct warnings seen so far, oldest first. */
  get warnings(): readonly string[] {
    return [...this.#kept];
  }
}
