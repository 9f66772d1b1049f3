import { MemoryStore } from '@ocikit/content';
import { Repository } from '@ocikit/registry';
import { getTestbed, uniqueRepo } from '@ocikit/testbed';
import { createNodeTransport } from '@ocikit/transport/node';
import { describe, expect, it } from 'vitest';
import { copy } from './copy.ts';
import { image, load } from './graphs.testing.ts';
import { sync } from './sync.ts';

describe('sync against the real registry', () => {
  it('copies the matching tags, then only the tag that changed; a missing source repository fails alone', async () => {
    const { host } = getTestbed().anonymous;
    const transport = createNodeTransport();
    const open = (location: string) => new Repository(location, { transport });
    const source = `${host}/${uniqueRepo('transfer/sync-source')}`;
    const destination = `${host}/${uniqueRepo('transfer/sync-destination')}`;
    const push = async (tag: string) => {
      const graph = image([2000]);
      const memory = new MemoryStore();
      await load(memory, graph);
      await copy({ from: memory, to: open(source), reference: graph.root }, { tags: [tag] });
      return graph.root.digest;
    };
    const v10 = await push('v1.0');
    await push('v1.1');
    await push('latest');
    const plan = {
      items: [
        { source: `${host}/${uniqueRepo('transfer/sync-missing')}`, destination },
        { source, destination, tags: 'v1\\.\\d+' },
      ],
    };
    const summary = (reports: Awaited<ReturnType<typeof sync>>) =>
      reports.map((r) => [r.tag ?? r.item.source, r.status, (r.error as { code?: string })?.code]);

    const first = await sync(plan, { open });
    expect(summary(first)).toEqual([
      [plan.items[0]?.source, 'failed', 'NAME_UNKNOWN'],
      ['v1.0', 'copied', undefined],
      ['v1.1', 'copied', undefined],
    ]);

    const v11 = await push('v1.1');
    const second = await sync(plan, { open });
    expect(summary(second).slice(1)).toEqual([
      ['v1.0', 'unchanged', undefined],
      ['v1.1', 'copied', undefined],
    ]);
    expect((await open(destination).resolve('v1.1')).digest).toBe(v11);
    expect((await open(destination).resolve('v1.0')).digest).toBe(v10);
    await expect(open(destination).resolve('latest')).rejects.toMatchObject({
      code: 'MANIFEST_UNKNOWN',
    });
  });
});
