import { describe, expect, it } from 'vitest';
import {
  ANCHORED_DIGEST_RE,
  ANCHORED_DOMAIN_RE,
  ANCHORED_IDENTIFIER_RE,
  ANCHORED_NAME_RE,
  ANCHORED_TAG_RE,
  REFERENCE_RE,
} from './regexp.ts';

// Ported from distribution/reference regexp_test.go (and the patterns of
// regexp.go), commit 0965666a6ade2e06035fe352e38344be1e68951a, Apache-2.0.
// Expected groups are Go's FindStringSubmatch; "" stands for a group that did
// not participate (JavaScript reports undefined).

/** `false`: no match; `true`: a match whose groups Go does not assert; else the groups. */
type Expected = boolean | string[];

function check(pattern: RegExp, cases: [label: string, input: string, expected: Expected][]) {
  for (const [label, input, expected] of cases) {
    const match = pattern.exec(input);
    expect(match !== null, label).toBe(expected !== false);
    if (match === null || typeof expected === 'boolean') continue;
    expect(match[0], label).toBe(input);
    expect(
      match.slice(1).map((group) => group ?? ''),
      label,
    ).toEqual(expected);
  }
}

describe('reference grammar', () => {
  it('composes the same patterns as distribution', () => {
    // regexp.go's patterns as Go composes them, with RE2's [[:xdigit:]] written [0-9A-Fa-f].
    const go: [label: string, ours: RegExp, source: string][] = [
      [
        'TestDomainRegexp',
        ANCHORED_DOMAIN_RE,
        '^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\\[(?:[a-fA-F0-9:]+)\\])(?::[0-9]+)?$',
      ],
      [
        'TestFullNameRegexp',
        ANCHORED_NAME_RE,
        '^(?:((?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\\[(?:[a-fA-F0-9:]+)\\])(?::[0-9]+)?)/)?([a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*)*)$',
      ],
      [
        'TestReferenceRegexp',
        REFERENCE_RE,
        '^((?:(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\\[(?:[a-fA-F0-9:]+)\\])(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*)*)(?::([\\w][\\w.-]{0,127}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}))?$',
      ],
      ['TestIdentifierRegexp', ANCHORED_IDENTIFIER_RE, '^([a-f0-9]{64})$'],
    ];
    for (const [label, ours, source] of go) {
      expect(ours.source, label).toBe(new RegExp(source).source);
    }
  });

  it('passes TestDomainRegexp', () => {
    check(ANCHORED_DOMAIN_RE, [
      ['0', 'test.com', true],
      ['1', 'test.com:10304', true],
      ['2', 'test.com:http', false],
      ['3', 'localhost', true],
      ['4', 'localhost:8080', true],
      ['5', 'a', true],
      ['6', 'a.b', true],
      ['7', 'ab.cd.com', true],
      ['8', 'a-b.com', true],
      ['9', '-ab.com', false],
      ['10', 'ab-.com', false],
      ['11', 'ab.c-om', true],
      ['12', 'ab.-com', false],
      ['13', 'ab.com-', false],
      ['14 TODO(dmcgowan): valid if this should be allowed', '0101.com', true],
      ['15', '001a.com', true],
      ['16', 'b.gbc.io:443', true],
      ['17', 'b.gbc.io', true],
      ['18 ☃.com in punycode', 'xn--n3h.com', true],
      ['19 uppercase character', 'Asdf.com', true],
      ['20 ipv4', '192.168.1.1:75050', true],
      ['21 port with more than 5 digits, it will fail on validation', '192.168.1.1:750050', true],
      ['22 ipv6 compressed', '[fd00:1:2::3]:75050', true],
      ['23 ipv6 wrong port separator', '[fd00:1:2::3]75050', false],
      ['24 ipv6 wrong port separator', '[fd00:1:2::3]::75050', false],
      ['25 ipv6 with zone', '[fd00:1:2::3%eth0]:75050', false],
      ['26 ipv6 wrong format, will fail in validation', '[fd00123123123]:75050', true],
      ['27 ipv6 long format', '[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:75050', true],
      [
        '28 ipv6 long format and invalid port, it will fail in validation',
        '[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:750505',
        true,
      ],
      ['29 bad ipv6 without square brackets', 'fd00:1:2::3:75050', false],
    ]);
  });

  it('passes TestFullNameRegexp', () => {
    check(ANCHORED_NAME_RE, [
      ['0', '', false],
      ['1', 'short', ['', 'short']],
      ['2', 'simple/name', ['simple', 'name']],
      ['3', 'library/ubuntu', ['library', 'ubuntu']],
      ['4', 'docker/stevvooe/app', ['docker', 'stevvooe/app']],
      [
        '5',
        'aa/aa/aa/aa/aa/aa/aa/aa/aa/bb/bb/bb/bb/bb/bb',
        ['aa', 'aa/aa/aa/aa/aa/aa/aa/aa/bb/bb/bb/bb/bb/bb'],
      ],
      ['6', 'aa/aa/bb/bb/bb', ['aa', 'aa/bb/bb/bb']],
      ['7', 'a/a/a/a', ['a', 'a/a/a']],
      ['8', 'a/a/a/a/', false],
      ['9', 'a//a/a', false],
      ['10', 'a', ['', 'a']],
      ['11', 'a/aa', ['a', 'aa']],
      ['12', 'a/aa/a', ['a', 'aa/a']],
      ['13', 'foo.com', ['', 'foo.com']],
      ['14', 'foo.com/', false],
      ['15', 'foo.com:8080/bar', ['foo.com:8080', 'bar']],
      ['16', 'foo.com:http/bar', false],
      ['17', 'foo.com/bar', ['foo.com', 'bar']],
      ['18', 'foo.com/bar/baz', ['foo.com', 'bar/baz']],
      ['19', 'localhost:8080/bar', ['localhost:8080', 'bar']],
      ['20', 'sub-dom1.foo.com/bar/baz/quux', ['sub-dom1.foo.com', 'bar/baz/quux']],
      ['21', 'blog.foo.com/bar/baz', ['blog.foo.com', 'bar/baz']],
      ['22', 'a^a', false],
      ['23', 'aa/asdf$$^/aa', false],
      ['24', 'asdf$$^/aa', false],
      ['25', 'aa-a/a', ['aa-a', 'a']],
      ['26', `${'a/'.repeat(128)}a`, ['a', `${'a/'.repeat(127)}a`]],
      ['27', 'a-/a/a/a', false],
      ['28', 'foo.com/a-/a/a', false],
      ['29', '-foo/bar', false],
      ['30', 'foo/bar-', false],
      ['31', 'foo-/bar', false],
      ['32', 'foo/-bar', false],
      ['33', '_foo/bar', false],
      ['34', 'foo_bar', ['', 'foo_bar']],
      ['35', 'foo_bar.com', ['', 'foo_bar.com']],
      ['36', 'foo_bar.com:8080', false],
      ['37', 'foo_bar.com:8080/app', false],
      ['38', 'foo.com/foo_bar', ['foo.com', 'foo_bar']],
      ['39', '____/____', false],
      ['40', '_docker/_docker', false],
      ['41', 'docker_/docker_', false],
      ['42', 'b.gcr.io/test.example.com/my-app', ['b.gcr.io', 'test.example.com/my-app']],
      ['43 ☃.com in punycode', 'xn--n3h.com/myimage', ['xn--n3h.com', 'myimage']],
      ['44 🐳.com in punycode', 'xn--7o8h.com/myimage', ['xn--7o8h.com', 'myimage']],
      [
        '45 🐳.com in punycode',
        'example.com/xn--7o8h.com/myimage',
        ['example.com', 'xn--7o8h.com/myimage'],
      ],
      [
        '46',
        'example.com/some_separator__underscore/myimage',
        ['example.com', 'some_separator__underscore/myimage'],
      ],
      ['47', 'example.com/__underscore/myimage', false],
      ['48', 'example.com/..dots/myimage', false],
      ['49', 'example.com/.dots/myimage', false],
      ['50', 'example.com/nodouble..dots/myimage', false],
      ['51', 'example.com/nodouble..dots/myimage', false],
      ['52', 'docker./docker', false],
      ['53', '.docker/docker', false],
      ['54', 'docker-/docker', false],
      ['55', '-docker/docker', false],
      ['56', 'do..cker/docker', false],
      ['57', 'do__cker:8080/docker', false],
      ['58', 'do__cker/docker', ['', 'do__cker/docker']],
      ['59', 'b.gcr.io/test.example.com/my-app', ['b.gcr.io', 'test.example.com/my-app']],
      [
        '60',
        'registry.io/foo/project--id.module--name.ver---sion--name',
        ['registry.io', 'foo/project--id.module--name.ver---sion--name'],
      ],
      ['61 uppercase character in hostname', 'Asdf.com/foo/bar', true],
      ['62 uppercase characters in remote name', 'Foo/FarB', false],
    ]);
  });

  it('passes TestReferenceRegexp', () => {
    check(REFERENCE_RE, [
      ['0', 'registry.com:8080/myapp:tag', ['registry.com:8080/myapp', 'tag', '']],
      [
        '1',
        'registry.com:8080/myapp@sha256:be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912',
        [
          'registry.com:8080/myapp',
          '',
          'sha256:be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912',
        ],
      ],
      [
        '2',
        'registry.com:8080/myapp:tag2@sha256:be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912',
        [
          'registry.com:8080/myapp',
          'tag2',
          'sha256:be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912',
        ],
      ],
      ['3', 'registry.com:8080/myapp@sha256:badbadbadbad', false],
      ['4', 'registry.com:8080/myapp:invalid~tag', false],
      ['5', 'bad_hostname.com:8080/myapp:tag', false],
      [
        '6 localhost treated as name, missing tag with 8080 as tag',
        'localhost:8080@sha256:be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912',
        [
          'localhost',
          '8080',
          'sha256:be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912',
        ],
      ],
      [
        '7',
        'localhost:8080/name@sha256:be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912',
        [
          'localhost:8080/name',
          '',
          'sha256:be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912',
        ],
      ],
      [
        '8',
        'localhost:http/name@sha256:be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912',
        false,
      ],
      [
        '9 localhost will be treated as an image name without a host',
        'localhost@sha256:be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912',
        [
          'localhost',
          '',
          'sha256:be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912',
        ],
      ],
      ['10', 'registry.com:8080/myapp@bad', false],
      ['11 TODO(dmcgowan): Support this as valid', 'registry.com:8080/myapp@2bad', false],
    ]);
  });

  it('passes TestIdentifierRegexp', () => {
    check(ANCHORED_IDENTIFIER_RE, [
      ['0', 'da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf9821', true],
      ['1', '7EC43B381E5AEFE6E04EFB0B3F0693FF2A4A50652D64AEC573905F2DB5889A1C', false],
      ['2', 'da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf', false],
      ['3', 'sha256:da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf9821', false],
      ['4', 'da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf98218482', false],
    ]);
  });

  it('anchors the tag and digest patterns', () => {
    const cases: [label: string, pattern: RegExp, input: string, match: boolean][] = [
      ['tag: one word character', ANCHORED_TAG_RE, '_', true],
      ['tag: 128 characters', ANCHORED_TAG_RE, `v${'x'.repeat(127)}`, true],
      ['tag: 129 characters', ANCHORED_TAG_RE, `v${'x'.repeat(128)}`, false],
      ['tag: leading dot', ANCHORED_TAG_RE, '.v1', false],
      ['tag: leading dash', ANCHORED_TAG_RE, '-v1', false],
      ['tag: upper case and separators', ANCHORED_TAG_RE, 'V1.0_rc-2', true],
      ['tag: unicode word', ANCHORED_TAG_RE, 'é', false],
      ['tag: trailing newline', ANCHORED_TAG_RE, 'v1\n', false],
      ['digest: 32 hex digits', ANCHORED_DIGEST_RE, `sha256:${'a'.repeat(32)}`, true],
      ['digest: 31 hex digits', ANCHORED_DIGEST_RE, `sha256:${'a'.repeat(31)}`, false],
      ['digest: upper-case hex', ANCHORED_DIGEST_RE, `sha256:${'A'.repeat(64)}`, true],
      ['digest: algorithm parts', ANCHORED_DIGEST_RE, `sha256+b64.x:${'0'.repeat(32)}`, true],
      [
        'digest: algorithm starts with a digit',
        ANCHORED_DIGEST_RE,
        `2sha:${'0'.repeat(32)}`,
        false,
      ],
      ['digest: no algorithm', ANCHORED_DIGEST_RE, `:${'0'.repeat(32)}`, false],
    ];
    for (const [label, pattern, input, match] of cases) {
      expect(pattern.test(input), label).toBe(match);
    }
  });

  it('stays linear on long hostile input', () => {
    // Backtracking blow-ups would time the test out; each is one rejected string.
    const hostile = [
      `${'a'.repeat(100_000)}!`,
      `${'a-'.repeat(50_000)}!`,
      `${'a.'.repeat(50_000)}a!`,
      `${'a/'.repeat(50_000)}!`,
      `${'a__'.repeat(30_000)}!`,
      `a:${'b'.repeat(100_000)}`,
      `a@sha256:${'f'.repeat(100_000)}!`,
      `[${':'.repeat(100_000)}!`,
    ];
    for (const input of hostile) {
      expect(REFERENCE_RE.test(input), input.slice(0, 12)).toBe(false);
      expect(ANCHORED_NAME_RE.test(input), input.slice(0, 12)).toBe(false);
    }
  });
});
