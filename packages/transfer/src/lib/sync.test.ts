import { MemoryStore } from '@ocikit/content';
import { describe, expect, it } from 'vitest';
import { image, load } from './graphs.testing.ts';
import { shardOf, sync } from './sync.ts';

/** Memory stores by name, opened by `sync`. */
function stores(): { open: (name: string) => MemoryStore; get: (name: string) => MemoryStore } {
  const named = new Map<string, MemoryStore>();
  const get = (name: string) => {
    let store = named.get(name);
    if (!store) {
      store = new MemoryStore();
      named.set(name, store);
    }
    return store;
  };
  return { open: get, get };
}

describe('sync', () => {
  it('puts each item in exactly one of the shards, the same on every run', () => {
    const items = Array.from({ length: 60 }, (_, i) => ({
      source: `s/${i}`,
      destination: `d/${i}`,
    }));
    const shards = items.map((item) => shardOf(item, 3));
    expect(items.map((item) => shardOf(item, 3))).toEqual(shards);
    for (const index of [0, 1, 2]) {
      expect(shards.filter((shard) => shard === index).length).toBeGreaterThan(5);
    }
  });

  it('syncs only the items of its shard; the shards of a plan together sync all of it', async () => {
    const { open, get } = stores();
    const items = Array.from({ length: 6 }, (_, i) => ({ source: `s${i}`, destination: `d${i}` }));
    for (const item of items) {
      const graph = image([10]);
      await load(get(item.source), graph);
      await get(item.source).tag(graph.root, 'v1');
    }
    const plan = { items };
    const copied = [];
    for (const index of [0, 1]) {
      const reports = await sync(plan, { open, shard: { index, count: 2 } });
      copied.push(...reports.map((report) => report.item.destination));
    }
    expect(copied.sort()).toEqual(items.map((item) => item.destination));
  });

  it('refuses a shard index outside its count, and a tag filter that is no regular expression', async () => {
    const { open } = stores();
    await expect(
      sync({ items: [] }, { open, shard: { index: 2, count: 2 } }),
    ).rejects.toMatchObject({ code: 'OPTION_INVALID' });
    await expect(
      sync({ items: [{ source: 'a', destination: 'b', tags: '(' }] }, { open }),
    ).rejects.toMatchObject({ code: 'OPTION_INVALID' });
  });

  it('in a dry run copies nothing and reports what it would copy', async () => {
    const { open, get } = stores();
    for (const tag of ['v1.0.0', 'v1.1.0', 'latest']) {
      const graph = image([10]);
      await load(get('src'), graph);
      await get('src').tag(graph.root, tag);
    }
    const plan = { items: [{ source: 'src', destination: 'dst', tags: { semver: '>=1' } }] };
    const dry = await sync(plan, { open, dryRun: true });
    expect(dry.map((r) => [r.tag, r.status])).toEqual([
      ['v1.0.0', 'would-copy'],
      ['v1.1.0', 'would-copy'],
    ]);
    await expect(get('dst').resolve('v1.0.0')).rejects.toMatchObject({ code: 'MANIFEST_UNKNOWN' });
    await sync(plan, { open });
    expect((await sync(plan, { open, dryRun: true })).map((r) => r.status)).toEqual([
      'unchanged',
      'unchanged',
    ]);
  });

  it('starts nothing more once shouldStop gives a reason, and reports the rest as stopped with it', async () => {
    const { open, get } = stores();
    const items = ['a', 'b'].map((name) => ({ source: name, destination: `mirror/${name}` }));
    for (const item of items) {
      for (const tag of ['1', '2', '3']) {
        const graph = image([10]);
        await load(get(item.source), graph);
        await get(item.source).tag(graph.root, tag);
      }
    }
    const reason = {
      code: 'RATE_LIMITED',
      registry: 'docker.io',
      windowSeconds: 21600,
      message: 'spent',
    } as const;
    let started = 0;
    const reports = await sync(
      { items },
      {
        open,
        onReport: (report) => {
          if (report.status === 'copied') started += 1;
        },
        shouldStop: () => (started >= 2 ? reason : undefined),
      },
    );
    expect(reports.map((r) => [r.item.source, r.tag, r.status, r.stop?.code])).toEqual([
      ['a', '1', 'copied', undefined],
      ['a', '2', 'copied', undefined],
      ['a', '3', 'stopped', 'RATE_LIMITED'],
      ['b', undefined, 'stopped', 'RATE_LIMITED'],
    ]);
    await expect(get('mirror/a').resolve('3')).rejects.toMatchObject({ code: 'MANIFEST_UNKNOWN' });
  });

  it('syncs single-image items (by tag, by digest, to another tag) beside a repository item, then finds them unchanged; a missing image fails alone', async () => {
    const { get } = stores();
    // Like a registry: a location's repository is what comes before a tag or digest.
    const open = (location: string) => get(location.split(/[:@]/)[0] as string);
    const digests: Record<string, string> = {};
    for (const tag of ['v1', 'v2']) {
      const graph = image([10]);
      await load(get('src'), graph);
      await get('src').tag(graph.root, tag);
      digests[tag] = graph.root.digest;
    }
    const v1 = digests.v1 as string;
    const plan = {
      items: [
        {
          source: 'src:v1',
          destination: 'pinned:stable',
          image: { reference: 'v1', tag: 'stable' },
        },
        { source: `src@${v1}`, destination: 'by-digest', image: { reference: v1, tag: 'latest' } },
        { source: 'src:gone', destination: 'x', image: { reference: 'gone', tag: 'gone' } },
        { source: 'src', destination: 'all' },
      ],
    };
    const first = await sync(plan, { open });
    expect(first.map((r) => [r.item.destination, r.tag, r.status, r.digest])).toEqual([
      ['pinned:stable', 'stable', 'copied', v1],
      ['by-digest', 'latest', 'copied', v1],
      ['x', 'gone', 'failed', undefined],
      ['all', 'v1', 'copied', v1],
      ['all', 'v2', 'copied', digests.v2],
    ]);
    expect(first[2]?.error).toMatchObject({ code: 'MANIFEST_UNKNOWN' });
    expect((await get('pinned').resolve('stable')).digest).toBe(v1);
    expect((await get('by-digest').resolve('latest')).digest).toBe(v1);
    const again = await sync(plan, { open });
    expect(again.map((r) => r.status)).toEqual([
      'unchanged',
      'unchanged',
      'failed',
      'unchanged',
      'unchanged',
    ]);
  });

  it('refuses a single-image item with a tags filter (OPTION_INVALID), before opening anything', async () => {
    const opened: string[] = [];
    const open = (name: string) => {
      opened.push(name);
      return new MemoryStore();
    };
    const item = {
      source: 'a:v1',
      destination: 'b',
      image: { reference: 'v1', tag: 'v1' },
      tags: 'v.*',
    };
    await expect(sync({ items: [item] }, { open })).rejects.toMatchObject({
      code: 'OPTION_INVALID',
    });
    expect(opened).toEqual([]);
  });
});
