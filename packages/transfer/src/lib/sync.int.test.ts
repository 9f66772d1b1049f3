import { MemoryStore } from '@ocikit/content';
import { Repository } from '@ocikit/registry';
import { getTestbed, uniqueRepo } from '@ocikit/testbed';
import { createNodeTransport } from '@ocikit/transport/node';
import { describe, expect, it } from 'vitest';
import { copy } from './copy.ts';
import { image, index, load } from './graphs.testing.ts';
import { sync } from './sync.ts';

/** A new source and destination repository on the real registry, and how to open them. */
function repositories(label: string) {
  const { host } = getTestbed().anonymous;
  const transport = createNodeTransport();
  return {
    host,
    open: (location: string) => new Repository(location, { transport }),
    source: `${host}/${uniqueRepo(`transfer/${label}-source`)}`,
    destination: `${host}/${uniqueRepo(`transfer/${label}-destination`)}`,
  };
}

describe('sync against the real registry', () => {
  it('copies the matching tags, then only the tag that changed; a missing source repository fails alone', async () => {
    const { host, open, source, destination } = repositories('sync');
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

  it('finds a platform-filtered copy unchanged on the next run (it compares the filtered index the copy makes, not the source index), and copies again when the source index changes', async () => {
    const { open, source, destination } = repositories('sync-platforms');
    const push = async () => {
      const graph = index([
        {
          graph: image([300], { platform: { os: 'linux', architecture: 'amd64' } }),
          platform: 'linux/amd64',
        },
        {
          graph: image([300], { platform: { os: 'linux', architecture: 'arm64' } }),
          platform: 'linux/arm64',
        },
      ]);
      const memory = new MemoryStore();
      await load(memory, graph);
      await copy({ from: memory, to: open(source), reference: graph.root }, { tags: ['v1'] });
      return graph.root.digest;
    };
    const original = await push();
    const plan = { items: [{ source, destination, platforms: ['linux/amd64'] }] };

    const first = await sync(plan, { open });
    expect(first.map((r) => r.status)).toEqual(['copied']);
    const filtered = first[0]?.digest;
    expect(filtered).not.toBe(original); // a new index, of one platform
    expect((await open(destination).resolve('v1')).digest).toBe(filtered);

    const dry = await sync(plan, { open, dryRun: true });
    expect(dry.map((r) => [r.status, r.digest])).toEqual([['unchanged', filtered]]);
    const again = await sync(plan, { open });
    expect(again.map((r) => [r.status, r.digest])).toEqual([['unchanged', filtered]]);

    await push();
    const changed = await sync(plan, { open, dryRun: true });
    expect(changed.map((r) => r.status)).toEqual(['would-copy']);
    expect(changed[0]?.digest).not.toBe(filtered);
    const recopied = await sync(plan, { open });
    expect(recopied[0]?.digest).toBe(changed[0]?.digest); // the dry run said what the copy makes
  });
});
