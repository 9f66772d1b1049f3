import type { ClientSyncOptions } from '@ocikit/client';
import { isOciError } from '@ocikit/digest';
import type { SyncReport, SyncStatus } from '@ocikit/transfer';
import { cacheOptions } from '../lib/cache-files.ts';
import { EXIT } from '../lib/exit-codes.ts';
import { interruptSignal } from '../lib/interrupt.ts';
import type { CommandRun } from '../lib/program.ts';
import { readSettingsFile } from '../lib/read-input.ts';

/** One report as `--format json` and the table show it. */
interface ReportRow {
  /** `repository` (a tag of a repository entry) or `image` (an image entry). */
  type: 'repository' | 'image';
  source: string;
  destination: string;
  tag: string | null;
  status: SyncStatus;
  digest: string | null;
  error: { code: string; message: string } | null;
  stop: SyncReport['stop'] | null;
}

/**
 * `ocikit sync PLAN.yaml`: `Client.sync` over a plan file, a line per tag
 * on stderr as it is done, the table (or JSON) of all of them on stdout.
 * Exits 1 when a tag or repository failed, 5 when a rate limit stopped it.
 */
export const run: CommandRun = async ([file], flags, session) => {
  const { parseSyncPlan } = await import('@ocikit/client');
  const plan = await parseSyncPlan(
    await readSettingsFile(file as string, 'the sync plan'),
    `"${file}"`,
  );
  const client = await session.client(await cacheOptions(flags, session.env, session.log));
  const options: ClientSyncOptions = {
    signal: interruptSignal(),
    onReport: (report) => session.log(progressLine(rowOf(report))),
    ...(flags.shard === undefined ? {} : { shard: flags.shard as string }),
    ...(flags.dryRun === true ? { dryRun: true } : {}),
    ...(flags.concurrency === undefined ? {} : { concurrency: flags.concurrency as number }),
  };
  const rows = (await client.sync(plan, options)).map(rowOf);
  const counts = countStatuses(rows);
  if (session.format === 'json') {
    session.json({ plan: file, dryRun: flags.dryRun === true, counts, reports: rows });
  } else {
    session.out(table(rows));
  }
  session.log(
    Object.entries(counts)
      .map(([status, count]) => `${count} ${status}`)
      .join(', '),
  );
  if (counts.failed > 0) return EXIT.failure;
  if (counts.stopped > 0) return EXIT.rateLimited;
  return EXIT.ok;
};

function rowOf(report: SyncReport): ReportRow {
  const error = report.error;
  return {
    type: report.item.image === undefined ? 'repository' : 'image',
    source: report.item.source,
    destination: report.item.destination,
    tag: report.tag ?? null,
    status: report.status,
    digest: report.digest ?? null,
    error:
      error === undefined
        ? null
        : isOciError(error)
          ? { code: error.code, message: error.message }
          : { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) },
    stop: report.stop ?? null,
  };
}

/** What a row says beyond its status: the digest, the error, or why it stopped. */
function detail(row: ReportRow): string {
  if (row.error) return `${row.error.code}: ${row.error.message}`;
  if (row.stop) return `${row.stop.code}: ${row.stop.message}`;
  return row.digest ?? '';
}

/** `copied SOURCE:TAG → DESTINATION DIGEST`; an image entry's source names its image, its tag is the destination's. */
function progressLine(row: ReportRow): string {
  const what = row.tag === null || row.type === 'image' ? row.source : `${row.source}:${row.tag}`;
  const where = row.type === 'image' ? `${row.destination} (tag ${row.tag})` : row.destination;
  return `${row.status} ${what} → ${where} ${detail(row)}`.trimEnd();
}

const STATUSES: readonly SyncStatus[] = ['copied', 'unchanged', 'would-copy', 'failed', 'stopped'];

function countStatuses(rows: readonly ReportRow[]): Record<SyncStatus, number> {
  const counts = Object.fromEntries(STATUSES.map((status) => [status, 0])) as Record<
    SyncStatus,
    number
  >;
  for (const row of rows) counts[row.status] += 1;
  return counts;
}

/** The rows as aligned columns, with a header. */
function table(rows: readonly ReportRow[]): string {
  const lines = [
    ['SOURCE', 'DESTINATION', 'TAG', 'STATUS', 'DETAIL'],
    ...rows.map((row) => [row.source, row.destination, row.tag ?? '-', row.status, detail(row)]),
  ];
  const widths = [0, 1, 2, 3].map((column) =>
    Math.max(...lines.map((line) => (line[column] as string).length)),
  );
  return lines
    .map((line) =>
      line
        .map((cell, column) => (column < 4 ? cell.padEnd(widths[column] as number) : cell))
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}
