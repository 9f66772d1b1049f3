import { OciError } from '@ocikit/digest';
import { getTestbed } from '@ocikit/testbed';
import { authorizationFor } from './authorize.ts';
import { parseChallenges } from './challenge.ts';
import type { BasicCredential, Credential } from './credential.ts';
import { fetchToken } from './token.ts';
import { TokenCache } from './token-cache.ts';

/** Every manifest media type, so that distribution 2.8 finds OCI manifests and indexes too. */
const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

/** Options of {@link getManifestWithAuth}. */
export interface HandshakeOptions {
  /** Who asks; anonymous when absent. */
  credential?: Credential;
  /** Where tokens come from. */
  tokens?: TokenCache;
}

/**
 * GETs a manifest from a registry of the test bed the way a client built only
 * on `@ocikit/auth` does: without credentials first, then once more with the
 * `Authorization` that `authorizationFor` gives for the 401's challenges
 * (a Bearer token from the realm, or Basic).
 *
 * @param registryUrl - `http://127.0.0.1:PORT`
 * @param repository - the repository
 * @param reference - a tag or digest
 * @param options - {@link HandshakeOptions}
 * @returns the status of the first and of the final answer, and the final
 *   answer's `Docker-Content-Digest`
 */
export async function getManifestWithAuth(
  registryUrl: string,
  repository: string,
  reference: string,
  options: HandshakeOptions = {},
): Promise<{ first: number; status: number; digest: string | null }> {
  const url = `${registryUrl}/v2/${repository}/manifests/${reference}`;
  const headers: Record<string, string> = { accept: MANIFEST_ACCEPT };
  const first = await fetch(url, { headers });
  await first.body?.cancel();
  let response = first;
  const challenge = first.headers.get('www-authenticate');
  if (first.status === 401 && challenge !== null) {
    const authorization = await authorizationFor(parseChallenges(challenge), {
      tokens: options.tokens ?? new TokenCache(),
      ...(options.credential ? { credential: options.credential } : {}),
    });
    if (authorization !== undefined) {
      response = await fetch(url, { headers: { ...headers, authorization } });
      await response.body?.cancel();
    }
  }
  return {
    first: first.status,
    status: response.status,
    digest: response.headers.get('docker-content-digest'),
  };
}

/**
 * A refresh token (an identity token) for an account of the test bed's token
 * registry, from the OAuth2 password grant with `access_type=offline`.
 *
 * @param credential - the account
 * @returns the refresh token
 */
export async function refreshTokenFor(credential: BasicCredential): Promise<string> {
  const { realm, service } = getTestbed().token;
  const { refreshToken } = await fetchToken(
    { realm, service, credential },
    { forceOAuth: true, offlineToken: true },
  );
  if (refreshToken === undefined) {
    throw new OciError('RESPONSE_INVALID', `No refresh token from ${realm}`);
  }
  return refreshToken;
}
