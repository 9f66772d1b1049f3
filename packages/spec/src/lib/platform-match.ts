import { OciError } from '@ocikit/digest';
import { formatPlatform, normalizePlatform, parsePlatform } from './platform.ts';
import type { Descriptor, ImageIndex, Platform } from './types.ts';
import { compareVersions, windowsVersionMatches } from './windows-version.ts';

/** Options of {@link platformMatches} and {@link selectPlatform}. */
export interface PlatformMatchOptions {
  /**
   * Accept only the wanted platform itself (after normalization), not the
   * older variants it can also run, like containerd's `platforms.OnlyStrict`.
   * @default false
   */
  strict?: boolean;
  /**
   * Also accept the 32-bit platforms a 64-bit CPU may run, after its own:
   * `386` for `amd64`, `arm` v8 down to v5 for `arm64`, as containerd's
   * `platforms.Only` does. Off by default, since many 64-bit hosts cannot run
   * 32-bit code. Ignored with `strict`.
   * @default false
   */
  allow32Bit?: boolean;
}

/**
 * Tells whether an image built for one platform runs where another is
 * wanted, as containerd's `platforms.Only` decides: the same operating
 * system and architecture, and the wanted variant or an older one it can
 * run (`arm/v7` runs `v6` and `v5`; `arm64/v8.2` runs `v8.1` and `v8`;
 * `arm64/v9.x` runs `v9.0…` and `v8.0…v8.(x+5)`; `amd64/v3` runs `v2` and
 * `v1`). The image's `os.features` must all be in the wanted ones (on
 * Windows `win32k` is ignored). On Windows a wanted `os.version` must be
 * able to run the image's (same build before Server 2022, stable ABI from
 * the last LTSC up since).
 *
 * @param wanted - the platform to run on, or its specifier (`linux/arm64`)
 * @param candidate - the platform an image was built for
 * @param options - {@link PlatformMatchOptions}
 * @returns whether the candidate runs on the wanted platform
 * @throws {OciError} `PLATFORM_INVALID` when `wanted` is a malformed specifier
 * @see https://github.com/containerd/platforms/blob/main/compare.go
 */
export function platformMatches(
  wanted: Platform | string,
  candidate: Platform,
  options: PlatformMatchOptions = {},
): boolean {
  return rank(preferences(toPlatform(wanted), options), candidate) >= 0;
}

/**
 * Picks the manifest of an index for a platform: among the entries whose
 * `platform` matches (see {@link platformMatches}), the wanted variant
 * first, then older variants in order, then (with `allow32Bit`) 32-bit ones;
 * among equals, the one with more `os.features`, then on Windows the highest
 * `os.version`, then the first listed. Entries without a `platform` are not
 * candidates.
 *
 * @param index - an index (its `manifests`), or a list of descriptors
 * @param wanted - the platform to run on, or its specifier (`linux/arm64`)
 * @param options - {@link PlatformMatchOptions}
 * @returns the best descriptor
 * @throws {OciError} `PLATFORM_NOT_FOUND`, listing the platforms the index
 *   offers, when none matches; `PLATFORM_INVALID` for a malformed specifier
 * @see https://github.com/opencontainers/image-spec/blob/main/image-index.md
 */
export function selectPlatform(
  index: ImageIndex | readonly Descriptor[],
  wanted: Platform | string,
  options: PlatformMatchOptions = {},
): Descriptor {
  const target = toPlatform(wanted);
  const list = preferences(target, options);
  const windows = target.os === 'windows';
  const manifests = 'manifests' in index ? index.manifests : index;
  let best: { descriptor: Descriptor; rank: number } | undefined;
  for (const descriptor of manifests) {
    if (descriptor.platform === undefined) continue;
    const candidateRank = rank(list, descriptor.platform);
    if (candidateRank < 0) continue;
    if (best === undefined || better(descriptor, candidateRank, best, windows)) {
      best = { descriptor, rank: candidateRank };
    }
  }
  if (best) return best.descriptor;
  throw new OciError('PLATFORM_NOT_FOUND', notFoundMessage(manifests, target));
}

/** Whether a candidate beats the best so far: lower rank, then more features, then (Windows) newer version. */
function better(
  descriptor: Descriptor,
  candidateRank: number,
  best: { descriptor: Descriptor; rank: number },
  windows: boolean,
): boolean {
  if (candidateRank !== best.rank) return candidateRank < best.rank;
  const features = descriptor.platform?.['os.features']?.length ?? 0;
  const bestFeatures = best.descriptor.platform?.['os.features']?.length ?? 0;
  if (features !== bestFeatures) return features > bestFeatures;
  if (!windows) return false;
  const version = descriptor.platform?.['os.version'] ?? '';
  return compareVersions(version, best.descriptor.platform?.['os.version'] ?? '') > 0;
}

function toPlatform(wanted: Platform | string): Platform {
  return typeof wanted === 'string' ? parsePlatform(wanted) : normalizePlatform(wanted);
}

/** The platforms to accept for a normalized wanted one, most preferred first, normalized. */
function preferences(platform: Platform, options: PlatformMatchOptions): Platform[] {
  if (options.strict) return [platform];
  const list = olderVariants(platform.architecture, platform.variant ?? '').map((variant) =>
    withArchitecture(platform, platform.architecture, variant),
  );
  if (options.allow32Bit && platform.architecture === 'amd64') {
    list.push(withArchitecture(platform, '386', ''));
  }
  // containerd falls back to 32-bit arm only from the arm64 variants it knows.
  if (
    options.allow32Bit &&
    platform.architecture === 'arm64' &&
    arm64Variants(platform.variant ?? '') !== undefined
  ) {
    for (const variant of olderVariants('arm', 'v8')) {
      list.push(withArchitecture(platform, 'arm', variant));
    }
  }
  return list;
}

/**
 * A variant and the older ones it runs, in order of preference; just the
 * variant itself when containerd knows no ladder for it.
 */
function olderVariants(architecture: string, variant: string): string[] {
  if (architecture === 'arm64') return arm64Variants(variant) ?? [variant];
  const lowest = architecture === 'amd64' ? 1 : architecture === 'arm' ? 5 : undefined;
  const match = /^v(\d+)$/.exec(variant);
  if (lowest === undefined || !match) return [variant];
  const versions: string[] = [];
  for (let version = Number(match[1]); version >= lowest; version -= 1) {
    versions.push(`v${version}`);
  }
  return versions.length === 0 ? [variant] : versions;
}

/**
 * The arm64 ladder of containerd's table: `v8.x` runs `v8.x…v8`, `v9.x` runs
 * `v9.x…v9` then `v8.(x+5)…v8` (capped at `v8.9`). `''` is `v8`. Variants
 * beyond the table (`v8.10`, `v9.8`, `v10`) have none.
 */
function arm64Variants(variant: string): string[] | undefined {
  const match = /^v(8|9)(?:\.(\d))?$/.exec(variant === '' ? 'v8' : variant);
  if (!match) return undefined;
  const major = Number(match[1]);
  const minor = Number(match[2] ?? 0);
  if (major === 9 && minor > 7) return undefined;
  const steps: [number, number][] =
    major === 9
      ? [
          [9, minor],
          [8, Math.min(minor + 5, 9)],
        ]
      : [[8, minor]];
  const variants: string[] = [];
  for (const [stepMajor, top] of steps) {
    for (let step = top; step >= 0; step -= 1) {
      variants.push(step === 0 ? `v${stepMajor}` : `v${stepMajor}.${step}`);
    }
  }
  return variants;
}

function withArchitecture(platform: Platform, architecture: string, variant: string): Platform {
  return normalizePlatform({ ...platform, architecture, variant });
}

/** The position of the first preference the candidate satisfies, or -1. */
function rank(list: readonly Platform[], candidate: Platform): number {
  const have = normalizePlatform(candidate);
  return list.findIndex((want) => satisfies(want, have));
}

/** Whether a normalized candidate is exactly a normalized wanted platform (os.version and features aside). */
function satisfies(want: Platform, have: Platform): boolean {
  if (
    want.os !== have.os ||
    want.architecture !== have.architecture ||
    (want.variant ?? '') !== (have.variant ?? '')
  ) {
    return false;
  }
  const windows = want.os === 'windows';
  if (windows && !windowsVersionMatches(want['os.version'], have['os.version'])) return false;
  const offered = new Set(want['os.features'] ?? []);
  return (have['os.features'] ?? []).every(
    (feature) => offered.has(feature) || (windows && feature === 'win32k'),
  );
}

function notFoundMessage(manifests: readonly Descriptor[], wanted: Platform): string {
  const offered = manifests.flatMap((descriptor) =>
    descriptor.platform === undefined ? [] : [formatPlatform(descriptor.platform)],
  );
  const unplatformed = manifests.length - offered.length;
  const shown = offered.length > 20 ? [...offered.slice(0, 20), '…'] : offered;
  const parts = [
    shown.length === 0 ? 'no platforms' : shown.join(', '),
    ...(unplatformed === 0 ? [] : [`${unplatformed} entries without a platform`]),
  ];
  return `No manifest for platform "${formatPlatform(wanted)}" in the index; it offers ${parts.join(' and ')}`;
}
