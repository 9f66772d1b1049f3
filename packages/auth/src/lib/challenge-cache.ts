import { OciError } from '@ocikit/digest';
import type { Challenge } from './challenge.ts';

/** Options of a {@link ChallengeCache}. */
export interface ChallengeCacheOptions {
  /**
   * Keeps only the challenges this returns `true` for, as distribution's
   * `FilteringManager` does (for example only the `service` you expect).
   * @default keep every challenge
   */
  keep?: (challenge: Challenge) => boolean;
}

const DEFAULT_PORTS: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443' };

/**
 * The canonical endpoint of a URL that challenges are kept under: scheme,
 * lower-cased host, and the port, the default one written out
 * (`https://reg.example.com:443`), as distribution's challenge manager
 * normalizes them. Paths and queries do not matter: a registry answers every
 * path with the same challenge.
 *
 * @param url - any URL on the registry
 * @returns such as `https://reg.example.com:443`
 * @throws {OciError} `OPTION_INVALID` when it is not an absolute URL (the
 *   message does not quote it: URLs may carry secrets)
 * @see https://github.com/distribution/distribution/blob/main/internal/client/auth/challenge/addr.go
 */
export function challengeEndpoint(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new OciError('OPTION_INVALID', 'Challenges are kept by absolute URL; got something else');
  }
  const port = parsed.port || DEFAULT_PORTS[parsed.protocol] || '';
  return `${parsed.protocol}//${parsed.hostname}${port === '' ? '' : `:${port}`}`;
}

/**
 * The challenges each registry answered with, so that later requests can be
 * authorized up front instead of being refused first. Keyed by
 * {@link challengeEndpoint}: `https://REG.example.com/v2/` and
 * `https://reg.example.com:443/v2/x` share an entry.
 */
export class ChallengeCache {
  readonly #keep: (challenge: Challenge) => boolean;
  readonly #entries = new Map<string, readonly Challenge[]>();

  /**
   * @param options - {@link ChallengeCacheOptions}
   */
  constructor(options: ChallengeCacheOptions = {}) {
    this.#keep = options.keep ?? (() => true);
  }

  /**
   * Records the challenges of a 401 response (replacing earlier ones for the endpoint).
   *
   * @param url - the URL that was requested
   * @param challenges - its parsed `WWW-Authenticate`
   * @throws {OciError} `OPTION_INVALID` for a URL that is not absolute
   */
  set(url: string | URL, challenges: readonly Challenge[]): void {
    this.#entries.set(
      challengeEndpoint(url),
      Object.freeze(challenges.filter((challenge) => this.#keep(challenge))),
    );
  }

  /**
   * The challenges recorded for the URL's endpoint.
   *
   * @param url - any URL on the registry
   * @returns the kept challenges, none when nothing was recorded
   * @throws {OciError} `OPTION_INVALID` for a URL that is not absolute
   */
  get(url: string | URL): readonly Challenge[] {
    return this.#entries.get(challengeEndpoint(url)) ?? [];
  }

  /**
   * Forgets the challenges of the URL's endpoint.
   *
   * @param url - any URL on the registry
   * @returns whether there were any
   * @throws {OciError} `OPTION_INVALID` for a URL that is not absolute
   */
  delete(url: string | URL): boolean {
    return this.#entries.delete(challengeEndpoint(url));
  }
}
