import { isOciError } from '@ocikit/digest';
import { describe, expect, it } from 'vitest';
import { formatPlatform, normalizePlatform, parsePlatform } from './platform.ts';
import type { Platform } from './types.ts';

describe('parsePlatform', () => {
  // The two- and three-part rows of containerd/platforms platforms_test.go
  // TestParseSelector (commit 09756f59cb1d, Apache-2.0, Copyright The
  // containerd Authors), with containerd's Normalize applied to the expected
  // platform: ocikit returns the normalized form (arm64/v8 → arm64, arm → arm/v7).
  it('parses and normalizes the specifiers containerd does', () => {
    const cases: [label: string, input: string, expected: Platform, formatted: string][] = [
      ['arm64', 'linux/arm64', { architecture: 'arm64', os: 'linux' }, 'linux/arm64'],
      ['arm64 v8', 'linux/arm64/v8', { architecture: 'arm64', os: 'linux' }, 'linux/arm64'],
      ['arm', 'linux/arm', { architecture: 'arm', os: 'linux', variant: 'v7' }, 'linux/arm/v7'],
      [
        'arm v6',
        'linux/arm/v6',
        { architecture: 'arm', os: 'linux', variant: 'v6' },
        'linux/arm/v6',
      ],
      [
        'arm v7',
        'linux/arm/v7',
        { architecture: 'arm', os: 'linux', variant: 'v7' },
        'linux/arm/v7',
      ],
      ['upper case', 'Linux/x86_64', { architecture: 'amd64', os: 'linux' }, 'linux/amd64'],
      ['s390x', 'linux/s390x', { architecture: 's390x', os: 'linux' }, 'linux/s390x'],
      ['macos', 'macOS/arm64', { architecture: 'arm64', os: 'darwin' }, 'darwin/arm64'],
      [
        'windows version',
        'windows(10.0.17763)/amd64',
        { architecture: 'amd64', os: 'windows', 'os.version': '10.0.17763' },
        'windows(10.0.17763)/amd64',
      ],
      [
        'windows version and feature',
        'windows(10.0.17763+win32k)/amd64',
        {
          architecture: 'amd64',
          os: 'windows',
          'os.version': '10.0.17763',
          'os.features': ['win32k'],
        },
        'windows(10.0.17763+win32k)/amd64',
      ],
      [
        'empty options',
        'windows()/amd64',
        { architecture: 'amd64', os: 'windows' },
        'windows/amd64',
      ],
      [
        'feature only',
        'linux(+gpu)/amd64',
        { architecture: 'amd64', os: 'linux', 'os.features': ['gpu'] },
        'linux(+gpu)/amd64',
      ],
      [
        'features sorted',
        'linux(+unsorted+erofs)/amd64',
        { architecture: 'amd64', os: 'linux', 'os.features': ['erofs', 'unsorted'] },
        'linux(+erofs+unsorted)/amd64',
      ],
      [
        'escaped plus in version',
        'windows(10.0.17763%2Bbuild.42+win32k)/amd64',
        {
          architecture: 'amd64',
          os: 'windows',
          'os.version': '10.0.17763+build.42',
          'os.features': ['win32k'],
        },
        'windows(10.0.17763%2Bbuild.42+win32k)/amd64',
      ],
      [
        'escaped percent',
        'windows(50%25done)/amd64',
        { architecture: 'amd64', os: 'windows', 'os.version': '50%done' },
        'windows(50%25done)/amd64',
      ],
      // ocikit's own rows.
      ['aarch64', 'linux/aarch64', { architecture: 'arm64', os: 'linux' }, 'linux/arm64'],
      ['aarch64 8', 'linux/aarch64/8', { architecture: 'arm64', os: 'linux' }, 'linux/arm64'],
      ['arm64 v8.0', 'linux/arm64/v8.0', { architecture: 'arm64', os: 'linux' }, 'linux/arm64'],
      [
        'arm64 9.0',
        'linux/arm64/9.0',
        { architecture: 'arm64', os: 'linux', variant: 'v9' },
        'linux/arm64/v9',
      ],
      [
        'arm64 v8.2',
        'linux/arm64/v8.2',
        { architecture: 'arm64', os: 'linux', variant: 'v8.2' },
        'linux/arm64/v8.2',
      ],
      ['x86-64', 'linux/x86-64', { architecture: 'amd64', os: 'linux' }, 'linux/amd64'],
      ['amd64 v1', 'linux/amd64/v1', { architecture: 'amd64', os: 'linux' }, 'linux/amd64'],
      [
        'amd64 v3',
        'linux/amd64/V3',
        { architecture: 'amd64', os: 'linux', variant: 'v3' },
        'linux/amd64/v3',
      ],
      ['i386', 'linux/i386', { architecture: '386', os: 'linux' }, 'linux/386'],
      ['386', 'linux/386', { architecture: '386', os: 'linux' }, 'linux/386'],
      ['armhf', 'linux/armhf', { architecture: 'arm', os: 'linux', variant: 'v7' }, 'linux/arm/v7'],
      ['armel', 'linux/armel', { architecture: 'arm', os: 'linux', variant: 'v6' }, 'linux/arm/v6'],
      ['arm 5', 'linux/arm/5', { architecture: 'arm', os: 'linux', variant: 'v5' }, 'linux/arm/v5'],
      ['ppc64le', 'linux/ppc64le', { architecture: 'ppc64le', os: 'linux' }, 'linux/ppc64le'],
      ['riscv64', 'linux/riscv64', { architecture: 'riscv64', os: 'linux' }, 'linux/riscv64'],
      [
        'unknown kept',
        'plan9/mips64le',
        { architecture: 'mips64le', os: 'plan9' },
        'plan9/mips64le',
      ],
    ];
    for (const [label, input, expected, formatted] of cases) {
      const parsed = parsePlatform(input);
      expect(parsed, label).toEqual(expected);
      expect(formatPlatform(parsed), label).toBe(formatted);
      expect(parsePlatform(formatted), `${label} round trip`).toEqual(expected);
    }
  });

  it('refuses malformed specifiers with PLATFORM_INVALID', () => {
    const cases: [label: string, input: string][] = [
      ['empty', ''],
      ['os only (no guessing the machine)', 'linux'],
      ['architecture only', 'arm64'],
      ['wildcard', 'linux/*'],
      ['four parts', 'linux/arm/v7/extra'],
      ['empty architecture', 'linux/'],
      ['empty variant', 'linux/arm/'],
      ['empty os', '/amd64'],
      ['space', 'linux/amd 64'],
      ['unbalanced parenthesis', 'windows(10.0/amd64'],
      ['options after os', 'windows(1)x/amd64'],
      ['bad escape', 'windows(10%zz)/amd64'],
      ['invalid utf-8 escape', 'windows(%ff)/amd64'],
      ['slash inside options', 'windows(a/b)/amd64'],
    ];
    for (const [label, input] of cases) {
      let caught: unknown;
      try {
        parsePlatform(input);
      } catch (error) {
        caught = error;
      }
      expect(isOciError(caught, 'PLATFORM_INVALID'), label).toBe(true);
      expect((caught as Error).message, label).toContain(`"${input}"`);
    }
  });
});

describe('normalizePlatform and formatPlatform', () => {
  it('normalizes as containerd does and writes members in image-spec order', () => {
    const cases: [label: string, input: Platform, expected: Platform][] = [
      [
        'arm64 v8 is arm64',
        { os: 'linux', architecture: 'arm64', variant: 'v8' },
        { architecture: 'arm64', os: 'linux' },
      ],
      [
        'arm defaults to v7',
        { os: 'linux', architecture: 'arm' },
        { architecture: 'arm', os: 'linux', variant: 'v7' },
      ],
      [
        'arm 7',
        { os: 'linux', architecture: 'arm', variant: '7' },
        { architecture: 'arm', os: 'linux', variant: 'v7' },
      ],
      [
        'i386 loses variant',
        { os: 'linux', architecture: 'i386', variant: 'x' },
        { architecture: '386', os: 'linux' },
      ],
      [
        'empty variant dropped',
        { os: 'linux', architecture: 'amd64', variant: '' },
        { architecture: 'amd64', os: 'linux' },
      ],
      [
        'features sorted and deduplicated',
        { os: 'windows', architecture: 'amd64', 'os.features': ['b', 'a', 'b', ''] },
        { architecture: 'amd64', os: 'windows', 'os.features': ['a', 'b'] },
      ],
      [
        'empty version dropped',
        { os: 'LINUX', architecture: 'AMD64', 'os.version': '' },
        { architecture: 'amd64', os: 'linux' },
      ],
    ];
    for (const [label, input, expected] of cases) {
      const normalized = normalizePlatform(input);
      expect(normalized, label).toEqual(expected);
      expect(JSON.stringify(normalized), label).toBe(JSON.stringify(expected));
    }
  });

  it('escapes the characters of the option syntax and names an os-less platform unknown', () => {
    expect(
      formatPlatform({
        os: 'windows',
        architecture: 'amd64',
        'os.version': '1+2(3)/4%',
        'os.features': ['x+y'],
      }),
    ).toBe('windows(1%2B2%283%29%2F4%25+x%2By)/amd64');
    expect(parsePlatform('windows(1%2B2%283%29%2F4%25+x%2By)/amd64')['os.version']).toBe(
      '1+2(3)/4%',
    );
    expect(formatPlatform({ os: '', architecture: 'amd64' })).toBe('unknown');
  });
});
