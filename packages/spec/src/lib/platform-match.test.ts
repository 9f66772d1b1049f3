import { isOciError } from '@ocikit/digest';
import { describe, expect, it } from 'vitest';
import { parsePlatform } from './platform.ts';
import { platformMatches, selectPlatform } from './platform-match.ts';
import type { Descriptor, Platform } from './types.ts';
import { windowsVersionMatches } from './windows-version.ts';

type MatchTable = [wanted: string, matches: string[], rejects: string[]][];

function runTable(table: MatchTable, options: Parameters<typeof platformMatches>[2]): void {
  for (const [wanted, matches, rejects] of table) {
    for (const candidate of matches) {
      expect(
        platformMatches(wanted, parsePlatform(candidate), options),
        `${wanted} runs ${candidate}`,
      ).toBe(true);
    }
    for (const candidate of rejects) {
      expect(
        platformMatches(wanted, parsePlatform(candidate), options),
        `${wanted} refuses ${candidate}`,
      ).toBe(false);
    }
  }
}

// containerd/platforms compare_test.go TestOnly and TestOnlyStrict (commit
// 09756f59cb1d, Apache-2.0, Copyright The containerd Authors). containerd's
// `Only` is `platformMatches` with `allow32Bit: true`; `OnlyStrict` is
// `strict: true`.
const ONLY: MatchTable = [
  [
    'linux/amd64',
    ['linux/amd64', 'linux/386'],
    ['linux/amd64/v2', 'linux/arm/v7', 'linux/arm64', 'windows/amd64', 'windows/arm'],
  ],
  [
    'linux/amd64/v2',
    ['linux/amd64', 'linux/amd64/v1', 'linux/amd64/v2', 'linux/386'],
    [
      'linux/amd64/v3',
      'linux/amd64/v4',
      'linux/arm/v7',
      'linux/arm64',
      'windows/amd64',
      'windows/arm',
    ],
  ],
  [
    'linux/386',
    ['linux/386'],
    ['linux/amd64', 'linux/arm/v7', 'linux/arm64', 'windows/amd64', 'windows/arm'],
  ],
  [
    'windows/amd64',
    ['windows/amd64', 'windows(10.0.17763)/amd64'],
    ['linux/amd64', 'linux/arm/v7', 'linux/arm64', 'windows/arm'],
  ],
  [
    'linux/arm/v8',
    ['linux/arm', 'linux/arm/v5', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm/v8'],
    ['linux/amd64', 'linux/arm/v4', 'linux/arm64', 'windows/amd64', 'windows/arm'],
  ],
  [
    'linux/arm/v7',
    ['linux/arm', 'linux/arm/v5', 'linux/arm/v6', 'linux/arm/v7'],
    ['linux/amd64', 'linux/arm/v4', 'linux/arm/v8', 'linux/arm64', 'windows/amd64', 'windows/arm'],
  ],
  [
    'linux/arm/v6',
    ['linux/arm/v5', 'linux/arm/v6'],
    [
      'linux/amd64',
      'linux/arm',
      'linux/arm/v4',
      'linux/arm/v7',
      'linux/arm/v8',
      'linux/arm64',
      'windows/amd64',
      'windows/arm',
    ],
  ],
  [
    'linux/arm/v5',
    ['linux/arm/v5'],
    [
      'linux/amd64',
      'linux/arm',
      'linux/arm/v4',
      'linux/arm/v6',
      'linux/arm/v7',
      'linux/arm/v8',
      'linux/arm64',
      'windows/amd64',
      'windows/arm',
    ],
  ],
  [
    'linux/arm/v4',
    ['linux/arm/v4'],
    [
      'linux/amd64',
      'linux/arm',
      'linux/arm/v5',
      'linux/arm/v6',
      'linux/arm/v7',
      'linux/arm/v8',
      'linux/arm64',
      'windows/amd64',
      'windows/arm',
    ],
  ],
  [
    'linux/arm64/v9.6',
    [
      'linux/arm',
      'linux/arm/v5',
      'linux/arm/v6',
      'linux/arm/v7',
      'linux/arm/v8',
      'linux/arm64',
      'linux/arm64/v8',
      'linux/arm64/v8.1',
      'linux/arm64/v8.2',
      'linux/arm64/v8.3',
      'linux/arm64/v8.4',
      'linux/arm64/v8.5',
      'linux/arm64/v8.6',
      'linux/arm64/v8.7',
      'linux/arm64/v8.8',
      'linux/arm64/v8.9',
      'linux/arm64/v9',
      'linux/arm64/v9.0',
      'linux/arm64/v9.1',
      'linux/arm64/v9.2',
      'linux/arm64/v9.3',
      'linux/arm64/v9.4',
      'linux/arm64/v9.5',
      'linux/arm64/v9.6',
    ],
    ['linux/amd64', 'linux/arm/v4', 'windows/amd64', 'windows/arm', 'linux/arm64/v8.10'],
  ],
  [
    'linux/arm64/v9',
    [
      'linux/arm',
      'linux/arm/v5',
      'linux/arm/v6',
      'linux/arm/v7',
      'linux/arm/v8',
      'linux/arm64',
      'linux/arm64/v8',
      'linux/arm64/v8.1',
      'linux/arm64/v8.2',
      'linux/arm64/v8.3',
      'linux/arm64/v8.4',
      'linux/arm64/v8.5',
      'linux/arm64/v9',
      'linux/arm64/v9.0',
    ],
    ['linux/amd64', 'linux/arm/v4', 'windows/amd64', 'windows/arm', 'linux/arm64/v8.6'],
  ],
  [
    'linux/arm64/v8.1',
    [
      'linux/arm',
      'linux/arm/v5',
      'linux/arm/v6',
      'linux/arm/v7',
      'linux/arm/v8',
      'linux/arm64',
      'linux/arm64/v8',
      'linux/arm64/v8.1',
    ],
    [
      'linux/amd64',
      'linux/arm/v4',
      'linux/arm/v9',
      'linux/arm64/v9',
      'windows/amd64',
      'windows/arm',
    ],
  ],
  [
    'linux/arm64',
    [
      'linux/arm',
      'linux/arm/v5',
      'linux/arm/v6',
      'linux/arm/v7',
      'linux/arm/v8',
      'linux/arm64',
      'linux/arm64/v8',
    ],
    [
      'linux/amd64',
      'linux/arm/v4',
      'linux/arm/v9',
      'linux/arm64/v9',
      'windows/amd64',
      'windows/arm',
    ],
  ],
];

const ONLY_STRICT: MatchTable = [
  [
    'linux/amd64',
    ['linux/amd64'],
    ['linux/386', 'linux/arm/v7', 'linux/arm64', 'windows/amd64', 'windows/arm'],
  ],
  [
    'linux/386',
    ['linux/386'],
    ['linux/amd64', 'linux/arm/v7', 'linux/arm64', 'windows/amd64', 'windows/arm'],
  ],
  [
    'windows/amd64',
    ['windows/amd64', 'windows(10.0.17763)/amd64'],
    ['linux/amd64', 'linux/arm/v7', 'linux/arm64', 'windows/arm'],
  ],
  [
    'windows(10.0.17763)/amd64',
    ['windows/amd64', 'windows(10.0.17763)/amd64'],
    ['linux/amd64', 'linux/arm/v7', 'linux/arm64', 'windows/arm'],
  ],
  [
    'linux/arm/v8',
    ['linux/arm/v8'],
    [
      'linux/arm',
      'linux/arm/v5',
      'linux/arm/v6',
      'linux/arm/v7',
      'linux/amd64',
      'linux/arm/v4',
      'linux/arm64',
      'windows/amd64',
      'windows/arm',
    ],
  ],
  [
    'linux/arm/v7',
    ['linux/arm', 'linux/arm/v7'],
    [
      'linux/arm/v5',
      'linux/arm/v6',
      'linux/amd64',
      'linux/arm/v4',
      'linux/arm/v8',
      'linux/arm64',
      'windows/amd64',
      'windows/arm',
    ],
  ],
  [
    'linux/arm64/v9.5',
    ['linux/arm64/v9.5'],
    [
      'linux/arm',
      'linux/arm/v5',
      'linux/arm/v6',
      'linux/arm/v7',
      'linux/arm/v8',
      'linux/amd64',
      'linux/arm/v4',
      'linux/arm64/v8',
      'linux/arm64/v8.1',
      'linux/arm64/v9',
      'linux/arm64/v9.1',
      'linux/arm64/v9.4',
      'windows/amd64',
      'windows/arm',
    ],
  ],
  [
    'linux/arm64/v9',
    ['linux/arm64/v9', 'linux/arm64/v9.0'],
    [
      'linux/arm',
      'linux/arm/v5',
      'linux/arm/v6',
      'linux/arm/v7',
      'linux/arm/v8',
      'linux/amd64',
      'linux/arm/v4',
      'linux/arm/v9',
      'linux/arm64/v8',
      'linux/arm64/v8.1',
      'windows/amd64',
      'windows/arm',
    ],
  ],
  [
    'linux/arm64',
    ['linux/arm64', 'linux/arm64/v8'],
    [
      'linux/arm',
      'linux/arm/v5',
      'linux/arm/v6',
      'linux/arm/v7',
      'linux/arm/v8',
      'linux/amd64',
      'linux/arm/v4',
      'linux/arm/v9',
      'linux/arm64/v9',
      'windows/amd64',
      'windows/arm',
    ],
  ],
];

describe('platformMatches', () => {
  it('matches as containerd platforms.Only with allow32Bit', () => {
    runTable(ONLY, { allow32Bit: true });
  });

  it('matches as containerd platforms.OnlyStrict with strict', () => {
    runTable(ONLY_STRICT, { strict: true });
  });

  it('accepts 32-bit platforms only when asked', () => {
    const cases: [label: string, wanted: string, candidate: string, expected: boolean][] = [
      ['amd64 refuses 386', 'linux/amd64', 'linux/386', false],
      ['amd64/v3 runs v2', 'linux/amd64/v3', 'linux/amd64/v2', true],
      ['amd64/v3 runs v1', 'linux/amd64/v3', 'linux/amd64', true],
      ['arm64 refuses arm', 'linux/arm64', 'linux/arm/v7', false],
      ['arm64/v8.2 runs v8.1', 'linux/arm64/v8.2', 'linux/arm64/v8.1', true],
      ['arm/v7 runs v6', 'linux/arm/v7', 'linux/arm/v6', true],
      ['arm/v7 runs armel', 'linux/arm/v7', 'linux/armel', true],
      ['aarch64 is arm64', 'linux/arm64', 'linux/aarch64', true],
      ['unknown arm64 variant matches itself', 'linux/arm64/v10', 'linux/arm64/v10', true],
      ['unknown arm64 variant has no ladder', 'linux/arm64/v10', 'linux/arm64', false],
      ['other OS', 'linux/amd64', 'darwin/amd64', false],
    ];
    for (const [label, wanted, candidate, expected] of cases) {
      expect(platformMatches(wanted, parsePlatform(candidate)), label).toBe(expected);
    }
  });

  it('needs the image os.features among the wanted ones, ignoring win32k on Windows', () => {
    const cases: [label: string, wanted: string, candidate: Platform, expected: boolean][] = [
      [
        'no features wanted, none needed',
        'linux/amd64',
        { os: 'linux', architecture: 'amd64' },
        true,
      ],
      [
        'feature needed, not offered',
        'linux/amd64',
        { os: 'linux', architecture: 'amd64', 'os.features': ['gpu'] },
        false,
      ],
      [
        'feature offered',
        'linux(+gpu+simd)/amd64',
        { os: 'linux', architecture: 'amd64', 'os.features': ['gpu'] },
        true,
      ],
      [
        'more features needed',
        'linux(+gpu)/amd64',
        { os: 'linux', architecture: 'amd64', 'os.features': ['gpu', 'simd'] },
        false,
      ],
      [
        'win32k ignored',
        'windows/amd64',
        { os: 'windows', architecture: 'amd64', 'os.features': ['win32k'] },
        true,
      ],
      [
        'win32k only on Windows',
        'linux/amd64',
        { os: 'linux', architecture: 'amd64', 'os.features': ['win32k'] },
        false,
      ],
    ];
    for (const [label, wanted, candidate, expected] of cases) {
      expect(platformMatches(wanted, candidate), label).toBe(expected);
    }
  });

  it('checks Windows os.version compatibility as containerd does', () => {
    // containerd/platforms platform_windows_compat_test.go Test_PlatformCompat
    // (commit 09756f59cb1d, Apache-2.0): host build, image build, runs.
    const ltsc2019 = 17763;
    const ltsc2022 = 20348;
    const win11 = 22621;
    const v23H2 = 25398;
    const ltsc2025 = 26100;
    const cases: [host: number, image: number, runs: boolean][] = [
      [ltsc2019, ltsc2019, true],
      [ltsc2019, ltsc2022, false],
      [ltsc2022, ltsc2019, false],
      [ltsc2022, ltsc2022, true],
      [win11, ltsc2019, false],
      [win11, ltsc2022, true],
      [v23H2, ltsc2019, false],
      [v23H2, ltsc2022, true],
      [ltsc2025, ltsc2022, true],
      [ltsc2022, ltsc2025, false],
      [ltsc2022, win11, false],
      [ltsc2025, win11, true],
    ];
    for (const [host, image, runs] of cases) {
      expect(
        windowsVersionMatches(`10.0.${host}`, `10.0.${image}.1`),
        `${host} runs ${image}`,
      ).toBe(runs);
      const wanted: Platform = {
        os: 'windows',
        architecture: 'amd64',
        'os.version': `10.0.${host}`,
      };
      const candidate: Platform = {
        os: 'windows',
        architecture: 'amd64',
        'os.version': `10.0.${image}.100`,
      };
      expect(platformMatches(wanted, candidate), `platform ${host} runs ${image}`).toBe(runs);
    }
    const edges: [
      label: string,
      host: string | undefined,
      image: string | undefined,
      runs: boolean,
    ][] = [
      ['no host version', undefined, '10.0.17763', true],
      ['no image version', '10.0.17763', undefined, true],
      ['unreadable host version', 'ten', '10.0.17763', true],
      ['unreadable image version', '10.0.17763', 'ten', false],
      ['other minor version', '10.1.20348', '10.0.20348', false],
      ['build over 16 bits', '10.0.20348', '10.0.99999', false],
    ];
    for (const [label, host, image, runs] of edges) {
      expect(windowsVersionMatches(host, image), label).toBe(runs);
    }
  });
});

function entry(platform: Platform | undefined, tag: string): Descriptor {
  return {
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: `sha256:${tag.padEnd(64, '0')}`,
    size: 1,
    ...(platform === undefined ? {} : { platform }),
  };
}

describe('selectPlatform', () => {
  const linux = (architecture: string, variant?: string): Platform => ({
    os: 'linux',
    architecture,
    ...(variant === undefined ? {} : { variant }),
  });

  it('picks the most preferred match of an index', () => {
    const manifests = [
      entry(undefined, 'a0'),
      entry({ os: 'unknown', architecture: 'unknown' }, 'a1'),
      entry(linux('386'), 'a2'),
      entry(linux('arm', 'v5'), 'a3'),
      entry(linux('arm', 'v6'), 'a4'),
      entry(linux('arm64', 'v8'), 'a5'),
      entry(linux('amd64'), 'a6'),
      entry(linux('amd64', 'v2'), 'a7'),
      entry(linux('arm64', 'v8.1'), 'a8'),
      entry(linux('amd64'), 'a9'),
    ];
    const cases: [
      label: string,
      wanted: string,
      options: Parameters<typeof selectPlatform>[2],
      tag: string,
    ][] = [
      ['exact', 'linux/amd64', {}, 'a6'],
      ['first of equals', 'linux/amd64/v1', {}, 'a6'],
      ['exact variant before older', 'linux/amd64/v3', {}, 'a7'],
      ['newest runnable arm', 'linux/arm/v7', {}, 'a4'],
      ['arm64 v8 = arm64', 'linux/arm64/v8', {}, 'a5'],
      ['exact arm64 variant', 'linux/arm64/v8.2', {}, 'a8'],
      ['arm64 v9 runs v8.1 before v8', 'linux/arm64/v9', {}, 'a8'],
      ['386 for itself', 'linux/386', {}, 'a2'],
      ['aliases', 'linux/i386', {}, 'a2'],
      ['arm/v5 only', 'linux/arm/v5', {}, 'a3'],
    ];
    for (const [label, wanted, options, tag] of cases) {
      expect(selectPlatform({ schemaVersion: 2, manifests }, wanted, options).digest, label).toBe(
        `sha256:${tag.padEnd(64, '0')}`,
      );
    }
  });

  it('falls back to 32-bit only when asked', () => {
    const manifests = [entry(linux('386'), 'b0'), entry(linux('arm', 'v7'), 'b1')];
    expect(selectPlatform(manifests, 'linux/amd64', { allow32Bit: true }).digest).toMatch(
      /^sha256:b0/,
    );
    expect(selectPlatform(manifests, 'linux/arm64', { allow32Bit: true }).digest).toMatch(
      /^sha256:b1/,
    );
    for (const wanted of ['linux/amd64', 'linux/arm64']) {
      expect(() => selectPlatform(manifests, wanted), wanted).toThrow(/linux\/386, linux\/arm\/v7/);
    }
  });

  it('prefers more os.features among equals', () => {
    const manifests = [
      entry({ os: 'linux', architecture: 'amd64' }, 'c0'),
      entry({ os: 'linux', architecture: 'amd64', 'os.features': ['gpu'] }, 'c1'),
    ];
    expect(selectPlatform(manifests, 'linux(+gpu)/amd64').digest).toMatch(/^sha256:c1/);
    expect(selectPlatform(manifests, 'linux/amd64').digest).toMatch(/^sha256:c0/);
  });

  it('prefers the newest compatible Windows version', () => {
    // containerd/platforms platform_windows_compat_test.go Test_PlatformOrder
    // (commit 09756f59cb1d, Apache-2.0).
    const ws2022: Platform = {
      os: 'windows',
      architecture: 'amd64',
      'os.version': '10.0.20348.3091',
    };
    const ws2025: Platform = {
      os: 'windows',
      architecture: 'amd64',
      'os.version': '10.0.26100.2894',
    };
    const ws2025r: Platform = {
      os: 'windows',
      architecture: 'amd64',
      'os.version': '10.0.26100.3000',
    };
    const amd64 = linux('amd64');
    const cases: [label: string, host: Platform, offered: Platform[], expected: Platform][] = [
      ['2022 host takes 2022', ws2022, [amd64, ws2022, ws2025], ws2022],
      ['2025 host takes 2025', ws2025, [amd64, ws2022, ws2025], ws2025],
      ['2025 host takes the latest revision', ws2025, [amd64, ws2022, ws2025r], ws2025r],
      [
        'no host version takes the newest',
        { os: 'windows', architecture: 'amd64' },
        [ws2025, ws2022],
        ws2025,
      ],
    ];
    for (const [label, host, offered, expected] of cases) {
      const manifests = offered.map((platform, index) => entry(platform, `d${index}`));
      expect(selectPlatform(manifests, host).platform, label).toEqual(expected);
    }
  });

  it('throws PLATFORM_NOT_FOUND listing what the index offers', () => {
    const manifests = [
      entry(linux('amd64'), 'e0'),
      entry(linux('arm', 'v7'), 'e1'),
      entry(undefined, 'e2'),
    ];
    let caught: unknown;
    try {
      selectPlatform({ schemaVersion: 2, manifests }, 'linux/s390x');
    } catch (error) {
      caught = error;
    }
    expect(isOciError(caught, 'PLATFORM_NOT_FOUND')).toBe(true);
    expect((caught as Error).message).toContain('"linux/s390x"');
    expect((caught as Error).message).toContain(
      'linux/amd64, linux/arm/v7 and 1 entries without a platform',
    );
    expect(() => selectPlatform([], 'linux/amd64')).toThrow(/offers no platforms/);
    expect(() => selectPlatform([], 'linux')).toThrow(/Cannot parse platform/);
  });
});
