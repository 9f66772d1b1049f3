import { describe, expect, it } from 'vitest';
import { compileTagFilter, type TagFilter, tagVersion } from './tag-filter.ts';

describe('tagVersion', () => {
  it('reads v-prefixed and short tags as versions, and nothing else', () => {
    const cases: [string, string | undefined][] = [
      ['1.2.3', '1.2.3'],
      ['v1.2.3', '1.2.3'],
      ['1.2', '1.2.0'],
      ['v3', '3.0.0'],
      ['1.2.3-rc.1', '1.2.3-rc.1'],
      ['1.3-alpine', '1.3.0-alpine'],
      ['1.2.3+build.5', '1.2.3'],
      ['latest', undefined],
      ['01.2.3', undefined],
      ['release-1.2', undefined],
      ['3.20.1.4', undefined],
      ['V1.2', undefined],
      ['1.2.', undefined],
    ];
    for (const [tag, version] of cases) {
      expect([tag, tagVersion(tag)?.version], tag).toEqual([tag, version]);
    }
  });
});

describe('compileTagFilter', () => {
  const listing = [
    'latest',
    '1.0.0',
    'v1.2.0',
    '1.2',
    '1.2.5',
    '1.3.0-rc.1',
    '1.10.1',
    'v2.0.0',
    '2.0.1-alpine',
    '3',
    'edge',
  ];

  it('combines regex include/exclude, a semver range and latest N, keeping the listing order', () => {
    const cases: [string, TagFilter | string | undefined, string[]][] = [
      ['nothing: every tag', undefined, listing],
      ['a bare string is one include pattern', '1\\.2.*', ['1.2', '1.2.5']],
      ['include matches the whole tag', { include: ['1\\.2'] }, ['1.2']],
      [
        'exclude drops',
        { exclude: ['v.*', 'latest|edge'] },
        listing.filter((t) => !/^(v|latest|edge)/.test(t)),
      ],
      [
        'semver range over v-prefixed and short tags',
        { semver: '>=1.2 <2' },
        ['v1.2.0', '1.2', '1.2.5', '1.10.1'],
      ],
      [
        'semver leaves out pre-releases unless the range names one',
        { semver: '>=1.3.0-rc.0 <1.4' },
        ['1.3.0-rc.1'],
      ],
      ['semver caret', { semver: '^2' }, ['v2.0.0']],
      ['semver or', { semver: '1.0.x || >=3' }, ['1.0.0', '3']],
      ['semver with exclude', { semver: '>=1.2 <2', exclude: ['v.*'] }, ['1.2', '1.2.5', '1.10.1']],
      [
        'semver with include',
        { semver: '<2', include: ['\\d+\\.\\d+\\.\\d+'] },
        ['1.0.0', '1.2.5', '1.10.1'],
      ],
      ['latest N by semver order', { latest: 2 }, ['v2.0.0', '3']],
      ['latest without a range leaves pre-releases out', { latest: 3 }, ['1.10.1', 'v2.0.0', '3']],
      [
        'latest after a range that admits a pre-release',
        { semver: '>=2.0.1-a', latest: 2 },
        ['2.0.1-alpine', '3'],
      ],
      [
        'latest after a range: by semver order, not by text',
        { semver: '1.x', latest: 2 },
        ['1.2.5', '1.10.1'],
      ],
      [
        'latest with equal versions: the tag text breaks the tie',
        { semver: '~1.2.0 <1.2.5', latest: 1 },
        ['1.2'],
      ],
      [
        'latest above the count keeps all',
        { semver: '^1.2', latest: 10 },
        ['v1.2.0', '1.2', '1.2.5', '1.10.1'],
      ],
    ];
    for (const [label, filter, expected] of cases) {
      expect([label, compileTagFilter(filter)(listing)]).toEqual([label, expected]);
    }
  });

  it('refuses a pattern that is no regular expression, a bad range and a bad latest', () => {
    const bad: TagFilter[] = [
      { include: ['('] },
      { exclude: ['[a-'] },
      { semver: '>=banana' },
      { latest: 0 },
      { latest: 1.5 },
    ];
    for (const filter of bad) {
      expect(() => compileTagFilter(filter), JSON.stringify(filter)).toThrow(
        expect.objectContaining({ code: 'OPTION_INVALID' }),
      );
    }
  });
});
