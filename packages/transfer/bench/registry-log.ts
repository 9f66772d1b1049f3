// The requests a distribution registry logged ("response completed" lines
// of its text log, "with error" for 4xx/5xx), for the bench's TRACE=1: what each tool sent, when
// (from the start of its process), how long the registry took, and on
// which connection (the client's port).
import { readFile } from 'node:fs/promises';

/** One request the registry answered. */
export interface LoggedRequest {
  /** Milliseconds from `since` to the registry's "response completed". */
  at: number;
  method: string;
  status: number;
  /** The registry's own time for it, in milliseconds. */
  durationMs: number;
  uri: string;
  /** The client's port: one per connection. */
  port: string;
}

/** Reads a log field, quoted or bare. */
function field(line: string, name: string): string | undefined {
  const match = new RegExp(`${name.replaceAll('.', '\\.')}=("(?:[^"\\\\]|\\\\.)*"|\\S+)`).exec(
    line,
  );
  const value = match?.[1];
  return value?.startsWith('"') ? value.slice(1, -1) : value;
}

/** A Go duration (`930.011µs`, `87.5ms`, `1.2s`) in milliseconds. */
function milliseconds(duration: string | undefined): number {
  const match = /^([\d.]+)(µs|ms|s)$/.exec(duration ?? '');
  if (!match) return Number.NaN;
  const scale = { µs: 0.001, ms: 1, s: 1000 }[match[2] as 'µs' | 'ms' | 's'];
  return Number(match[1]) * scale;
}

/**
 * The requests logged past byte `offset` of the log.
 *
 * @param logFile - the registry's log (`RunningRegistry.logFile`)
 * @param offset - where the run began (the log's length then)
 * @param since - when the run began (`Date.now()`)
 */
export async function loggedRequests(
  logFile: string,
  offset: number,
  since: number,
): Promise<LoggedRequest[]> {
  const text = (await readFile(logFile)).subarray(offset).toString('utf8');
  const requests: LoggedRequest[] = [];
  for (const line of text.split('\n')) {
    // A 4xx/5xx answer is logged as "response completed with error".
    if (!line.includes('msg="response completed')) continue;
    const time = field(line, 'time');
    requests.push({
      at: time === undefined ? Number.NaN : new Date(time).getTime() - since,
      method: field(line, 'http.request.method') ?? '?',
      status: Number(field(line, 'http.response.status')),
      durationMs: milliseconds(field(line, 'http.response.duration')),
      uri: field(line, 'http.request.uri') ?? '?',
      port: field(line, 'http.request.remoteaddr')?.split(':').at(-1) ?? '?',
    });
  }
  return requests;
}

/** The log's length now: the offset of what a run about to start adds. */
export async function logLength(logFile: string): Promise<number> {
  return (await readFile(logFile)).byteLength;
}
