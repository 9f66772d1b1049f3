import { abortError } from '@ocikit/digest';
import {
  type Credential,
  type CredentialLookupOptions,
  type CredentialSource,
  checkCredential,
} from './credential.ts';
import { findCredentialKey } from './host.ts';

/**
 * A source that answers from a fixed table. Keys are matched as Docker and
 * containers match theirs (see {@link findCredentialKey}): `ghcr.io`,
 * `localhost:5000`, `https://index.docker.io/v1/` or `docker.io` for Docker
 * Hub, `quay.io/team` for one namespace.
 *
 * @param entries - key → credential
 * @returns the source
 * @throws {OciError} `OPTION_INVALID` at once for a malformed credential (the
 *   message names its key, never its secret)
 */
export function staticCredentials(
  entries: Readonly<Record<string, Credential>> | ReadonlyMap<string, Credential>,
): CredentialSource {
  const table = new Map<string, Credential>();
  const pairs = entries instanceof Map ? entries.entries() : Object.entries(entries);
  for (const [key, credential] of pairs) {
    table.set(key, checkCredential(credential, `the credential for ${JSON.stringify(key)}`));
  }
  return {
    async get(host: string, options: CredentialLookupOptions = {}) {
      if (options.signal?.aborted) throw abortError(options.signal);
      const key = findCredentialKey(table.keys(), host, options);
      return key === undefined ? undefined : table.get(key);
    },
  };
}

/**
 * A source that asks several in turn; the first credential found wins. An
 * error from a source is not skipped: it rejects the lookup, so a broken
 * helper never turns into anonymous access.
 *
 * @param sources - in priority order
 * @returns the source
 */
export function chainCredentials(sources: readonly CredentialSource[]): CredentialSource {
  const chain = [...sources];
  return {
    async get(host: string, options: CredentialLookupOptions = {}) {
      for (const source of chain) {
        if (options.signal?.aborted) throw abortError(options.signal);
        const credential = await source.get(host, options);
        if (credential !== undefined) return credential;
      }
      return undefined;
    },
  };
}
