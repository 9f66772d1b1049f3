import type { Client, ClientOptions } from '@ocikit/client';
import type { TraceEvent } from '@ocikit/transport';
import { detectTerminal, paint, type Terminal } from './terminal.ts';

/** The output formats of `--format`. */
export const FORMATS = ['json', 'table', 'raw'] as const;

/** An output format: `json` (stable shapes), `table` (for people), `raw` (exact bytes). */
export type Format = (typeof FORMATS)[number];

/** The global flags, as the parser hands them over. */
export interface GlobalFlags {
  format?: Format;
  quiet?: boolean;
  debug?: boolean;
  insecure?: string[];
  plainHttp?: string[];
  caFile?: string;
}

/** What a command gets: the global flags applied, its client, and where output goes. */
export interface Session {
  /** `--format`, when given (each command has its own default). */
  readonly format: Format | undefined;
  /** `--quiet`: nothing on stderr but errors. */
  readonly quiet: boolean;
  /** `--debug`: requests, responses and logs on stderr. */
  readonly debug: boolean;
  /** The terminal's capabilities. */
  readonly terminal: Terminal;
  /** The environment. */
  readonly env: NodeJS.ProcessEnv;
  /**
   * The client over the global flags, loaded on first use. Its requests go
   * through Node's own `http`, which starts about 40 ms sooner than undici
   * and receives blob bytes as cheaply; undici is loaded for the first
   * upload of a blob, which it sends with less CPU (`httpEngine: 'auto'`).
   *
   * @param extra - options a command adds, such as `untagFallback`
   */
  client(extra?: ClientOptions): Promise<Client>;
  /** Writes data to stdout. */
  out(data: string | Uint8Array): void;
  /** Writes a JSON value to stdout, indented, with a final newline. */
  json(value: unknown): void;
  /** Writes a line to stderr unless `--quiet`. */
  log(line: string): void;
}

/**
 * Builds the session of one command run from the global flags.
 *
 * @param flags - the global flags
 * @returns the session
 */
export function createSession(flags: GlobalFlags): Session {
  const terminal = detectTerminal(process.env, process.stderr.isTTY === true);
  const quiet = flags.quiet === true;
  const log = (line: string): void => {
    if (!quiet) process.stderr.write(`${line}\n`);
  };
  const out = (data: string | Uint8Array): void => {
    process.stdout.write(data);
  };
  return {
    format: flags.format,
    quiet,
    debug: flags.debug === true,
    terminal,
    env: process.env,
    async client(extra = {}) {
      const { Client } = await import('@ocikit/client');
      return new Client({
        insecure: flags.insecure ?? [],
        plainHttp: flags.plainHttp ?? [],
        userAgent: `ocikit/${OCIKIT_VERSION}`,
        httpEngine: 'auto',
        onWarning: (warning) => log(paint(terminal.color, 'yellow', `warning: ${warning}`)),
        ...(flags.caFile === undefined ? {} : { caFile: flags.caFile }),
        ...(flags.debug === true ? { onTrace: (event) => traceLine(event, terminal) } : {}),
        ...extra,
      });
    },
    out,
    json: (value) => out(`${JSON.stringify(value, null, 2)}\n`),
    log,
  };
}

/** Prints one redacted trace event of `--debug` on stderr (the transport redacts secrets). */
function traceLine(event: TraceEvent, terminal: Terminal): void {
  const line =
    event.type === 'request'
      ? `> ${event.method} ${event.url}${event.attempt > 0 ? ` (attempt ${event.attempt + 1})` : ''} ${headerText(event.headers)}`
      : event.type === 'response'
        ? `< ${event.status} ${event.method} ${event.url} ${Math.round(event.durationMs)}ms ${headerText(event.headers)}`
        : event.type === 'retry'
          ? `~ retry #${event.id} after ${event.reason} in ${event.delayMs}ms`
          : `! ${event.method} ${event.url} ${event.code}: ${event.message}`;
  process.stderr.write(`${paint(terminal.color, 'dim', line)}\n`);
}

function headerText(headers: Readonly<Record<string, string>>): string {
  return Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('; ');
}
