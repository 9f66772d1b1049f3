import { describe, expect, it } from 'vitest';
import { failure } from '../testdata/failure.ts';
import { pathMatch } from './match.ts';

// Cases written for ocikit from the documented semantics of Go's path.Match
// (https://pkg.go.dev/path#Match).

describe('pathMatch', () => {
  it('matches like Go path.Match', () => {
    const cases: [label: string, pattern: string, name: string, match: boolean][] = [
      ['literal', 'alpine', 'alpine', true],
      ['literal, other name', 'alpine', 'alpine2', false],
      ['empty pattern, empty name', '', '', true],
      ['empty pattern', '', 'a', false],
      ['star alone', '*', 'anything:goes', true],
      ['star alone, empty name', '*', '', true],
      ['star does not cross a slash', '*', 'a/b', false],
      ['stars', '***', 'abc', true],
      ['star at the start', '*pine', 'alpine', true],
      ['star in the middle', 'a*e', 'alpine', true],
      ['star may match nothing', 'al*pine', 'alpine', true],
      ['star then slash', 'a*/b', 'abc/b', true],
      ['star cannot skip a slash', 'a*/b', 'a/c/b', false],
      ['two stars, two segments', '*/*', 'library/ubuntu', true],
      ['last chunk must reach the end', 'a*b', 'abxb', true],
      ['last chunk backtracks', '*x', 'xxx', true],
      ['star, class', 'v*[0-9]', 'v1.2.3', true],
      ['question mark', 'v?', 'v1', true],
      ['question mark needs a character', 'v?', 'v', false],
      ['question mark does not match a slash', 'a?b', 'a/b', false],
      ['question mark takes one rune', '?', 'é', true],
      ['two question marks, one rune', '??', 'é', false],
      ['class', '[abc]', 'b', true],
      ['class, no match', '[abc]', 'd', false],
      ['range', '[a-c]x', 'bx', true],
      ['negated class', '[^a-c]', 'd', true],
      ['negated class, in range', '[^a-c]', 'b', false],
      ['class matches a slash', 'a[/]b', 'a/b', true],
      ['unicode range', '[α-ω]', 'λ', true],
      ['escaped star', 'a\\*', 'a*', true],
      ['escaped star is literal', 'a\\*', 'ab', false],
      ['escaped class bound', '[\\]]', ']', true],
      ['escaped dash in range', '[\\-]', '-', true],
      ['star inside a class is literal', '[*]', '*', true],
      ['star before a class', '*[xy]', 'abcx', true],
    ];
    for (const [label, pattern, name, match] of cases) {
      expect(pathMatch(pattern, name), label).toBe(match);
    }
  });

  it('rejects malformed patterns even when the name cannot match', () => {
    const cases: [label: string, pattern: string, name: string][] = [
      ['lone open bracket', '[', 'a'],
      ['unterminated class', '[abc', 'a'],
      ['unterminated negated class', '[^bc', 'a'],
      ['empty class', '[]', 'a'],
      ['empty negated class', '[^]', 'a'],
      ['class starting with a dash', '[-x]', 'x'],
      ['class ending in a dash', '[x-]', 'x'],
      ['double range', '[a-b-c]', 'a'],
      ['escape at the end of a class', '[\\', 'a'],
      ['trailing backslash', 'a\\', 'a'],
      ['trailing backslash after a mismatch', 'b\\', 'a'],
      ['bad class after a literal mismatch', 'x[', 'y'],
      ['bad class after a star', 'a*[', 'abc'],
      ['bad class in a later chunk', 'no*match*[', 'something'],
      ['bad class with empty name', '[', ''],
    ];
    for (const [label, pattern, name] of cases) {
      const error = failure(() => pathMatch(pattern, name), label);
      expect(error.message, label).toContain(`"${pattern}"`);
    }
  });
});
