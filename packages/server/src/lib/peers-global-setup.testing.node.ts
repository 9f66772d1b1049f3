import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OcikitPeersInfo, writeHtpasswd } from '@ocikit/testbed';
import type { TestProject } from 'vitest/node';
import { htpasswdAuth } from './basic-auth.ts';
import { createRegistryHandler } from './handler.ts';
import { listen } from './node-adapter.node.ts';
import { tokenAuth } from './token-auth.ts';

const credentials = (username: string) => ({ username, password: `${username}-password` });

/**
 * vitest `globalSetup` of the `integration` project: serves three
 * `@ocikit/server` registries in this process (memory storage: anonymous,
 * htpasswd Basic, token auth with the built-in issuer), with the accounts of
 * the test bed's distribution registries, so that the registry client's
 * integration tests run against both peers. Provides `ocikitPeers`.
 *
 * @param project - the vitest project
 * @returns the teardown
 */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'ocikit-peers-'));
  const basicUser = credentials('basic-push');
  const tokenUsers = {
    push: credentials('token-push'),
    pull: credentials('token-pull'),
    catalog: credentials('token-catalog'),
  };
  await writeHtpasswd(join(dir, 'basic'), [basicUser]);
  await writeHtpasswd(join(dir, 'token'), Object.values(tokenUsers));
  const basicRealm = 'ocikit-peer-basic';
  const service = 'ocikit-peer-registry';
  const publicPrefix = 'public/';
  const [anonymous, basic, token] = await Promise.all([
    listen(createRegistryHandler()),
    listen(
      createRegistryHandler({
        auth: htpasswdAuth(await readFile(join(dir, 'basic'), 'utf8'), { realm: basicRealm }),
      }),
    ),
    listen(
      createRegistryHandler({
        auth: tokenAuth({
          htpasswd: await readFile(join(dir, 'token'), 'utf8'),
          service,
          catalog: [tokenUsers.catalog.username],
          grants: [
            { repositories: `${publicPrefix}*`, actions: ['pull'], users: 'anyone' },
            { repositories: '*', actions: ['pull'], users: 'authenticated' },
            { repositories: '*', actions: ['push', 'delete'], users: [tokenUsers.push.username] },
          ],
        }),
      }),
    ),
  ]);
  await rm(dir, { recursive: true, force: true });
  const at = (server: { host: string; url: URL }) => ({
    host: server.host,
    url: server.url.origin,
  });
  const info: OcikitPeersInfo = {
    anonymous: at(anonymous),
    basic: { ...at(basic), realm: basicRealm, users: { push: basicUser } },
    token: {
      ...at(token),
      realm: `${token.url.origin}/token`,
      service,
      publicPrefix,
      users: tokenUsers,
    },
  };
  project.provide('ocikitPeers', info);
  return async () => {
    await Promise.all([anonymous.close(), basic.close(), token.close()]);
  };
}
