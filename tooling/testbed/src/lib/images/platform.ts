import type { Platform } from './blob.ts';

/**
 * Parses `os/architecture[/variant]`, such as `linux/arm64/v8`.
 *
 * @param text - the platform string
 * @returns the platform
 * @throws {Error} when it does not have two or three non-empty parts
 */
export function parsePlatform(text: string): Platform {
  const parts = text.split('/');
  const [os, architecture, variant] = parts;
  if (parts.length > 3 || !os || !architecture || variant === '') {
    throw new Error(`Invalid platform "${text}": expected os/architecture[/variant]`);
  }
  return variant ? { os, architecture, variant } : { os, architecture };
}

/**
 * Formats a platform as `os/architecture[/variant]`.
 *
 * @param platform - the platform
 * @returns the string
 */
export function formatPlatform(platform: Platform): string {
  const base = `${platform.os}/${platform.architecture}`;
  return platform.variant ? `${base}/${platform.variant}` : base;
}
