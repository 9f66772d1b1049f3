import { writeFile } from 'node:fs/promises';
import { runBinary } from './binaries.ts';
import type { Credentials } from './types.ts';

/**
 * Writes an htpasswd file with one bcrypt entry per user, made by
 * `htpasswd -Bbn` (apache2-utils): distribution accepts only bcrypt, and the
 * binary is the verified way to make it (no bcrypt implementation in JS to
 * maintain). Cost 4, the bcrypt minimum, keeps each Basic-auth check cheap.
 *
 * @param file - the file to write
 * @param users - the accounts
 * @throws {Error} when `htpasswd` is missing (naming apache2-utils) or fails
 */
export async function writeHtpasswd(file: string, users: readonly Credentials[]): Promise<void> {
  const lines = await Promise.all(
    users.map(async ({ username, password }) => {
      const { stdout } = await runBinary('htpasswd', ['-Bbn', '-C', '4', username, password], {
        secrets: [password],
      });
      return stdout.trim();
    }),
  );
  await writeFile(file, `${lines.join('\n')}\n`);
}
