import { login } from '@ocikit/auth/docker';
import { OciError } from '@ocikit/digest';
import type { CommandRun } from '../lib/program.ts';

/** `ocikit login REGISTRY`: `login` of `@ocikit/auth/docker`, as `docker login` writes it. */
export const run: CommandRun = async ([registry], flags, session) => {
  const username = flags.username as string | undefined;
  if (username === undefined) {
    throw new OciError('OPTION_INVALID', 'login needs --username (a hidden prompt is planned)');
  }
  if (flags.password !== undefined && flags.passwordStdin === true) {
    throw new OciError('OPTION_INVALID', '--password and --password-stdin exclude each other');
  }
  const password =
    flags.passwordStdin === true ? await readStdin() : (flags.password as string | undefined);
  if (password === undefined || password === '') {
    throw new OciError(
      'OPTION_INVALID',
      'login needs a password: --password-stdin (or --password; a hidden prompt is planned)',
    );
  }
  const stored = await login(registry as string, { username, password }, { env: session.env });
  const where = stored.helper === undefined ? stored.file : `docker-credential-${stored.helper}`;
  session.log(`Login Succeeded: ${stored.key} stored in ${where}`);
  if (session.format === 'json') session.json(stored);
};

/** All of stdin, without the final line break (as `docker login --password-stdin` reads it). */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
