import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Credentials } from './types.ts';

/**
 * Writes a Docker `config.json` into a directory (a `DOCKER_CONFIG`) that
 * holds these logins as `auths` entries.
 *
 * @param dir - the directory
 * @param auths - credentials per registry host
 */
export async function writeDockerConfig(
  dir: string,
  auths: Readonly<Record<string, Credentials>>,
): Promise<void> {
  const entries = Object.fromEntries(
    Object.entries(auths).map(([host, { username, password }]) => [
      host,
      { auth: Buffer.from(`${username}:${password}`).toString('base64') },
    ]),
  );
  await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: entries }));
}
