// Interop with containerd (the test bed's own daemon): `ctr images pull`
// fetches and unpacks from the real registry what ocikit pushed.
import {
  collectContent,
  ctr,
  getTestbed,
  makeImage,
  makeMultiPlatformImage,
  type TestNode,
  tokenStats,
  uniqueRepo,
} from '@ocikit/testbed';
import { describe, expect, it } from 'vitest';
import { on, PEERS, type Peer, pushNode } from './testbed.testing.node.ts';

const testbed = getTestbed();
const { socket } = testbed.containerd;

/**
 * Pushes a node with `Repository` into a new repository; returns the image
 * name for `ctr` and a containerd namespace of the test's own.
 */
async function pushed(
  peer: Peer,
  mode: 'anonymous' | 'token',
  prefix: string,
  node: TestNode,
  tag: string,
) {
  const repo = on(peer).freshRepository(mode, prefix);
  await pushNode(repo, node, tag);
  return {
    repository: repo.name,
    name: `${repo.registry}/${repo.name}:${tag}`,
    namespace: repo.name.replaceAll('/', '-'),
  };
}

/** `ctr images check` of one image: its status and whether it is unpacked. */
async function check(namespace: string, name: string): Promise<string> {
  const { stdout } = await ctr(socket, ['images', 'check', `name==${name}`], { namespace });
  return stdout.trim().split('\n').slice(1).join('\n');
}

describe.each(PEERS)('ctr images pull of what Repository pushed, on %s', (peer) => {
  it('pulls and unpacks an image from the anonymous registry over plain http', async () => {
    const image = await makeImage({ seed: uniqueRepo('ctr/pull') });
    const { name, namespace } = await pushed(peer, 'anonymous', 'ctr/pull', image, 'v1');
    await ctr(socket, ['images', 'pull', '--plain-http', name], { namespace });
    const { stdout } = await ctr(socket, ['images', 'ls', '--quiet'], { namespace });
    expect(stdout.trim()).toBe(name);
    const status = await check(namespace, name);
    expect(status).toContain(image.manifest.digest);
    expect(status).toMatch(/complete \(2\/2\).* true$/); // config + layer, unpacked
  });

  it('pulls every platform of an index with --all-platforms, each blob verified by containerd', async () => {
    const index = await makeMultiPlatformImage({ seed: uniqueRepo('ctr/index') });
    const { name, namespace } = await pushed(peer, 'anonymous', 'ctr/index', index, 'multi');
    await ctr(socket, ['images', 'pull', '--plain-http', '--all-platforms', name], { namespace });
    const { stdout } = await ctr(socket, ['content', 'ls', '--quiet'], { namespace });
    const { blobs, manifests } = collectContent([index]);
    expect(stdout.trim().split('\n').sort()).toEqual(
      [...blobs, ...manifests].map((blob) => blob.digest).sort(),
    );
  });

  it('pulls from the token registry with --user, through the OAuth2 POST password grant', async () => {
    const image = await makeImage({ seed: uniqueRepo('ctr/token') });
    const { repository, name, namespace } = await pushed(peer, 'token', 'ctr/token', image, 'v1');
    const { pull } = on(peer).registries.token.users;
    await ctr(
      socket,
      ['images', 'pull', '--plain-http', '--user', `${pull.username}:${pull.password}`, name],
      { namespace, secrets: [pull.password] },
    );
    expect(await check(namespace, name)).toMatch(/complete \(2\/2\).* true$/);
    // Only the test bed's token issuer records token requests; the ocikit peer's built-in one does not.
    if (peer === 'ocikit') return;
    // containerd asks for tokens as OAuth2 does: POST with grant_type=password.
    const stats = await tokenStats(testbed.token.statsUrl, {
      repository,
      user: pull.username,
    });
    expect(stats.requests.map(({ method, grant, status }) => ({ method, grant, status }))).toEqual(
      expect.arrayContaining([{ method: 'POST', grant: 'password', status: 200 }]),
    );
  });
});
