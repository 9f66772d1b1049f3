import type { ProgressEvent } from '@ocikit/transfer';
import { createLogUpdate } from 'log-update';
import { type CopyProgress, isManifest } from './progress.ts';
import type { Session } from './session.ts';
import { paint } from './terminal.ts';
import { formatBytes, shortDigest } from './units.ts';

interface Row {
  readonly size: number;
  transferred: number;
  state: 'moving' | 'copied' | 'skipped' | 'mounted' | 'failed';
}

const BAR_WIDTH = 24;
const SHOWN_ROWS = 10;
const REDRAW_MS = 100;

/**
 * The live display of `copyProgress`: bars per blob and a total line,
 * redrawn at most every 100 ms with log-update.
 *
 * @param session - the session (its terminal's colours)
 * @returns the display
 */
export function liveProgress(session: Session): CopyProgress {
  const update = createLogUpdate(process.stderr, { showCursor: false });
  const color = session.terminal.color;
  const rows = new Map<string, Row>();
  const started = Date.now();
  let totals: ProgressEvent['totals'] | undefined;
  let drawn = 0;

  const render = (): string => {
    const lines: string[] = [];
    const entries = [...rows.entries()];
    const hidden = Math.max(0, entries.length - SHOWN_ROWS);
    if (hidden > 0) lines.push(paint(color, 'dim', `  … ${hidden} more`));
    for (const [digest, row] of entries.slice(hidden)) lines.push(rowLine(digest, row, color));
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    const copied = totals?.bytesCopied ?? 0;
    lines.push(
      `  total ${formatBytes(copied)} at ${formatBytes(copied / seconds)}/s · ` +
        `${totals?.blobsCopied ?? 0} copied · ${totals?.blobsSkipped ?? 0} skipped · ` +
        `${totals?.blobsMounted ?? 0} mounted · ${totals?.manifests ?? 0} manifests`,
    );
    return lines.join('\n');
  };

  return {
    onProgress(event) {
      totals = event.totals;
      if (!isManifest(event)) {
        const row = rows.get(event.descriptor.digest) ?? {
          size: event.descriptor.size,
          transferred: 0,
          state: 'moving',
        };
        rows.set(event.descriptor.digest, row);
        if (event.type === 'bytes') row.transferred = event.transferred;
        else if (event.type === 'done') row.state = 'copied';
        else if (event.type === 'skipped') row.state = 'skipped';
        else if (event.type === 'mounted') row.state = 'mounted';
        else if (event.type === 'failed') row.state = 'failed';
      }
      const now = Date.now();
      if (now - drawn >= REDRAW_MS || event.type !== 'bytes') {
        drawn = now;
        update(render());
      }
    },
    stop() {
      if (totals === undefined) update.clear();
      else update(render());
      update.done();
    },
  };
}

function rowLine(digest: string, row: Row, color: boolean): string {
  const name = shortDigest(digest);
  const size = formatBytes(row.size);
  switch (row.state) {
    case 'copied':
      return `${paint(color, 'green', '✓')} ${name}  copied  ${size}`;
    case 'skipped':
      return `${paint(color, 'dim', '=')} ${name}  skipped (exists)  ${size}`;
    case 'mounted':
      return `${paint(color, 'green', '↪')} ${name}  mounted  ${size}`;
    case 'failed':
      return `${paint(color, 'red', '✗')} ${name}  failed`;
    default: {
      const fraction = row.size > 0 ? Math.min(row.transferred / row.size, 1) : 0;
      const filled = Math.round(fraction * BAR_WIDTH);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
      return `  ${name}  ${bar}  ${formatBytes(row.transferred)} / ${size}`;
    }
  }
}
