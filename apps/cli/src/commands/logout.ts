import { logout } from '@ocikit/auth/docker';
import type { CommandRun } from '../lib/program.ts';

/** `ocikit logout REGISTRY`: `logout` of `@ocikit/auth/docker`, as `docker logout` does. */
export const run: CommandRun = async ([registry], _flags, session) => {
  const removed = await logout(registry as string, { env: session.env });
  session.log(
    removed
      ? `Removed the credential of ${registry}`
      : `Not logged in to ${registry}: nothing removed`,
  );
  if (session.format === 'json') session.json({ registry, removed });
};
