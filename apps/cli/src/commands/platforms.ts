import type { CommandRun } from '../lib/program.ts';

/** `ocikit platforms LOCATION`: the platforms of an index, or the one of an image (`Client.inspect`). */
export const run: CommandRun = async ([location], _flags, session) => {
  const client = await session.client();
  const result = await client.inspect(location as string);
  const platforms =
    result.kind === 'index'
      ? result.platforms.map(({ platform, descriptor }) => ({
          platform: platform ?? null,
          digest: descriptor.digest,
        }))
      : [{ platform: result.config?.platform ?? null, digest: result.digest }];
  if (session.format === 'json') {
    session.json({ name: result.name, digest: result.digest, platforms });
  } else {
    session.out(platforms.map((entry) => `${entry.platform ?? 'unknown'}\n`).join(''));
  }
};
