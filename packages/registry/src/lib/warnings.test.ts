import { describe, expect, it, vi } from 'vitest';
import { MAX_KEPT_WARNINGS, MAX_WARNING_BYTES, parseWarnings, WarningLog } from './warnings.ts';

describe('parseWarnings', () => {
  it('reads 299 warnings with agent "-", and nothing else', () => {
    const cases: [label: string, header: string | undefined, expected: string[]][] = [
      ['none', undefined, []],
      ['one', '299 - "This image is deprecated"', ['This image is deprecated']],
      [
        'two joined',
        '299 - "first", 299 - "second, with a comma"',
        ['first', 'second, with a comma'],
      ],
      ['escaped quote', '299 - "say \\"hi\\""', ['say "hi"']],
      ['with a date', '299 - "dated" "Sat, 25 Aug 2012 23:34:45 GMT"', ['dated']],
      ['other code', '199 - "stale"', []],
      ['other agent', '299 proxy "no"', []],
      ['malformed', 'garbage', []],
      ['empty text', '299 - ""', []],
    ];
    for (const [label, header, expected] of cases) {
      const headers = new Headers(header === undefined ? {} : { warning: header });
      expect(parseWarnings(headers), label).toEqual(expected);
    }
  });

  it('reads several Warning headers of one response', () => {
    const headers = new Headers();
    headers.append('warning', '299 - "a"');
    headers.append('warning', '299 - "b"');
    expect(parseWarnings(headers)).toEqual(['a', 'b']);
  });

  it(`reads no more than ${MAX_WARNING_BYTES} characters`, () => {
    const long = `299 - "${'x'.repeat(MAX_WARNING_BYTES)}", 299 - "late"`;
    expect(parseWarnings(new Headers({ warning: long }))).toEqual([]);
  });
});

describe('WarningLog', () => {
  it('reports each distinct warning once and keeps them in order', () => {
    const report = vi.fn();
    const log = new WarningLog(report);
    log.observe(new Headers({ warning: '299 - "a", 299 - "b"' }));
    log.observe(new Headers({ warning: '299 - "a"' }));
    log.observe(new Headers());
    expect(report.mock.calls).toEqual([['a'], ['b']]);
    expect(log.warnings).toEqual(['a', 'b']);
  });

  it(`keeps at most ${MAX_KEPT_WARNINGS} warnings, and still reports the others`, () => {
    const report = vi.fn();
    const log = new WarningLog(report);
    for (let i = 0; i < MAX_KEPT_WARNINGS + 5; i += 1) {
      log.observe(new Headers({ warning: `299 - "w${i}"` }));
    }
    expect(log.warnings).toHaveLength(MAX_KEPT_WARNINGS);
    expect(report).toHaveBeenCalledTimes(MAX_KEPT_WARNINGS + 5);
  });
});
