import { login } from '@ocikit/auth/docker';
import { OciError } from '@ocikit/digest';
import type { CommandRun } from '../lib/program.ts';
import { ask } from '../lib/prompt.ts';

/** `ocikit login REGISTRY`: `login` of `@ocikit/auth/docker`, as `docker login` writes it. */
export const run: CommandRun = async ([registry], flags, session) => {
  if (flags.password !== undefined && flags.passwordStdin === true) {
    throw new OciError('OPTION_INVALID', '--password and --password-stdin exclude each other');
  }
  const terminal = process.stdin.isTTY === true && flags.passwordStdin !== true;
  const username =
    (flags.username as string | undefined) ?? (terminal ? await ask('Username: ', false) : '');
  if (username === '') {
    throw new OciError('OPTION_INVALID', 'login needs --username (or a terminal to ask for it)');
  }
  const password =
    flags.passwordStdin === true
      ? await readStdin()
      : ((flags.password as string | undefined) ?? (terminal ? await ask('Password: ', true) : ''));
  if (password === '') {
    throw new OciError(
      'OPTION_INVALID',
      'login needs a password: --password-stdin, --password, or a terminal to ask for it',
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
