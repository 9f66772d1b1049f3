import { errnoCode, readRegularFile } from '@ocikit/content/fs';
import { OciError } from '@ocikit/digest';

/**
 * Reads a JSON state file of this package (a cache, a record): its parsed
 * value, or undefined when it is missing, not a regular file, over
 * `maxBytes`, or not JSON. Such a file only saves work; it is never the truth.
 *
 * @param path - the file
 * @param maxBytes - the largest file read
 * @returns the parsed JSON, or undefined
 * @throws what reading fails with otherwise (such as `EACCES`)
 */
export async function readStateFile(path: string, maxBytes: number): Promise<unknown> {
  let text: string;
  try {
    text = new TextDecoder().decode(await readRegularFile(path, { maxSize: maxBytes }));
  } catch (error) {
    // missing, a link, a FIFO, a directory or oversized: nothing to read
    if (errnoCode(error) === 'ENOENT' || error instanceof OciError) return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
