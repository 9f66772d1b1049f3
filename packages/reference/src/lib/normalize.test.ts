import { describe, expect, it } from 'vitest';
import { expectSentinel, failure } from '../testdata/failure.ts';
import { familiarName } from './familiar.ts';
import { parseAnyReference, parseDockerRef, parseNormalized } from './normalize.ts';
import { parse } from './reference.ts';

// Tables marked "distribution" are ported from distribution/reference
// normalize_test.go and reference_test.go (TestParseNamed), commit
// 0965666a6ade2e06035fe352e38344be1e68951a, Apache-2.0. Labels are the Go
// table indexes. The TestValidate* tables assert only success or failure.

describe('parseNormalized', () => {
  it('passes distribution TestValidateReferenceName and TestValidateRemoteName', () => {
    const cases: [label: string, input: string, valid: boolean][] = [
      ['ReferenceName invalidRepoNames 0', 'https://github.com/docker/docker', false],
      ['ReferenceName invalidRepoNames 1', 'docker/Docker', false],
      ['ReferenceName invalidRepoNames 2', '-docker', false],
      ['ReferenceName invalidRepoNames 3', '-docker/docker', false],
      ['ReferenceName invalidRepoNames 4', '-docker.io/docker/docker', false],
      ['ReferenceName invalidRepoNames 5', 'docker///docker', false],
      ['ReferenceName invalidRepoNames 6', 'docker.io/docker/Docker', false],
      ['ReferenceName invalidRepoNames 7', 'docker.io/docker///docker', false],
      ['ReferenceName invalidRepoNames 8', '[fc00::1]', false],
      ['ReferenceName invalidRepoNames 9', '[fc00::1]:5000', false],
      ['ReferenceName invalidRepoNames 10', 'fc00::1:5000/debian', false],
      ['ReferenceName invalidRepoNames 11', '[fe80::1%eth0]:5000/debian', false],
      ['ReferenceName invalidRepoNames 12', '[2001:db8:3:4::192.0.2.33]:5000/debian', false],
      [
        'ReferenceName invalidRepoNames 13',
        '1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a',
        false,
      ],
      ['ReferenceName validRepoNames 0', 'docker/docker', true],
      ['ReferenceName validRepoNames 1', 'library/debian', true],
      ['ReferenceName validRepoNames 2', 'debian', true],
      ['ReferenceName validRepoNames 3', 'localhost/library/debian', true],
      ['ReferenceName validRepoNames 4', 'localhost/debian', true],
      ['ReferenceName validRepoNames 5', 'LOCALDOMAIN/library/debian', true],
      ['ReferenceName validRepoNames 6', 'LOCALDOMAIN/debian', true],
      ['ReferenceName validRepoNames 7', 'docker.io/docker/docker', true],
      ['ReferenceName validRepoNames 8', 'docker.io/library/debian', true],
      ['ReferenceName validRepoNames 9', 'docker.io/debian', true],
      ['ReferenceName validRepoNames 10', 'index.docker.io/docker/docker', true],
      ['ReferenceName validRepoNames 11', 'index.docker.io/library/debian', true],
      ['ReferenceName validRepoNames 12', 'index.docker.io/debian', true],
      ['ReferenceName validRepoNames 13', '127.0.0.1:5000/docker/docker', true],
      ['ReferenceName validRepoNames 14', '127.0.0.1:5000/library/debian', true],
      ['ReferenceName validRepoNames 15', '127.0.0.1:5000/debian', true],
      ['ReferenceName validRepoNames 16', '192.168.0.1', true],
      ['ReferenceName validRepoNames 17', '192.168.0.1:80', true],
      ['ReferenceName validRepoNames 18', '192.168.0.1:8/debian', true],
      ['ReferenceName validRepoNames 19', '192.168.0.2:25000/debian', true],
      [
        'ReferenceName validRepoNames 20',
        'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
        true,
      ],
      ['ReferenceName validRepoNames 21', '[fc00::1]:5000/docker', true],
      ['ReferenceName validRepoNames 22', '[fc00::1]:5000/docker/docker', true],
      ['ReferenceName validRepoNames 23', '[fc00:1:2:3:4:5:6:7]:5000/library/debian', true],
      [
        'ReferenceName validRepoNames 24 This test case was moved from invalid to valid since it is valid input when specified with a hostname, it removes the ambiguity from about whether the value is an identifier or repository name',
        'docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a',
        true,
      ],
      ['ReferenceName validRepoNames 25', 'Docker/docker', true],
      ['ReferenceName validRepoNames 26', 'DOCKER/docker', true],
      ['RemoteName validRepositoryNames 0 Sanity check.', 'docker/docker', true],
      [
        'RemoteName validRepositoryNames 1 Allow 64-character non-hexadecimal names (hexadecimal names are forbidden).',
        'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
        true,
      ],
      ['RemoteName validRepositoryNames 2 Allow embedded hyphens.', 'docker-rules/docker', true],
      [
        'RemoteName validRepositoryNames 3 Allow multiple hyphens as well.',
        'docker---rules/docker',
        true,
      ],
      [
        'RemoteName validRepositoryNames 4 Username doc and image name docker being tested.',
        'doc/docker',
        true,
      ],
      [
        'RemoteName validRepositoryNames 5 single character names are now allowed.',
        'd/docker',
        true,
      ],
      ['RemoteName validRepositoryNames 6', 'jess/t', true],
      ['RemoteName validRepositoryNames 7 Consecutive underscores.', 'dock__er/docker', true],
      ['RemoteName invalidRepositoryNames 0 Disallow capital letters.', 'docker/Docker', false],
      ['RemoteName invalidRepositoryNames 1 Only allow one slash.', 'docker///docker', false],
      [
        'RemoteName invalidRepositoryNames 2 Disallow 64-character hexadecimal.',
        '1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a',
        false,
      ],
      [
        'RemoteName invalidRepositoryNames 3 Disallow leading and trailing hyphens in namespace.',
        '-docker/docker',
        false,
      ],
      ['RemoteName invalidRepositoryNames 4', 'docker-/docker', false],
      ['RemoteName invalidRepositoryNames 5', '-docker-/docker', false],
      [
        "RemoteName invalidRepositoryNames 6 Don't allow underscores everywhere (as opposed to hyphens).",
        '____/____',
        false,
      ],
      ['RemoteName invalidRepositoryNames 7', '_docker/_docker', false],
      [
        'RemoteName invalidRepositoryNames 8 Disallow consecutive periods.',
        'dock..er/docker',
        false,
      ],
      ['RemoteName invalidRepositoryNames 9', 'dock_.er/docker', false],
      ['RemoteName invalidRepositoryNames 10', 'dock-.er/docker', false],
      ['RemoteName invalidRepositoryNames 11 No repository.', 'docker/', false],
      [
        'RemoteName invalidRepositoryNames 12 namespace too long',
        'this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255/docker',
        false,
      ],
    ];
    for (const [label, input, valid] of cases) {
      if (valid) expect(parseNormalized(input).registry, label).not.toBe('');
      else failure(() => parseNormalized(input), label);
    }
  });

  it('passes distribution TestParseRepositoryInfo', () => {
    // Each row is parsed from its familiar, full and (when given) ambiguous
    // name, as the Go test loops, and must give the same four values.
    const rows: [
      row: string,
      familiar: string,
      full: string,
      ambiguous: string,
      registry: string,
      repository: string,
    ][] = [
      ['0', 'localhost/fooo', 'localhost/fooo', 'localhost/fooo', 'localhost', 'fooo'],
      [
        '1',
        'localhost/fooo/bar',
        'localhost/fooo/bar',
        'localhost/fooo/bar',
        'localhost',
        'fooo/bar',
      ],
      ['2', 'LOCALDOMAIN/fooo', 'LOCALDOMAIN/fooo', 'LOCALDOMAIN/fooo', 'LOCALDOMAIN', 'fooo'],
      [
        '3',
        'LOCALDOMAIN/fooo/bar',
        'LOCALDOMAIN/fooo/bar',
        'LOCALDOMAIN/fooo/bar',
        'LOCALDOMAIN',
        'fooo/bar',
      ],
      ['4', 'fooo/bar', 'docker.io/fooo/bar', 'index.docker.io/fooo/bar', 'docker.io', 'fooo/bar'],
      ['5', 'ubuntu', 'docker.io/library/ubuntu', 'library/ubuntu', 'docker.io', 'library/ubuntu'],
      [
        '6',
        'nonlibrary/ubuntu',
        'docker.io/nonlibrary/ubuntu',
        '',
        'docker.io',
        'nonlibrary/ubuntu',
      ],
      ['7', 'other/library', 'docker.io/other/library', '', 'docker.io', 'other/library'],
      [
        '8',
        '127.0.0.1:8000/private/moonbase',
        '127.0.0.1:8000/private/moonbase',
        '',
        '127.0.0.1:8000',
        'private/moonbase',
      ],
      [
        '9',
        '127.0.0.1:8000/privatebase',
        '127.0.0.1:8000/privatebase',
        '',
        '127.0.0.1:8000',
        'privatebase',
      ],
      [
        '10',
        'example.com/private/moonbase',
        'example.com/private/moonbase',
        '',
        'example.com',
        'private/moonbase',
      ],
      [
        '11',
        'example.com/privatebase',
        'example.com/privatebase',
        '',
        'example.com',
        'privatebase',
      ],
      [
        '12',
        'example.com:8000/private/moonbase',
        'example.com:8000/private/moonbase',
        '',
        'example.com:8000',
        'private/moonbase',
      ],
      [
        '13',
        'example.com:8000/privatebasee',
        'example.com:8000/privatebasee',
        '',
        'example.com:8000',
        'privatebasee',
      ],
      [
        '14',
        'ubuntu-12.04-base',
        'docker.io/library/ubuntu-12.04-base',
        'index.docker.io/library/ubuntu-12.04-base',
        'docker.io',
        'library/ubuntu-12.04-base',
      ],
      ['15', 'foo', 'docker.io/library/foo', 'docker.io/foo', 'docker.io', 'library/foo'],
      ['16', 'library/foo/bar', 'docker.io/library/foo/bar', '', 'docker.io', 'library/foo/bar'],
      ['17', 'store/foo/bar', 'docker.io/store/foo/bar', '', 'docker.io', 'store/foo/bar'],
      ['18', 'Foo/bar', 'Foo/bar', '', 'Foo', 'bar'],
      ['19', 'FOO/bar', 'FOO/bar', '', 'FOO', 'bar'],
    ];
    let parsed = 0;
    for (const [row, familiar, full, ambiguous, registry, repository] of rows) {
      for (const input of [familiar, full, ambiguous].filter((name) => name !== '')) {
        const label = `${row}/${input}`;
        const reference = parseNormalized(input);
        expect(familiarName(reference), label).toBe(familiar);
        expect(reference.toString(), label).toBe(full);
        expect([reference.registry, reference.repository], label).toEqual([registry, repository]);
        parsed += 1;
      }
    }
    expect(parsed).toBe(48);
  });

  it('passes distribution TestNormalizedSplitHostname', () => {
    const cases: [label: string, input: string, registry: string, repository: string][] = [
      ['0', 'test.com/foo', 'test.com', 'foo'],
      ['1', 'test_com/foo', 'docker.io', 'test_com/foo'],
      ['2', 'docker/migrator', 'docker.io', 'docker/migrator'],
      ['3', 'test.com:8080/foo', 'test.com:8080', 'foo'],
      ['4', 'test-com:8080/foo', 'test-com:8080', 'foo'],
      ['5', 'foo', 'docker.io', 'library/foo'],
      ['6', 'xn--n3h.com/foo', 'xn--n3h.com', 'foo'],
      ['7', 'xn--n3h.com:18080/foo', 'xn--n3h.com:18080', 'foo'],
      ['8', 'docker.io/foo', 'docker.io', 'library/foo'],
      ['9', 'docker.io/library/foo', 'docker.io', 'library/foo'],
      ['10', 'docker.io/library/foo/bar', 'docker.io', 'library/foo/bar'],
    ];
    for (const [label, input, registry, repository] of cases) {
      const reference = parseNormalized(input);
      expect([reference.registry, reference.repository], label).toEqual([registry, repository]);
    }
  });

  it('passes distribution TestParseNamed with the canonical option', () => {
    const cases: [label: string, input: string, expected: [string, string] | string][] = [
      ['0', 'test.com/foo', ['test.com', 'foo']],
      ['1', 'test:8080/foo', ['test:8080', 'foo']],
      ['2', 'test_com/foo', 'ErrNameNotCanonical'],
      ['3', 'test.com', 'ErrNameNotCanonical'],
      ['4', 'foo', 'ErrNameNotCanonical'],
      ['5', 'library/foo', 'ErrNameNotCanonical'],
      ['6', 'docker.io/library/foo', ['docker.io', 'library/foo']],
      [
        '7 Ambiguous case, parser will add "library/" to foo',
        'docker.io/foo',
        'ErrNameNotCanonical',
      ],
    ];
    for (const [label, input, expected] of cases) {
      if (typeof expected === 'string') {
        expectSentinel(
          failure(() => parseNormalized(input, { canonical: true }), label),
          expected,
          label,
        );
        continue;
      }
      const reference = parseNormalized(input, { canonical: true });
      expect([reference.registry, reference.repository], label).toEqual(expected);
    }
  });

  it('passes distribution TestInvalidReferenceComponents', () => {
    const cases: [label: string, action: () => unknown][] = [
      ['0 name', () => parseNormalized('-foo')],
      ['1 tag', () => parseNormalized('busybox').withTag('-foo')],
      ['2 digest', () => parseNormalized('busybox').withDigest('foo')],
    ];
    for (const [label, action] of cases) failure(action, label);
  });

  it('keeps other registries and tags as given, and quotes the input in errors', () => {
    expect(parseNormalized('ubuntu').tag).toBeUndefined();
    expect(parseNormalized('registry-1.docker.io/library/ubuntu').registry).toBe(
      'registry-1.docker.io',
    );
    expect(parseNormalized('localhost:5000').toString()).toBe('docker.io/library/localhost:5000');
    const cases: [label: string, input: string, mentions: RegExp][] = [
      ['image ID', 'f'.repeat(64), /image ID/],
      ['upper case in a Hub name', 'Ubuntu', /"library\/Ubuntu" must be lowercase/],
      ['bad tag keeps the input', 'ubuntu:-x', /^Cannot parse reference "ubuntu:-x"/],
      ['empty', '', /^Cannot parse reference ""/],
      [
        'a URL',
        'http://127.0.0.1:5000/demo/app',
        /drop the scheme "http:\/\/": "127\.0\.0\.1:5000\/demo\/app"/,
      ],
    ];
    for (const [label, input, mentions] of cases) {
      expect(failure(() => parseNormalized(input), label).message, label).toMatch(mentions);
    }
  });
});

describe('parseAnyReference', () => {
  it('passes distribution TestParseAnyReference', () => {
    // `digest` marks the cases Go expects as a bare digest reference; the
    // others must equal parse() of the expected string.
    const cases: [label: string, input: string, expected: string, kind: 'digest' | 'named'][] = [
      ['0', 'redis', 'docker.io/library/redis', 'named'],
      ['1', 'redis:latest', 'docker.io/library/redis:latest', 'named'],
      ['2', 'docker.io/library/redis:latest', 'docker.io/library/redis:latest', 'named'],
      [
        '3',
        'redis@sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c',
        'docker.io/library/redis@sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c',
        'named',
      ],
      [
        '4',
        'docker.io/library/redis@sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c',
        'docker.io/library/redis@sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c',
        'named',
      ],
      ['5', 'dmcgowan/myapp', 'docker.io/dmcgowan/myapp', 'named'],
      ['6', 'dmcgowan/myapp:latest', 'docker.io/dmcgowan/myapp:latest', 'named'],
      ['7', 'docker.io/mcgowan/myapp:latest', 'docker.io/mcgowan/myapp:latest', 'named'],
      [
        '8',
        'dmcgowan/myapp@sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c',
        'docker.io/dmcgowan/myapp@sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c',
        'named',
      ],
      [
        '9',
        'docker.io/dmcgowan/myapp@sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c',
        'docker.io/dmcgowan/myapp@sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c',
        'named',
      ],
      [
        '10',
        'dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c',
        'sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c',
        'digest',
      ],
      [
        '11',
        'sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c',
        'sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c',
        'digest',
      ],
      [
        '12',
        'dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9',
        'docker.io/library/dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9',
        'named',
      ],
      ['13', 'dbcc1', 'docker.io/library/dbcc1', 'named'],
    ];
    for (const [label, input, expected, kind] of cases) {
      const reference = parseAnyReference(input);
      expect(reference.toString(), label).toBe(expected);
      expect('name' in reference ? 'named' : 'digest', label).toBe(kind);
      if ('name' in reference) expect(reference, label).toEqual(parse(expected));
      else expect(reference.digest, label).toBe(expected);
    }
  });

  it('treats sha512 as a digest and unknown algorithms as names', () => {
    const sha512 = `sha512:${'a'.repeat(128)}`;
    expect('name' in parseAnyReference(sha512)).toBe(false);
    expect(JSON.stringify(parseAnyReference(sha512))).toBe(`"${sha512}"`);
    expect(parseAnyReference(`md5:${'a'.repeat(32)}`).toString()).toBe(
      `docker.io/library/md5:${'a'.repeat(32)}`,
    );
    failure(() => parseAnyReference('F'.repeat(64)), 'upper-case image ID');
  });
});

describe('parseDockerRef', () => {
  it('passes distribution TestParseDockerRef', () => {
    const cases: [label: string, input: string, expected: string][] = [
      ['0 nothing', 'busybox', 'docker.io/library/busybox:latest'],
      ['1 tag only', 'busybox:latest', 'docker.io/library/busybox:latest'],
      [
        '2 digest only',
        'busybox@sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582',
        'docker.io/library/busybox@sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582',
      ],
      ['3 path only', 'library/busybox', 'docker.io/library/busybox:latest'],
      ['4 hostname only', 'docker.io/busybox', 'docker.io/library/busybox:latest'],
      ['5 no tag', 'docker.io/library/busybox', 'docker.io/library/busybox:latest'],
      ['6 no path', 'docker.io/busybox:latest', 'docker.io/library/busybox:latest'],
      ['7 no hostname', 'library/busybox:latest', 'docker.io/library/busybox:latest'],
      [
        '8 full reference with tag',
        'docker.io/library/busybox:latest',
        'docker.io/library/busybox:latest',
      ],
      ['9 gcr reference without tag', 'gcr.io/library/busybox', 'gcr.io/library/busybox:latest'],
      [
        '10 both tag and digest',
        'gcr.io/library/busybox:latest@sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582',
        'gcr.io/library/busybox@sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582',
      ],
    ];
    for (const [label, input, expected] of cases) {
      const reference = parseDockerRef(input);
      expect(reference.toString(), label).toBe(expected);
      expect(parse(reference.toString()).toString(), label).toBe(expected);
    }
  });
});
