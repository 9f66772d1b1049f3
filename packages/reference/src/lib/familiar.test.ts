import { describe, expect, it } from 'vitest';
import { failure } from '../testdata/failure.ts';
import { familiarMatch, familiarName, familiarString } from './familiar.ts';
import { parseAnyReference, parseNormalized } from './normalize.ts';
import { parse, parseName } from './reference.ts';

// Tables marked "distribution" are ported from distribution/reference
// normalize_test.go, commit 0965666a6ade2e06035fe352e38344be1e68951a,
// Apache-2.0. Labels are the Go table indexes.

describe('familiarString and familiarName', () => {
  it('passes distribution TestParseReferenceWithTagAndDigest', () => {
    const reference = parseNormalized(
      'busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa',
    );
    expect(reference.toString()).toBe(
      'docker.io/library/busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa',
    );
    expect(reference.tag).toBe('latest');
    expect(reference.digest).toBeDefined();
    expect(familiarString(reference)).toBe(
      'busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa',
    );
  });

  it('shortens only Docker Hub names', () => {
    const cases: [label: string, reference: string, name: string, text: string][] = [
      ['official image', 'docker.io/library/ubuntu:24.04', 'ubuntu', 'ubuntu:24.04'],
      [
        'user image',
        `docker.io/user/app@sha256:${'a'.repeat(64)}`,
        'user/app',
        `user/app@sha256:${'a'.repeat(64)}`,
      ],
      ['nested library path', 'docker.io/library/a/b', 'library/a/b', 'library/a/b'],
      [
        'other registry',
        'ghcr.io/library/ubuntu:1',
        'ghcr.io/library/ubuntu',
        'ghcr.io/library/ubuntu:1',
      ],
      [
        'legacy Hub host kept by parse',
        'index.docker.io/library/x',
        'index.docker.io/library/x',
        'index.docker.io/library/x',
      ],
      ['no registry', 'library/ubuntu', 'library/ubuntu', 'library/ubuntu'],
    ];
    for (const [label, input, name, text] of cases) {
      const reference = parse(input);
      expect(familiarName(reference), label).toBe(name);
      expect(familiarString(reference), label).toBe(text);
    }
    const digest = parseAnyReference('b'.repeat(64));
    expect(familiarString(digest)).toBe(`sha256:${'b'.repeat(64)}`);
    expect(familiarName(parseName('docker.io/library/busybox'))).toBe('busybox');
  });
});

describe('familiarMatch', () => {
  it('passes distribution TestMatch and TestMatchError', () => {
    const cases: [label: string, pattern: string, reference: string, match: boolean][] = [
      ['0', 'foo/**/ba[rz]', 'foo', false],
      ['1', 'foo/**/ba[rz]', 'foo/any/bat', false],
      ['2', 'foo/**/ba[rz]', 'foo/a/bar', true],
      ['3', 'foo/**/ba[rz]', 'foo/b/baz', true],
      ['4', 'foo/**/ba[rz]', 'foo/c/baz:tag', true],
      ['5', 'foo/*/baz:tag', 'foo/c/baz:tag', true],
      ['6', 'foo/c/baz:tag', 'foo/c/baz:tag', true],
      ['7', '*/foo/c/baz', 'example.com/foo/c/baz:tag', true],
      ['8', 'example.com/foo/c/baz', 'example.com/foo/c/baz:tag', true],
    ];
    for (const [label, pattern, reference, match] of cases) {
      expect(familiarMatch(pattern, parseAnyReference(reference)), label).toBe(match);
    }
    const error = failure(() => familiarMatch('[-x]', parseAnyReference('foo')), 'TestMatchError');
    expect(error.message).toMatch(/^Invalid pattern "\[-x\]"/);
  });

  it('matches digest references by their digest', () => {
    const digest = parseAnyReference(`sha256:${'c'.repeat(64)}`);
    expect(familiarMatch('sha256:*', digest)).toBe(true);
    expect(familiarMatch('sha512:*', digest)).toBe(false);
  });
});
