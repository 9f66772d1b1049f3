import type { ProgressEvent } from '@ocikit/transfer';
import type { Session } from './session.ts';
import { formatBytes } from './units.ts';

/** Shows a copy's progress; `stop` before printing anything else. */
export interface CopyProgress {
  /** The `onProgress` option of the copy. */
  readonly onProgress: (event: ProgressEvent) => void;
  /** Draws the final state and lets go of the terminal. */
  stop(): void;
}

/**
 * The progress display of a copy: live bars on a terminal (unless `CI` is
 * set), one line per finished blob otherwise, nothing with `--quiet`.
 *
 * @param session - the session (its terminal and quietness)
 * @returns the display, or `undefined` when nothing is shown
 */
export async function copyProgress(session: Session): Promise<CopyProgress | undefined> {
  if (session.quiet) return undefined;
  if (!session.terminal.live) return lineProgress(session);
  // log-update and its text-width tables load only for a live display (about 11 ms).
  return (await import('./live-progress.ts')).liveProgress(session);
}

/** Whether a progress event is about a manifest (or index), not a blob. */
export function isManifest(event: ProgressEvent): boolean {
  return /manifest|index/.test(event.descriptor.mediaType);
}

/** One line per finished blob: for logs and CI. */
function lineProgress(session: Session): CopyProgress {
  return {
    onProgress(event) {
      const what = `${isManifest(event) ? 'manifest' : 'blob'} ${event.descriptor.digest}`;
      const size = formatBytes(event.descriptor.size);
      if (event.type === 'done') session.log(`copied  ${what} (${size})`);
      else if (event.type === 'skipped') session.log(`skipped ${what} (${event.reason})`);
      else if (event.type === 'mounted') session.log(`mounted ${what} (${size})`);
      else if (event.type === 'failed') session.log(`failed  ${what}`);
    },
    stop() {},
  };
}
