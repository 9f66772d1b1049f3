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
});
