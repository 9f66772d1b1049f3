import { isOciError } from '@ocikit/digest';
import { describe, expect, it } from 'vitest';
import { failure } from '../testdata/failure.ts';
import {
  formatLocation,
  type Location,
  locationKind,
  parseLocation,
  sameRegistry,
  sameRepository,
} from './location.ts';
import type { Reference } from './reference.ts';

// Tables marked "regclient" are ported from regclient/regclient
// types/ref/ref_test.go, commit 725072f65f14ab63d6b220246c3a889dcd5e2f5f,
// Apache-2.0. Labels are the Go table indexes and names. regclient's schemes
// map onto location kinds: reg → registry, ocidir → ocidir, ocifile →
// oci-archive.

const DIGEST = 'sha256:15f840677a5e245d9ea199eb9b026b1539208a5183621dced7b469f6aa678115';

/** regclient's Ref fields: kind, registry, repository, tag, digest, path; "" where empty. */
type Fields = [
  kind: string,
  registry: string,
  repository: string,
  tag: string,
  digest: string,
  path: string,
];

function fields(location: Location): Fields {
  if (location.kind === 'registry') {
    const { registry, repository, tag = '', digest = '' } = location.reference;
    return [location.kind, registry, repository, tag, digest, ''];
  }
  if (location.kind === 'docker-archive') {
    return [location.kind, '', '', location.reference?.toString() ?? '', '', location.path];
  }
  const { kind, path, tag = '', digest = '' } = location;
  return [kind, '', '', tag, digest, path];
}

describe('parseLocation', () => {
  it('passes regclient TestNew', () => {
    // regclient compares all six fields; `null` expects an error
    // (errs.ErrInvalidReference). Registry locations get regclient's default
    // tag, latest. Cases 9, 10 and 44 differ on purpose, see below.
    const cases: [label: string, input: string, expected: Fields | null][] = [
      ['0 Docker library', 'alpine', ['registry', 'docker.io', 'library/alpine', 'latest', '', '']],
      [
        '1 Docker add library',
        'docker.io/alpine',
        ['registry', 'docker.io', 'library/alpine', 'latest', '', ''],
      ],
      [
        '2 Docker project',
        'regclient/regctl:edge',
        ['registry', 'docker.io', 'regclient/regctl', 'edge', '', ''],
      ],
      [
        '3 Docker legacy',
        'index.docker.io/library/alpine',
        ['registry', 'docker.io', 'library/alpine', 'latest', '', ''],
      ],
      [
        '4 Docker DNS',
        'registry-1.docker.io/library/alpine',
        ['registry', 'docker.io', 'library/alpine', 'latest', '', ''],
      ],
      [
        '5 Private registry',
        'example.com/group/image:v42',
        ['registry', 'example.com', 'group/image', 'v42', '', ''],
      ],
      [
        '6 Uppercase registry',
        'EXAMPLE/group-image:V42',
        ['registry', 'EXAMPLE', 'group-image', 'V42', '', ''],
      ],
      [
        '7 Uppercase registry before dash',
        'Example-1/image:1.0-BETA',
        ['registry', 'Example-1', 'image', '1.0-BETA', '', ''],
      ],
      [
        '8 Uppercase registry after dash',
        'example-A/group/image:v42',
        ['registry', 'example-A', 'group/image', 'v42', '', ''],
      ],
      [
        '11 explicit fqdn with port',
        'example.com:5000/g/roup/image:a',
        ['registry', 'example.com:5000', 'g/roup/image', 'a', '', ''],
      ],
      [
        '12 single character names',
        'e.xample.co/g/roup/image:a',
        ['registry', 'e.xample.co', 'g/roup/image', 'a', '', ''],
      ],
      [
        '13 separators in repo',
        'e.xample.co/g-r.o__u_p/im----age:a',
        ['registry', 'e.xample.co', 'g-r.o__u_p/im----age', 'a', '', ''],
      ],
      [
        '14 separators in tag',
        'e.xample.co/g/roup/image:__a--b..5__',
        ['registry', 'e.xample.co', 'g/roup/image', '__a--b..5__', '', ''],
      ],
      [
        '15 Localhost registry',
        'localhost/group/image:v42',
        ['registry', 'localhost', 'group/image', 'v42', '', ''],
      ],
      [
        '16 Localhost registry with port',
        'localhost:5000/group/image:v42',
        ['registry', 'localhost:5000', 'group/image', 'v42', '', ''],
      ],
      [
        '17 ip address registry',
        '127.0.0.1:5000/image:v42',
        ['registry', '127.0.0.1:5000', 'image', 'v42', '', ''],
      ],
      [
        '18 ipv6 localhost address registry',
        '[::1]:5000/image:v42',
        ['registry', '[::1]:5000', 'image', 'v42', '', ''],
      ],
      [
        '19 ipv6 address registry',
        '[fddd:1222:1222:1222::ac29:5a6a]:5000/image:v42',
        ['registry', '[fddd:1222:1222:1222::ac29:5a6a]:5000', 'image', 'v42', '', ''],
      ],
      [
        '20 ipv6 address registry without port',
        '[fddd:1222:1222:1222::ac29:5a6a]/image:v42',
        ['registry', '[fddd:1222:1222:1222::ac29:5a6a]', 'image', 'v42', '', ''],
      ],
      [
        '21 Port registry digest',
        `registry:5000/group/image@${DIGEST}`,
        ['registry', 'registry:5000', 'group/image', '', DIGEST, ''],
      ],
      [
        '22 OCI file',
        'ocifile://path/to/file.tgz',
        ['oci-archive', '', '', '', '', 'path/to/file.tgz'],
      ],
      [
        '23 OCI file with tag',
        'ocifile://path/to/file.tgz:v1.2.3',
        ['oci-archive', '', '', 'v1.2.3', '', 'path/to/file.tgz'],
      ],
      [
        '24 OCI file with digest',
        `ocifile://path/to/file.tgz@${DIGEST}`,
        ['oci-archive', '', '', '', DIGEST, 'path/to/file.tgz'],
      ],
      [
        '25 OCI file with invalid digest',
        'ocifile://path/to/file.tgz@sha256:ZZ15f840677a5e245d9ea199eb9b026b1539208a5183621dced7b469f6aa678115ZZ',
        null,
      ],
      ['26 OCI dir', 'ocidir://path/to/dir', ['ocidir', '', '', '', '', 'path/to/dir']],
      [
        '27 OCI dir with tag',
        'ocidir://path/to/DIR:v1.2.3',
        ['ocidir', '', '', 'v1.2.3', '', 'path/to/DIR'],
      ],
      [
        '28 OCI dir with digest',
        `ocidir://path/2/dir@${DIGEST}`,
        ['ocidir', '', '', '', DIGEST, 'path/2/dir'],
      ],
      [
        '29 OCI dir with tilde',
        'ocidir://path/2/~dir~/+rules_oci+/examples:latest',
        ['ocidir', '', '', 'latest', '', 'path/2/~dir~/+rules_oci+/examples'],
      ],
      ['30 invalid scheme', 'unknown://repo:tag', null],
      ['31 invalid host leading dash', '-docker.io/project/image:tag', null],
      ['32 invalid host trailing dash', 'docker-.io/project/image:tag', null],
      ['33 invalid ipv6 compression', '[1::2::3]/project/image:tag', null],
      ['34 invalid ipv6 missing brackets', '::1/project/image:tag', null],
      ['35 invalid repo case', 'docker.io/Upper/Case/Repo:tag', null],
      ['36 invalid repo dash leading', 'project/-image:tag', null],
      ['37 invalid repo dash trailing', 'project/image-:tag', null],
      ['38 invalid repo triple underscore', 'project/image___x:tag', null],
      ['39 invalid repo chars', 'project/star*:tag', null],
      ['40 invalid tag chars', 'project/image:tag^1', null],
      ['41 invalid tag length', `project/image:${'x'.repeat(129)}`, null],
      ['42 invalid short digest', 'project/image@sha256:12345', null],
      [
        '43 invalid digest characters',
        'project/image@sha256:gggg40677a5e245d9ea199eb9b026b1539208a5183621dced7b469f6aa678115',
        null,
      ],
      ['45 invalid ocidir tag', 'ocidir://filename:tag=fail', null],
      ['46 invalid ocidir digest', 'ocidir://filename@sha256:abcd', null],
      ['47 localhost missing repo', 'localhost:5000', null],
    ];
    for (const [label, input, expected] of cases) {
      if (expected === null) failure(() => parseLocation(input), label);
      else expect(fields(parseLocation(input)), label).toEqual(expected);
    }
  });

  it('differs from regclient TestNew where ocikit follows distribution or accepts more paths', () => {
    // 9, 10: regclient accepts a trailing-dot host ("example.", an explicit
    // short name); the distribution grammar has no trailing dot, and ocikit
    // parses registry references by it, as docker and containerd do.
    failure(() => parseLocation('example./g/roup/image:a'), '9 explicit short name');
    failure(
      () => parseLocation('example.:5000/g/roup/image:a'),
      '10 explicit short name with port',
    );
    // 44: regclient allows only [A-Za-z0-9_.~+ /-] in ocidir paths; ocikit
    // accepts any path without ":" (the tag separator), "@" (the digest
    // separator) or control characters, so non-ASCII and other legal file
    // names work.
    expect(fields(parseLocation('ocidir://invalid*filename:tag'))).toEqual([
      'ocidir',
      '',
      '',
      'tag',
      '',
      'invalid*filename',
    ]);
  });

  it('reads skopeo oci: and oci-archive: locations', () => {
    // The first three rows of each table are containers/image
    // oci/internal/oci_util_test.go TestSplitReferenceIntoDirAndImage{NonWindows,Windows},
    // commit df7e80d2, Apache-2.0: the path ends at the first ":" (after a
    // Windows drive), the rest is the image's ref name.
    const cases: [label: string, input: string, path: string, tag: string | undefined][] = [
      ['skopeo 0', 'oci:/foo/bar:busybox:latest', '/foo/bar', 'busybox:latest'],
      ['skopeo 1', 'oci:/foo/bar:busybox', '/foo/bar', 'busybox'],
      ['skopeo 2', 'oci:/foo/bar', '/foo/bar', undefined],
      ['skopeo windows 0', 'oci:C:\\foo\\bar:busybox:latest', 'C:\\foo\\bar', 'busybox:latest'],
      ['skopeo windows 1', 'oci:C:\\foo\\bar:busybox', 'C:\\foo\\bar', 'busybox'],
      ['skopeo windows 2', 'oci:C:\\foo\\bar', 'C:\\foo\\bar', undefined],
      ['relative path', 'oci:out', 'out', undefined],
      [
        'full reference as ref name',
        'oci:out:example.com/team/app:v1',
        'out',
        'example.com/team/app:v1',
      ],
      ['ref name with @', 'oci:out:app@v2', 'out', 'app@v2'],
      ['@ in the path', 'oci:my@dir:v1', 'my@dir', 'v1'],
      ['forward-slash drive', 'oci:D:/layouts/x:v1', 'D:/layouts/x', 'v1'],
      ['upper-case ref name', 'oci:out:V1', 'out', 'V1'],
    ];
    for (const [label, input, path, tag] of cases) {
      expect(parseLocation(input), label).toEqual({
        kind: 'ocidir',
        path,
        ...(tag ? { tag } : {}),
      });
      const archive = parseLocation(input.replace(/^oci:/, 'oci-archive:'));
      expect(archive, label).toEqual({ kind: 'oci-archive', path, ...(tag ? { tag } : {}) });
    }
  });

  it('reads ocidir:// and ocifile:// locations', () => {
    const cases: [label: string, input: string, expected: Location][] = [
      [
        'absolute path',
        'ocidir:///tmp/image:tag',
        { kind: 'ocidir', path: '/tmp/image', tag: 'tag' },
      ],
      [
        'tag and digest',
        `ocidir://out:v1@${DIGEST}`,
        { kind: 'ocidir', path: 'out', tag: 'v1', digest: DIGEST },
      ],
      ['space', 'ocidir://my layouts/x:v1', { kind: 'ocidir', path: 'my layouts/x', tag: 'v1' }],
      ['unicode', 'ocidir://Zürich/図', { kind: 'ocidir', path: 'Zürich/図' }],
      ['dot', 'ocidir://.', { kind: 'ocidir', path: '.' }],
      ['windows drive', 'ocidir://C:\\out:v1', { kind: 'ocidir', path: 'C:\\out', tag: 'v1' }],
      [
        'windows drive, slash',
        'ocifile://C:/out/x.tar',
        { kind: 'oci-archive', path: 'C:/out/x.tar' },
      ],
      [
        'sha512 digest',
        `ocifile://x.tar@sha512:${'e'.repeat(128)}`,
        { kind: 'oci-archive', path: 'x.tar', digest: `sha512:${'e'.repeat(128)}` },
      ],
    ];
    for (const [label, input, expected] of cases) {
      const location = parseLocation(input);
      expect(location, label).toEqual(expected);
      expect(Object.isFrozen(location), label).toBe(true);
    }
  });

  it('reads registry references like regclient, with docker:// accepted', () => {
    const cases: [label: string, input: string, expected: string][] = [
      ['docker://', 'docker://alpine', 'docker.io/library/alpine:latest'],
      ['docker:// with digest', `docker://ghcr.io/x/y@${DIGEST}`, `ghcr.io/x/y@${DIGEST}`],
      ['tag and digest kept', `alpine:3@${DIGEST}`, `docker.io/library/alpine:3@${DIGEST}`],
      ['Hub API host', 'registry-1.docker.io/alpine', 'docker.io/library/alpine:latest'],
      ['legacy Hub host', 'index.docker.io/user/app:v1', 'docker.io/user/app:v1'],
      ['localhost', 'localhost/app', 'localhost/app:latest'],
      ['oci as a Hub image, spelled out', 'docker://oci:1', 'docker.io/library/oci:1'],
      ['port 65535', 'example.com:65535/app', 'example.com:65535/app:latest'],
    ];
    for (const [label, input, expected] of cases) {
      const location = parseLocation(input);
      expect(location.kind, label).toBe('registry');
      if (location.kind === 'registry') expect(location.reference.toString(), label).toBe(expected);
    }
  });

  it('adds the default tag only to registry references, and only when asked', () => {
    const named = (input: string, defaultTag?: string | false) => {
      const location = parseLocation(input, { defaultTag });
      return location.kind === 'registry'
        ? location.reference.toString()
        : formatLocation(location);
    };
    expect(named('alpine')).toBe('docker.io/library/alpine:latest');
    expect(named('alpine', 'edge')).toBe('docker.io/library/alpine:edge');
    expect(named('alpine', false)).toBe('docker.io/library/alpine');
    expect(named('alpine:3', 'edge')).toBe('docker.io/library/alpine:3');
    expect(named('ocidir://out', 'edge')).toBe('ocidir://out');
    for (const defaultTag of ['', '-x', 'a b']) {
      let error: unknown;
      try {
        parseLocation('alpine', { defaultTag });
      } catch (caught) {
        error = caught;
      }
      expect(isOciError(error, 'OPTION_INVALID'), defaultTag).toBe(true);
    }
  });

  it('rejects malformed locations with a message that quotes them', () => {
    const cases: [label: string, input: string, mentions: RegExp][] = [
      ['empty', '', /empty/],
      ['only a colon', ':', /missing/],
      ['only an at sign', '@', /digest/],
      ['ocidir:// without path', 'ocidir://', /path is empty/],
      ['ocidir:// with only a tag', 'ocidir://:v1', /path is empty/],
      ['ocidir:// with an empty tag', 'ocidir://out:', /tag after ":" is empty/],
      ['ocidir:// with an empty digest', 'ocidir://out@', /digest/],
      ['ocidir:// with a short digest', 'ocidir://out@sha256:abc', /digest/],
      [
        'ocidir:// with an unknown algorithm',
        `ocidir://out@md5:${'a'.repeat(32)}`,
        /not supported/,
      ],
      ['ocidir:// with two tags', 'ocidir://out:a:b', /tag/],
      ['ocidir:// with a control character', 'ocidir://out\u0007:v1', /control character/],
      ['oci: without path', 'oci:', /path is empty/],
      ['oci: with only a tag', 'oci::v1', /path is empty/],
      ['oci: with an empty tag', 'oci:out:', /tag after ":" is empty/],
      ['oci: with a bad ref name', 'oci:out:-v1', /ref name/],
      ['oci: with an index', 'oci:out:@0', /index/],
      ['oci-archive: with a newline', 'oci-archive:a\nb.tar', /control character/],
      ['docker:// without reference', 'docker://', /empty/],
      ['unknown scheme', 'unknown://repo:tag', /unsupported scheme "unknown:\/\/"/],
      ['https URL', 'https://ghcr.io/org/app', /unsupported scheme "https:\/\/"/],
      ['upper-case scheme', 'OCIDIR://out', /unsupported scheme/],
      ['skopeo dir:', 'dir:/tmp/x', /skopeo transport "dir:"/],
      ['docker-archive: with a digest', `docker-archive:img.tar:app@${DIGEST}`, /not digest/],
      ['docker-archive: with an index', 'docker-archive:img.tar:@0', /index/],
      ['docker-archive: without path', 'docker-archive:', /empty/],
      ['skopeo containers-storage:', 'containers-storage:alpine', /skopeo transport/],
      ['bare localhost', 'localhost', /localhost names a registry/],
      ['localhost with a digest', `localhost@${DIGEST}`, /localhost names a registry/],
      ['bad IPv6 literal', '[1::2::3]:5000/app', /not a valid IPv6 address/],
      ['port 0', 'example.com:0/app', /port 0 is outside 1-65535/],
      ['port too large', 'example.com:65536/app', /port 65536/],
      ['upper-case repository', 'docker://Example/App', /lowercase/],
      ['very long path', `ocidir://${'x'.repeat(10_000)}\u0000`, /…/],
    ];
    for (const [label, input, mentions] of cases) {
      const error = failure(() => parseLocation(input), label);
      expect(error.message, label).toMatch(mentions);
      expect(error.message.length, label).toBeLessThan(600);
    }
  });
});

describe('parseLocation of docker-archive:', () => {
  it("reads skopeo's docker-archive:FILE[:REF], the name normalized and tagged", () => {
    const cases: [label: string, input: string, path: string, reference: string | undefined][] = [
      ['file only', 'docker-archive:img.tar', 'img.tar', undefined],
      [
        'familiar name',
        'docker-archive:img.tar:alpine',
        'img.tar',
        'docker.io/library/alpine:latest',
      ],
      ['tag', 'docker-archive:/tmp/i.tar:app:v1', '/tmp/i.tar', 'docker.io/library/app:v1'],
      [
        'registry with port',
        'docker-archive:i.tar:localhost:5000/app:v2',
        'i.tar',
        'localhost:5000/app:v2',
      ],
      ['Windows drive', 'docker-archive:C:\\i.tar:app:v1', 'C:\\i.tar', 'docker.io/library/app:v1'],
    ];
    for (const [label, input, path, reference] of cases) {
      const location = parseLocation(input);
      expect(location.kind, label).toBe('docker-archive');
      if (location.kind !== 'docker-archive') continue;
      expect(location.path, label).toBe(path);
      expect(location.reference?.toString(), label).toBe(reference);
      expect(parseLocation(formatLocation(location)), label).toEqual(location);
    }
  });
});

describe('locationKind', () => {
  it('tells the kind from the prefix', () => {
    const cases: [label: string, input: string, kind: Location['kind']][] = [
      ['ocidir://', 'ocidir://x', 'ocidir'],
      ['oci:', 'oci:x', 'ocidir'],
      ['ocifile://', 'ocifile://x.tar', 'oci-archive'],
      ['oci-archive:', 'oci-archive:x.tar', 'oci-archive'],
      ['docker-archive:', 'docker-archive:x.tar', 'docker-archive'],
      ['docker://', 'docker://x', 'registry'],
      ['bare', 'ghcr.io/x/y:1', 'registry'],
      ['not validated', 'Not A Reference', 'registry'],
      ['empty', '', 'registry'],
    ];
    for (const [label, input, kind] of cases) expect(locationKind(input), label).toBe(kind);
    failure(() => locationKind('s3://bucket/x'), 'unknown scheme');
    failure(() => locationKind('docker-daemon:alpine:latest'), 'skopeo transport');
  });
});

describe('formatLocation', () => {
  it('passes regclient TestCommon', () => {
    const cases: [label: string, input: string][] = [
      ['0 ref with tag', 'docker.io/group/image:tag'],
      ['1 ref with digest', `docker.io/group/image@${DIGEST}`],
      ['2 ocidir with tag', 'ocidir:///tmp/image:tag'],
      ['3 ocidir with digest', `ocidir://image@${DIGEST}`],
    ];
    for (const [label, input] of cases)
      expect(formatLocation(parseLocation(input)), label).toBe(input);
  });

  it('writes layouts as ocidir:// or ocifile:// when it can, else in the skopeo form', () => {
    const cases: [label: string, location: Location, text: string][] = [
      ['path', { kind: 'ocidir', path: 'out' }, 'ocidir://out'],
      [
        'tag and digest',
        { kind: 'oci-archive', path: 'x.tar', tag: 'v1', digest: DIGEST },
        `ocifile://x.tar:v1@${DIGEST}`,
      ],
      [
        'ref name',
        { kind: 'ocidir', path: 'out', tag: 'example.com/app:v1' },
        'oci:out:example.com/app:v1',
      ],
      [
        '@ in the path',
        { kind: 'oci-archive', path: 'a@b.tar', tag: 'v1' },
        'oci-archive:a@b.tar:v1',
      ],
      ['windows drive', { kind: 'ocidir', path: 'C:\\out', tag: 'v1' }, 'ocidir://C:\\out:v1'],
    ];
    for (const [label, location, text] of cases) {
      expect(formatLocation(location), label).toBe(text);
      expect(parseLocation(text), label).toEqual(location);
    }
  });

  it('refuses locations no syntax can hold', () => {
    const cases: [label: string, location: Location][] = [
      ['colon in the path', { kind: 'ocidir', path: 'a:b' }],
      ['digest and @ in the path', { kind: 'ocidir', path: 'a@b', digest: DIGEST }],
      ['digest and a ref name', { kind: 'ocidir', path: 'out', tag: 'a/b', digest: DIGEST }],
      ['empty path', { kind: 'oci-archive', path: '' }],
      ['ref name that is not one', { kind: 'ocidir', path: 'out', tag: 'not a tag' }],
    ];
    for (const [label, location] of cases) failure(() => formatLocation(location), label);
  });
});

describe('sameRegistry and sameRepository', () => {
  it('pass regclient TestEqual', () => {
    // The Ref structs are written as location strings. TestEqual/6 compares
    // two refs of an unknown scheme, which a Location cannot have.
    const cases: [label: string, a: string, b: string, registry: boolean, repository: boolean][] = [
      ['0 ref eq reg/repo', 'host:5000/repo:a', 'host:5000/repo:b', true, true],
      ['1 ref eq reg', 'host:5000/repo-a:a', 'host:5000/repo-b:b', true, false],
      ['2 ref ne reg', 'host:5000/repo-a:a', 'host:5001/repo-b:b', false, false],
      ['3 ocidir eq file', 'ocidir://path/to/file:a', 'ocidir://path/to/file:b', true, true],
      ['4 ocidir ne file', 'ocidir://path/to/file-a:a', 'ocidir://path/to/file-b:b', false, false],
      ['5 ne scheme', 'host:5000/repo-a:a', 'ocidir://path/to/file-b:b', false, false],
    ];
    for (const [label, a, b, registry, repository] of cases) {
      const [left, right] = [parseLocation(a), parseLocation(b)];
      expect([sameRegistry(left, right), sameRepository(left, right)], label).toEqual([
        registry,
        repository,
      ]);
    }
  });

  it('tells layouts of different kinds apart', () => {
    const dir = parseLocation('ocidir://x');
    const tar = parseLocation('ocifile://x');
    const hub = parseLocation('docker.io/library/x');
    expect([sameRegistry(dir, tar), sameRepository(dir, tar)]).toEqual([false, false]);
    expect([sameRegistry(hub, dir), sameRegistry(dir, hub)]).toEqual([false, false]);
    expect(sameRepository(parseLocation('alpine:3'), parseLocation(`alpine@${DIGEST}`))).toBe(true);
  });
});

describe('regclient scenarios', () => {
  it('pass regclient TestIsSet where a Location can hold the Ref', () => {
    // regclient's IsSet: a registry ref needs a tag or digest, a layout only
    // its path; IsSetRepo holds for every Location (it always has a
    // repository or path). Not ported, because a Location cannot be
    // partially set: 0 zero, 1 no scheme, 2 unknown scheme, 3 registry
    // without repository, 5 ocidir without path (parseLocation rejects
    // "ocidir://", see above).
    const isSet = (location: Location) =>
      location.kind !== 'registry' ||
      location.reference.tag !== undefined ||
      location.reference.digest !== undefined;
    const cases: [label: string, input: string, set: boolean][] = [
      ['4 reg no tag', 'docker.io/library/alpine', false],
      ['6 ocidir no tag', 'ocidir://.', true],
      ['7 reg with digest', `docker.io/library/alpine@${DIGEST}`, true],
      ['8 reg with tag', 'docker.io/library/alpine:latest', true],
      ['9 ocidir', 'ocidir://.:latest', true],
    ];
    for (const [label, input, set] of cases) {
      expect(isSet(parseLocation(input, { defaultTag: false })), label).toBe(set);
    }
  });

  it('passes regclient TestSetAndAdd', () => {
    // regclient's SetDigest drops the tag, SetTag drops the digest, AddDigest
    // keeps the tag.
    const location = parseLocation('example.com/repo:v1');
    if (location.kind !== 'registry') return expect.unreachable();
    const steps: [
      label: string,
      call: (r: Reference) => Reference,
      tag: string | undefined,
      digest: string | undefined,
      text: string,
    ][] = [
      [
        'SetDigest',
        (r) => r.withoutTag().withDigest(DIGEST),
        undefined,
        DIGEST,
        `example.com/repo@${DIGEST}`,
      ],
      ['SetTag', (r) => r.withoutDigest().withTag('v2'), 'v2', undefined, 'example.com/repo:v2'],
      ['AddDigest', (r) => r.withDigest(DIGEST), 'v2', DIGEST, `example.com/repo:v2@${DIGEST}`],
    ];
    let reference = location.reference;
    for (const [label, call, tag, digest, text] of steps) {
      reference = call(reference);
      expect([reference.tag, reference.digest, reference.toString()], label).toEqual([
        tag,
        digest,
        text,
      ]);
    }
  });

  it('does not port regclient TestToReg', () => {
    // regclient's ToReg turns an ocidir path into a localhost/ repository
    // name (lower-cased, other characters replaced by "-") so that its
    // registry-only commands can run on a layout. ocikit needs no such
    // pretence: layouts and registries are both Targets of @ocikit/transfer,
    // and apps/registry serves a layout under names from its own config. The
    // cases' inputs still parse as layouts.
    const inputs: [label: string, input: string, path: string][] = [
      ['0 simple path', 'ocidir://test', 'test'],
      ['1 relative path', 'ocidir://../test', '../test'],
      ['2 upper case', 'ocidir://Test', 'Test'],
      ['3 other characters', 'ocidir://test_-_hello world', 'test_-_hello world'],
    ];
    for (const [label, input, path] of inputs) {
      expect(parseLocation(input), label).toEqual({ kind: 'ocidir', path });
    }
  });
});
