import { describe, expect, it } from 'vitest';
import { orderedPage } from './pagination.ts';

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
