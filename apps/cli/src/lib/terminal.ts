/** What the process's terminal allows: colour and live progress. */
export interface Terminal {
  /** Whether stderr is a terminal and `CI` is not set: live progress is drawn. */
  readonly live: boolean;
  /** Whether ANSI colours are used on stderr (a terminal, and `NO_COLOR` unset). */
  readonly color: boolean;
}

/**
 * Reads the terminal's capabilities from stderr and the environment
 * (`CI`, `NO_COLOR` as https://no-color.org says: any non-empty value).
 *
 * @param env - the environment
 * @param isTTY - whether stderr is a terminal
 * @returns the capabilities
 */
export function detectTerminal(env: NodeJS.ProcessEnv, isTTY: boolean): Terminal {
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false';
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  return { live: isTTY && !ci, color: isTTY && !noColor };
}

/**
 * Wraps text in an ANSI style when colour is on.
 *
 * @param on - whether colour is on
 * @param style - `red`, `green`, `yellow` or `dim`
 * @param text - the text
 * @returns the text, styled or not
 */
export function paint(
  on: boolean,
  style: 'red' | 'green' | 'yellow' | 'dim',
  text: string,
): string {
  if (!on) return text;
  const codes = { red: [31, 39], green: [32, 39], yellow: [33, 39], dim: [2, 22] }[style];
  return `\u001b[${codes[0]}m${text}\u001b[${codes[1]}m`;
}
