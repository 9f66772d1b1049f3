/** One request as the access log records it. */
export interface AccessLogEntry {
  /** The request method. */
  readonly method: string;
  /** The path, without the query, an upload session's id replaced by `*` (it is the upload's capability). */
  readonly path: string;
  /** The response status. */
  readonly status: number;
  /** Body bytes received. */
  readonly received: number;
  /** Body bytes sent. */
  readonly bytes: number;
  /** From the request's arrival to the response's last byte, in ms. */
  readonly ms: number;
  /** Set when the client went away before the response was sent whole. */
  readonly aborted?: true;
}

const UPLOAD_SESSION = /^(\/v2\/.+\/blobs\/uploads\/)[^/]+$/;

/**
 * The path of a request as it may be logged: no query (upload state,
 * signatures), no upload session id.
 *
 * @param pathname - the URL path
 * @returns the path to log
 */
export function loggedPath(pathname: string): string {
  return pathname.replace(UPLOAD_SESSION, '$1*').slice(0, 1024);
}

/**
 * An access log entry as one JSON line (no newline).
 *
 * @param entry - the entry
 * @returns the line
 */
export function accessLine(entry: AccessLogEntry): string {
  return JSON.stringify({ ...entry, ms: Math.round(entry.ms * 10) / 10 });
}
