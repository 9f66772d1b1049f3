import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { readRegularFile, writeFileAtomic } from '@ocikit/content/fs';

/**
 * Reads a JSON state file of this package (a cache, a record): its parsed
 * value, or undefined when it cannot be read for any reason (missing, not
 * a regular file, a link at its name, over `maxBytes`, not readable, not
 * JSON). Such a file only saves work; it is never the truth, and a copy
 * never fails over it.
 *
 * @param path - the file
 * @param maxBytes - the largest file read
 * @returns the parsed JSON, or undefined
 */
export async function readStateFile(path: string, maxBytes: number): Promise<unknown> {
  let text: string;
  try {
    const bytes = await readRegularFile(path, { maxSize: maxBytes, root: dirname(path) });
    text = new TextDecoder().decode(bytes);
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Writes a JSON state file of this package atomically (a temp file renamed
 * over it), readable and writable by its owner only (0600), in a directory
 * created private (0700) when missing.
 *
 * @param path - the file
 * @param value - what to write, as JSON
 * @param fsync - flush it to disk before returning
 */
export async function writeStateFile(path: string, value: unknown, fsync: boolean): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  await writeFileAtomic(path, bytes, { fsync, mode: 0o600 });
}
