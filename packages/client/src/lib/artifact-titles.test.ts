import { OciError } from '@ocikit/digest';
import { Annotation, type Descriptor } from '@ocikit/spec';
import { describe, expect, it } from 'vitest';
import { parseArtifactFile, titledLayers, titleSegments } from './artifact-titles.ts';

function layer(title: string | undefined, digestChar = 'a'): Descriptor {
  return {
    mediaType: 'application/octet-stream',
    digest: `sha256:${digestChar.repeat(64)}`,
    size: 1,
    ...(title === undefined ? {} : { annotations: { [Annotation.Title]: title } }),
  };
}

function codeOf(task: () => unknown): string | undefined {
  try {
    task();
  } catch (error) {
    expect(error).toBeInstanceOf(OciError);
    return (error as OciError).code;
  }
  return undefined;
}

describe('parseArtifactFile', () => {
  it("splits oras' FILE[:MEDIATYPE] at the last colon and refuses empty halves", () => {
    const cases: [string, unknown][] = [
      ['notes.txt', { path: 'notes.txt' }],
      ['a.json:application/json', { path: 'a.json', mediaType: 'application/json' }],
      ['dir/x:y.bin:text/plain', { path: 'dir/x:y.bin', mediaType: 'text/plain' }],
    ];
    for (const [spec, expected] of cases) expect(parseArtifactFile(spec), spec).toEqual(expected);
    for (const bad of ['', ':text/plain', 'a.txt:']) {
      expect(
        codeOf(() => parseArtifactFile(bad)),
        bad,
      ).toBe('OPTION_INVALID');
    }
  });
});

describe('titleSegments', () => {
  it('accepts relative names and refuses absolute paths, "..", empty or "." segments, NUL and backslashes', () => {
    expect(titleSegments('a.txt')).toEqual(['a.txt']);
    expect(titleSegments('docs/guide/readme.md')).toEqual(['docs', 'guide', 'readme.md']);
    expect(titleSegments('..hidden..')).toEqual(['..hidden..']);
    const hostile = [
      '',
      '/etc/passwd',
      '../escape',
      'a/../../b',
      'a/..',
      'a//b',
      './a',
      'a/',
      'a\0b',
      '..\\windows',
    ];
    for (const title of hostile) {
      expect(
        codeOf(() => titleSegments(title)),
        JSON.stringify(title),
      ).toBe('PATH_INVALID');
    }
  });
});

describe('titledLayers', () => {
  it('keeps titled layers in order, sets untitled ones aside, and refuses repeated or clashing titles', () => {
    const { titled, untitled } = titledLayers([
      layer('b.txt'),
      layer(undefined, 'b'),
      layer('d/c'),
    ]);
    expect(titled.map((entry) => entry.title)).toEqual(['b.txt', 'd/c']);
    expect(untitled.map((entry) => entry.digest)).toEqual([`sha256:${'b'.repeat(64)}`]);
    expect(
      codeOf(() => titledLayers([layer('x'), layer('x', 'c')])),
      'twice',
    ).toBe('PATH_INVALID');
    expect(
      codeOf(() => titledLayers([layer('x/y'), layer('x', 'c')])),
      'file and directory',
    ).toBe('PATH_INVALID');
    expect(
      codeOf(() => titledLayers([layer('../x')])),
      'hostile',
    ).toBe('PATH_INVALID');
  });
});
