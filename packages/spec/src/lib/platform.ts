import { OciError } from '@ocikit/digest';
import type { Platform } from './types.ts';

const OS_PATTERN = /^([A-Za-z0-9_-]+)(?:\(([A-Za-z0-9_.%-]*)((?:\+[A-Za-z0-9_.%-]+)*)\))?$/;
const COMPONENT_PATTERN = /^[A-Za-z0-9_.-]+$/;

/**
 * Parses a platform specifier, `os[(os.version+os.feature…)]/architecture[/variant]`
 * as containerd writes them (`linux/arm64/v8`, `windows(10.0.20348)/amd64`,
 * `linux(+gpu)/amd64`), and normalizes it (see {@link normalizePlatform}).
 * `%`-escapes in the parenthesised options are decoded. Both the operating
 * system and the architecture are required: this package does not guess the
 * machine it runs on.
 *
 * @param specifier - the platform string
 * @returns the normalized platform
 * @throws {OciError} `PLATFORM_INVALID` when the string does not follow the syntax
 * @see https://github.com/containerd/platforms/blob/main/platforms.go
 */
export function parsePlatform(specifier: string): Platform {
  const parts = specifier.split('/');
  const [osPart = '', architecture = '', variant] = parts;
  if (parts.length < 2 || parts.length > 3) {
    throw invalid(specifier, 'expected os/architecture[/variant], such as linux/arm64');
  }
  const os = OS_PATTERN.exec(osPart);
  if (!os) throw invalid(specifier, `"${osPart}" is not an operating system [with (options)]`);
  for (const part of variant === undefined ? [architecture] : [architecture, variant]) {
    if (!COMPONENT_PATTERN.test(part)) {
      throw invalid(specifier, `"${part}" may only hold letters, digits, "_", "." and "-"`);
    }
  }
  const osVersion = decodeOption(os[2] ?? '', specifier);
  const features = (os[3] ?? '')
    .split('+')
    .filter((feature) => feature !== '')
    .map((feature) => decodeOption(feature, specifier));
  return normalizePlatform({
    architecture,
    os: os[1] ?? '',
    ...(osVersion === '' ? {} : { 'os.version': osVersion }),
    ...(features.length === 0 ? {} : { 'os.features': features }),
    ...(variant === undefined ? {} : { variant }),
  });
}

/**
 * Writes a platform as a specifier that {@link parsePlatform} reads back:
 * `os/architecture[/variant]`, with `(os.version+os.features)` after the
 * operating system when it has them (`%`, `+`, `(`, `)` and `/` escaped).
 * The platform is normalized first, so `linux/arm` is written `linux/arm/v7`
 * and `linux/arm64/v8` is written `linux/arm64`.
 *
 * @param platform - a platform
 * @returns the specifier; `unknown` for a platform without an operating system
 */
export function formatPlatform(platform: Platform): string {
  const normalized = normalizePlatform(platform);
  if (normalized.os === '') return 'unknown';
  const version = encodeOption(normalized['os.version'] ?? '');
  const features = (normalized['os.features'] ?? []).map(encodeOption).join('+');
  const options =
    version === '' && features === '' ? '' : `(${version}${features === '' ? '' : `+${features}`})`;
  return [`${normalized.os}${options}`, normalized.architecture, normalized.variant ?? '']
    .filter((part) => part !== '')
    .join('/');
}

/**
 * Normalizes a platform as containerd does, so equal platforms compare
 * equal: the operating system and architecture lower-cased, `macos` →
 * `darwin`, `aarch64` → `arm64`, `x86_64`/`x86-64` → `amd64`, `i386` →
 * `386`, `armhf` → `arm/v7`, `armel` → `arm/v6`; `arm` without a variant is
 * `v7`; `arm64` `v8` (or `8`, `v8.0`) drops the variant, the default;
 * `amd64` `v1` drops it too; `os.features` sorted without duplicates. The
 * members come out in the image-spec's order, absent when empty.
 *
 * @param platform - a platform
 * @returns a new, normalized platform
 * @see https://github.com/containerd/platforms/blob/main/database.go
 */
export function normalizePlatform(platform: Platform): Platform {
  const os = platform.os.toLowerCase();
  const [architecture, variant] = normalizeArchitecture(
    platform.architecture.toLowerCase(),
    (platform.variant ?? '').toLowerCase(),
  );
  const version = platform['os.version'] ?? '';
  const features = [...new Set(platform['os.features'] ?? [])]
    .filter((feature) => feature !== '')
    .sort();
  return {
    architecture,
    os: os === 'macos' ? 'darwin' : os,
    ...(version === '' ? {} : { 'os.version': version }),
    ...(features.length === 0 ? {} : { 'os.features': features }),
    ...(variant === '' ? {} : { variant }),
  };
}

function normalizeArchitecture(architecture: string, variant: string): [string, string] {
  switch (architecture) {
    case 'i386':
      return ['386', ''];
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      return ['amd64', variant === 'v1' ? '' : variant];
    case 'aarch64':
    case 'arm64':
      if (variant === '8' || variant === 'v8' || variant === 'v8.0') return ['arm64', ''];
      if (variant === '9' || variant === '9.0' || variant === 'v9.0') return ['arm64', 'v9'];
      return ['arm64', variant];
    case 'armhf':
      return ['arm', 'v7'];
    case 'armel':
      return ['arm', 'v6'];
    case 'arm':
      if (variant === '' || variant === '7') return ['arm', 'v7'];
      if (variant === '5' || variant === '6' || variant === '8') return ['arm', `v${variant}`];
      return ['arm', variant];
    default:
      return [architecture, variant];
  }
}

function decodeOption(value: string, specifier: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch (error) {
    throw invalid(specifier, `"${value}" has a malformed %-escape`, error);
  }
}

function encodeOption(value: string): string {
  return value.replace(/[%+()/]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

function invalid(specifier: string, reason: string, cause?: unknown): OciError {
  const shown = specifier.length > 100 ? `${specifier.slice(0, 100)}…` : specifier;
  return new OciError(
    'PLATFORM_INVALID',
    `Cannot parse platform "${shown}": ${reason}`,
    cause === undefined ? {} : { cause },
  );
}
