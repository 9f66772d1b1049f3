import { collect, errorCode, makeImage, pushImage, uniqueRepo } from '@ocikit/testbed';
import { describe, expect, it } from 'vitest';
import { Registry } from './registry.ts';
import { on, PEERS } from './testbed.testing.node.ts';

describe.each(PEERS)('Registry on %s', (peer) => {
  const { registries: testbed, endpoint, freshRepository, transportFor } = on(peer);
  it('pings anonymously, with Basic and with tokens, over http on loopback', async () => {
    const schemes = { anonymous: [], basic: ['basic'], token: ['bearer'] };
    for (const mode of ['anonymous', 'basic', 'token'] as const) {
      const registry = new Registry(endpoint(mode).host, { transport: transportFor(mode) });
      const result = await registry.ping();
      expect(result, mode).toMatchObject({ status: 200, apiVersion: 'registry/2.0' });
      expect(
        result.challenges.map((challenge) => challenge.scheme),
        mode,
      ).toEqual(schemes[mode]);
    }
    const token = await new Registry(testbed.token.host, {
      transport: transportFor('token'),
    }).ping();
    expect(token.challenges[0]?.params).toMatchObject({
      realm: testbed.token.realm,
      service: testbed.token.service,
    });
  });

  it('is refused without the right credentials', async () => {
    const anonymous = new Registry(testbed.basic.host, { transport: transportFor('anonymous') });
    expect(await errorCode(anonymous.ping())).toBe('UNAUTHORIZED');
    const wrong = new Registry(testbed.basic.host, {
      transport: transportFor('basic', { username: 'basic-push', password: 'wrong' }),
    });
    expect(await errorCode(wrong.ping())).toBe('UNAUTHORIZED');
  });

  it('lists the catalog page by page with the catalog scope', async () => {
    const prefix = uniqueRepo('registry/catalog');
    const names = [`${prefix}/a`, `${prefix}/b`, `${prefix}/c`];
    for (const name of names) {
      await pushImage(endpoint('token'), name, await makeImage({ seed: name }), { tag: 'v1' });
    }
    const registry = new Registry(testbed.token.host, {
      transport: transportFor('token', testbed.token.users.catalog),
    });
    const seen: string[] = [];
    for await (const name of registry.catalog({ pageSize: 2 }))
      if (name.startsWith(prefix)) seen.push(name);
    expect(seen).toEqual(names);
    const after = await collect(registry.catalog({ last: names[0], pageSize: 50 }));
    expect(after).toContain(names[1]);
    expect(after).not.toContain(names[0]);
    const pusher = new Registry(testbed.token.host, { transport: transportFor('token') });
    expect(await errorCode(collect(pusher.catalog()))).toBe('DENIED');
  });

  it('lists tags although the registry ignores n and last, in order, deduplicated', async () => {
    const repo = freshRepository('anonymous', 'tags/list');
    const image = await makeImage({ seed: repo.name });
    await pushImage(endpoint('anonymous'), repo.name, image, { tag: 'v3' });
    await repo.putManifest(image.manifest, { tags: ['v1', 'v2', 'latest', 'v10'] });
    const all = ['latest', 'v1', 'v10', 'v2', 'v3'];
    expect(await collect(repo.tags())).toEqual(all);
    expect(await collect(repo.tags({ pageSize: 2 }))).toEqual(all);
    expect(await collect(repo.tags({ last: 'v10' }))).toEqual(['v2', 'v3']);
    expect(await collect(repo.tags({ last: 'v3' }))).toEqual([]);
  });
});
