import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Transport } from '@ocikit/transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderedPage } from './pagination.ts';
import { Repository } from './repository.ts';

describe('orderedPage', () => {
  it('orders a page as the spec says, and drops what is not after last', () => {
    const cases: [label: string, items: string[], last: string | undefined, expected: string[]][] =
      [
        ['sorted, no last', ['a', 'b', 'c'], undefined, ['a', 'b', 'c']],
        [
          'unsorted (distribution 2.8)',
          ['v2', 'sha256-1', 'v1'],
          undefined,
          ['sha256-1', 'v1', 'v2'],
        ],
        ['last ignored by the registry', ['a', 'b', 'c'], 'a', ['b', 'c']],
        ['last ignored, unsorted', ['c', 'a', 'b'], 'a', ['b', 'c']],
        ['last honoured', ['b', 'c'], 'a', ['b', 'c']],
        ['last not a tag, ignored', ['a', 'b', 'c'], 'aa', ['b', 'c']],
        ['last at the end', ['a', 'b'], 'b', []],
        ['case-insensitive order kept', ['a', 'B', 'c'], undefined, ['a', 'B', 'c']],
        ['case-insensitive order, last honoured', ['B', 'c'], 'a', ['B', 'c']],
        ['ASCII order kept', ['B', 'a', 'c'], undefined, ['B', 'a', 'c']],
        ['empty', [], 'a', []],
      ];
    for (const [label, items, last, expected] of cases) {
      expect(orderedPage(items, last), label).toEqual(expected);
    }
  });
});

/**
 * A real registry on 127.0.0.1 that serves the tags of `ns/<scenario>` as
 * the pages listed here, page `i` linking to page `i + 1` (a fresh URL each
 * time, so only the names can tell a loop).
 */
const SCENARIOS: Record<string, (page: number) => string[] | undefined> = {
  // Adjacent pages repeat the names at their edges.
  overlap: (page) =>
    [
      ['a', 'b', 'c'],
      ['c', 'd', 'e'],
      ['e', 'f'],
    ][page],
  // After two pages the registry starts over, forever.
  loop: (page) => (page % 2 === 0 ? ['a', 'b'] : ['c', 'd']),
};
let server: Server;
let host: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    const [, , , scenario] = url.pathname.split('/');
    const page = Number(url.searchParams.get('page') ?? 0);
    const tags = SCENARIOS[scenario ?? '']?.(page) ?? [];
    const next = SCENARIOS[scenario ?? '']?.(page + 1);
    response.writeHead(200, {
      'content-type': 'application/json',
      ...(next === undefined ? {} : { link: `<${url.pathname}?page=${page + 1}>; rel="next"` }),
    });
    response.end(JSON.stringify({ name: `ns/${scenario}`, tags }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('listPages', () => {
  async function list(scenario: string): Promise<string[]> {
    const transport = new Transport({ hosts: { [host]: { plainHttp: true } } });
    const repository = new Repository(
      { registry: host, repository: `ns/${scenario}` },
      { transport, maxPages: 50 },
    );
    const tags: string[] = [];
    for await (const tag of repository.tags()) tags.push(tag);
    return tags;
  }

  it('drops the names adjacent pages repeat, and ends when a registry serves its pages again', async () => {
    expect(await list('overlap')).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(await list('loop')).toEqual(['a', 'b', 'c', 'd']);
  });
});
