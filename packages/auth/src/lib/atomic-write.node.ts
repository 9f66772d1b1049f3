import { randomUUID } from 'node:crypto';
import { chmod, mkdir, open, realpath, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces a file atomically: the data goes to a uniquely named hidden temp
 * file beside the target (created with `mode`, flushed to disk), which is then
 * renamed over it; the temp file is removed on any failure. A symbolic link
 * is followed, so the file it points to is replaced and the link kept, as
 * Docker does. Missing directories are created with mode 0700.
 *
 * @param path - the file to write
 * @param data - its new content
 * @param mode - the permission bits of the new file
 * @throws the file system error, when a step fails
 */
export async function writeFileAtomic(path: string, data: string, mode: number): Promise<void> {
  const target = await realpath(path).catch(() => path);
  const dir = dirname(target);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `.${basename(target)}.${randomUUID()}.tmp`);
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await chmod(temp, mode);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

const queues = new Map<string, Promise<unknown>>();

/**
 * Runs read-modify-write steps on one file one after another within this
 * process, so two concurrent logins do not lose each other's entry.
 *
 * @param path - the file
 * @param step - reads, changes and writes it
 * @returns what `step` returns
 */
export async function serialized<T>(path: string, step: () => Promise<T>): Promise<T> {
  const previous = queues.get(path) ?? Promise.resolve();
  const next = previous.catch(() => {}).then(step);
  queues.set(path, next);
  try {
    return await next;
  } finally {
    if (queues.get(path) === next) queues.delete(path);
  }
}
