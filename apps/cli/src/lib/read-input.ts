import { errnoCode, readRegularFile } from '@ocikit/content/fs';
import { isOciError, OciError } from '@ocikit/digest';

/**
 * Reads a command's input whole: a file, or stdin for `-` or none, up to a
 * limit (manifests are small; a larger input is refused, not buffered).
 *
 * @param file - the file, `-` or `undefined` for stdin
 * @param maxBytes - the most bytes accepted
 * @returns the bytes
 * @throws {OciError} `PATH_INVALID` for a file that cannot be read;
 *   `SIZE_EXCEEDED` over `maxBytes`; `OPTION_INVALID` for stdin on a terminal
 */
export async function readInput(file: string | undefined, maxBytes: number): Promise<Uint8Array> {
  if (file !== undefined && file !== '-') {
    try {
      return await readRegularFile(file, { maxSize: maxBytes });
    } catch (error) {
      const code = isOciError(error) ? undefined : errnoCode(error);
      if (code === undefined) throw error;
      throw new OciError('PATH_INVALID', `Cannot read "${file}" (${code})`, { cause: error });
    }
  }
  refuseTerminal('--file FILE');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).byteLength;
    if (size > maxBytes) {
      throw new OciError('SIZE_EXCEEDED', `stdin holds over ${maxBytes} bytes, the limit`);
    }
    chunks.push(chunk as Buffer);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * Refuses to read stdin from a terminal, where a command would wait for
 * input nobody meant to type.
 *
 * @param instead - what to give instead, for the message
 * @throws {OciError} `OPTION_INVALID` when stdin is a terminal
 */
export function refuseTerminal(instead: string): void {
  if (process.stdin.isTTY === true) {
    throw new OciError(
      'OPTION_INVALID',
      `stdin is a terminal: pipe the content in, or give ${instead}`,
    );
  }
}

/** The largest settings file read: a sync plan, an htpasswd or rules file, a certificate. */
const MAX_SETTINGS_BYTES = 4 * 1024 * 1024;

/**
 * Reads, as text, a settings file a command names (a sync plan, an htpasswd
 * or rules file, a PEM certificate): a regular file only, never through a
 * FIFO or device that would block or never end, up to 4 MiB.
 *
 * @param file - the file
 * @param what - what it is, for the message (`the sync plan`, `--tls-cert`)
 * @returns the text
 * @throws {OciError} `CONFIG_INVALID` naming the file when it cannot be
 *   opened; `PATH_INVALID` for a FIFO, device or directory; `SIZE_EXCEEDED`
 *   over 4 MiB
 */
export async function readSettingsFile(file: string, what: string): Promise<string> {
  try {
    const bytes = await readRegularFile(file, { maxSize: MAX_SETTINGS_BYTES });
    return new TextDecoder().decode(bytes);
  } catch (error) {
    const code = isOciError(error) ? undefined : errnoCode(error);
    if (code === undefined) throw error;
    throw new OciError('CONFIG_INVALID', `Cannot read ${what} "${file}" (${code})`, {
      cause: error,
    });
  }
}
