import type { TarEntry } from './tar-format.ts';
import { type ReadAt, readAtSource, TarReader } from './tar-reader.ts';

/** One entry of a tar file, located by byte offsets. */
export type ScannedEntry = TarEntry;

/**
 * Lists the entries of a tar file by reading its headers only (the data is
 * skipped), so an archive of any size is indexed in one quick pass. The
 * headers are read by the same rules as the streaming reader's (see
 * `tar-format.ts`): POSIX ustar, PAX (`path`, `linkpath`, `size`) and GNU
 * long names; every checksum checked; the end-of-archive marker required.
 *
 * @param readAt - reads bytes of the file
 * @param fileSize - the file's length
 * @param signal - cancels the scan
 * @returns the entries, in archive order
 * @throws {OciError} `TAR_INVALID` for a bad checksum, an unknown entry type,
 *   a malformed number or PAX record, headers that readers read differently,
 *   or a truncated archive; `ABORTED`
 */
export async function scanTar(
  readAt: ReadAt,
  fileSize: number,
  signal?: AbortSignal,
): Promise<ScannedEntry[]> {
  const reader = new TarReader(readAtSource(readAt, fileSize), signal);
  const entries: ScannedEntry[] = [];
  for (let entry = await reader.next(); entry; entry = await reader.next()) entries.push(entry);
  return entries;
}
