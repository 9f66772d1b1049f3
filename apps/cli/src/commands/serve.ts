import { resolve } from 'node:path';
import { OciError } from '@ocikit/digest';
import {
  createRegistryHandler,
  htpasswdAuth,
  MemoryRegistryStorage,
  type RegistryAuth,
  type TokenGrant,
  tokenAuth,
} from '@ocikit/server';
import { DirectoryRegistryStorage } from '@ocikit/server/fs';
import { listen } from '@ocikit/server/node';
import { interruption, interruptSignal } from '../lib/interrupt.ts';
import type { CommandRun } from '../lib/program.ts';
import { readSettingsFile } from '../lib/read-input.ts';

/**
 * `ocikit serve [DIR]`: the embedded registry of `@ocikit/server` over a
 * directory of OCI layouts (or memory) until SIGINT or SIGTERM.
 */
export const run: CommandRun = async ([dir], flags, session) => {
  if ((dir === undefined) === (flags.memory !== true)) {
    throw new OciError('OPTION_INVALID', 'Give a directory to serve or --memory, not both');
  }
  const limit = flags.memoryLimit as number | undefined;
  if (limit !== undefined && dir !== undefined) {
    throw new OciError('OPTION_INVALID', '--memory-limit goes with --memory, not a directory');
  }
  const storage =
    dir === undefined
      ? new MemoryRegistryStorage(limit === undefined ? {} : { maxBytes: limit })
      : new DirectoryRegistryStorage(dir);
  const auth = await authOf(flags);
  const tls = await tlsOf(flags);
  const handler = createRegistryHandler({
    storage,
    readOnly: flags.readOnly === true,
    ...(auth === undefined ? {} : { auth }),
  });
  const server = await listen(handler, {
    ...(tls === undefined ? {} : { tls }),
    port: (flags.port as number | undefined) ?? 5000,
    host: (flags.host as string | undefined) ?? '127.0.0.1',
    ...(session.debug ? { log: (line: string) => process.stderr.write(`${line}\n`) } : {}),
  });
  session.log(
    `Serving ${dir === undefined ? 'memory' : resolve(dir)} at ${server.url.href}` +
      `${flags.readOnly === true ? ' (read-only)' : ''} — Ctrl-C stops`,
  );
  const stop = interruptSignal();
  await new Promise((resolve) => stop.addEventListener('abort', resolve, { once: true }));
  session.log(`Stopping (${interruption()?.signal})`);
  await server.close();
};

/** `--tls-cert` and `--tls-key` (PEM files), both or neither: HTTPS instead of HTTP. */
async function tlsOf(
  flags: Record<string, unknown>,
): Promise<{ cert: string; key: string } | undefined> {
  const certFile = flags.tlsCert as string | undefined;
  const keyFile = flags.tlsKey as string | undefined;
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) {
    throw new OciError('OPTION_INVALID', 'Give both --tls-cert and --tls-key, or neither');
  }
  const [cert, key] = await Promise.all([
    readSettingsFile(certFile, '--tls-cert'),
    readSettingsFile(keyFile, '--tls-key'),
  ]);
  return { cert, key };
}

/**
 * `--htpasswd` alone is Basic auth, with `--access-rules` limited per
 * repository; with `--token-rules`, token auth over the same users.
 */
async function authOf(flags: Record<string, unknown>): Promise<RegistryAuth | undefined> {
  const htpasswdFile = flags.htpasswd as string | undefined;
  const tokenRules = flags.tokenRules as string | undefined;
  const accessRules = flags.accessRules as string | undefined;
  if (tokenRules !== undefined && accessRules !== undefined) {
    throw new OciError('OPTION_INVALID', 'Give --token-rules or --access-rules, not both');
  }
  if (accessRules !== undefined && htpasswdFile === undefined) {
    throw new OciError('OPTION_INVALID', '--access-rules needs --htpasswd (the users they name)');
  }
  const htpasswd =
    htpasswdFile === undefined ? undefined : await readSettingsFile(htpasswdFile, '--htpasswd');
  if (tokenRules === undefined) {
    if (htpasswd === undefined) return undefined;
    return accessRules === undefined
      ? htpasswdAuth(htpasswd)
      : htpasswdAuth(htpasswd, { grants: await grantsOf('--access-rules', accessRules) });
  }
  return tokenAuth({
    grants: await grantsOf('--token-rules', tokenRules),
    ...(htpasswd === undefined ? {} : { htpasswd }),
  });
}

/** The `grants` list of a rules file: `{"grants": [{"repositories", "actions", "users"}]}`. */
async function grantsOf(flag: string, file: string): Promise<TokenGrant[]> {
  const text = await readSettingsFile(file, flag);
  let rules: { grants?: TokenGrant[] } | undefined;
  try {
    rules = JSON.parse(text) as { grants?: TokenGrant[] };
  } catch (cause) {
    throw new OciError('CONFIG_INVALID', `${flag} "${file}" is not JSON`, { cause });
  }
  if (!Array.isArray(rules?.grants)) {
    throw new OciError('OPTION_INVALID', `${flag} "${file}" has no "grants" list`);
  }
  return rules.grants;
}
