import { describe, expect, it } from 'vitest';
import { failure } from '../testdata/failure.ts';
import { parseRegistryHost } from './host.ts';
import { parseLocation } from './location.ts';

const DIGEST = 'sha256:15f840677a5e245d9ea199eb9b026b1539208a5183621dced7b469f6aa678115';

describe('parseRegistryHost', () => {
  it('passes regclient TestNewHost', () => {
    // Ported from regclient/regclient types/ref/ref_test.go TestNewHost,
    // commit 725072f65f14ab63d6b220246c3a889dcd5e2f5f, Apache-2.0. regclient's
    // NewHost takes a registry host or an ocidir:// / ocifile:// path (tag and
    // digest checked, then ignored): here hosts go to parseRegistryHost and
    // paths to parseLocation. `null` expects an error (errs.ErrParsingFailed).
    const cases: [label: string, input: string, expected: string | null][] = [
      ['0 empty string', '', null],
      ['1 Docker Hub', 'docker.io', 'docker.io'],
      ['2 example.com', 'example.com', 'example.com'],
      ['3 Uppercase registry', 'EXAMPLE', 'EXAMPLE'],
      ['5 short name with port', 'example:5000', 'example:5000'],
      ['6 fqdn with port', 'example.com:5000', 'example.com:5000'],
      ['7 Localhost', 'localhost', 'localhost'],
      ['8 Localhost with port', 'localhost:5000', 'localhost:5000'],
      ['9 ip address registry', '127.0.0.1:5000', '127.0.0.1:5000'],
      ['10 ipv6 compressed address registry', '[::1]:5000', '[::1]:5000'],
      [
        '11 ipv6 address registry',
        '[fddd:1222:1222:1222::ac29:5a6a]:5000',
        '[fddd:1222:1222:1222::ac29:5a6a]:5000',
      ],
      [
        '12 ipv6 address registry without port',
        '[fddd:1222:1222:1222::ac29:5a6a]',
        '[fddd:1222:1222:1222::ac29:5a6a]',
      ],
      ['13 OCI file', 'ocifile://path', 'path'],
      ['14 OCI file with tag', 'ocifile://path/to/file.tgz:v1.2.3', 'path/to/file.tgz'],
      ['15 OCI file with digest', `ocifile://path/to/file.tgz@${DIGEST}`, 'path/to/file.tgz'],
      [
        '16 OCI file with invalid digest',
        'ocifile://path/to/file.tgz@sha256:ZZ15f840677a5e245d9ea199eb9b026b1539208a5183621dced7b469f6aa678115ZZ',
        null,
      ],
      ['17 OCI dir', 'ocidir://path/to/dir', 'path/to/dir'],
      ['18 OCI dir with tag', 'ocidir://path/to/DIR:v1.2.3', 'path/to/DIR'],
      ['19 OCI dir with digest', `ocidir://path/2/dir@${DIGEST}`, 'path/2/dir'],
      ['20 invalid scheme', 'unknown://repo:tag', null],
      ['21 invalid host leading dash', '-docker.io', null],
      ['22 invalid host trailing dash', 'docker-.io', null],
      ['23 invalid ipv6 compression', '[1::2::3]:5000', null],
      ['24 invalid ipv6 missing brackets', '::1:5000', null],
    ];
    for (const [label, input, expected] of cases) {
      const read = () => {
        if (!input.includes('://')) return parseRegistryHost(input);
        const location = parseLocation(input);
        return location.kind === 'registry' ? location.reference.registry : location.path;
      };
      if (expected === null) failure(read, label);
      else expect(read(), label).toBe(expected);
    }
  });

  it('rejects trailing-dot host names, unlike regclient', () => {
    // regclient TestNewHost/4 accepts "example." (an explicit short name);
    // the distribution grammar, which ocikit follows like docker and
    // containerd, has no trailing dot.
    failure(() => parseRegistryHost('example.'), '4 explicit short name');
  });

  it('checks IPv6 literals and ports that the grammar lets through', () => {
    const cases: [label: string, input: string, ok: boolean][] = [
      ['loopback', '[::1]', true],
      ['all zeros', '[::]', true],
      ['full form', '[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:443', true],
      ['compressed at the end', '[fe80::]', true],
      ['upper-case hex', '[FE80::1]:5000', true],
      ['seven groups and ::', '[1:2:3:4:5:6:7::]', true],
      ['two ::', '[1::2::3]', false],
      ['nine groups', '[1:2:3:4:5:6:7:8:9]', false],
      ['eight groups and ::', '[1:2:3:4:5:6:7:8::]', false],
      ['seven groups, no ::', '[1:2:3:4:5:6:7]', false],
      ['group of five digits', '[12345::1]', false],
      ['no groups', '[fd00123123123]:5000', false],
      ['lone colon', '[:]', false],
      ['triple colon', '[1:::2]', false],
      ['zone', '[fe80::1%eth0]', false],
      ['IPv6 without brackets', '::1', false],
      ['IPv6 without brackets, with port', 'fd00:1:2::3:75050', false],
      ['port 1', 'localhost:1', true],
      ['port 65535', 'example.com:65535', true],
      ['port 0', 'example.com:0', false],
      ['port 65536', 'example.com:65536', false],
      ['six-digit port', '192.168.1.1:750050', false],
      ['port with leading zeros', 'example.com:05000', true],
      ['port of letters', 'example.com:http', false],
      ['empty port', 'example.com:', false],
      ['upper case', 'REGISTRY.Example.com', true],
      ['underscore', 'my_registry.com', false],
      ['path', 'docker.io/library', false],
      ['scheme', 'https://docker.io', false],
      ['space', 'docker.io ', false],
      ['unicode', 'bücher.example', false],
      ['punycode', 'xn--bcher-kva.example', true],
    ];
    for (const [label, input, ok] of cases) {
      if (ok) expect(parseRegistryHost(input), label).toBe(input);
      else
        expect(failure(() => parseRegistryHost(input), label).message, label).toMatch(
          /^Invalid registry host "/,
        );
    }
  });
});
