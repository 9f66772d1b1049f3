import { type Digest, digestBytes } from '@ocikit/digest';
import { MANIFEST_MEDIA_TYPES } from './images/media-types.ts';
import { authHeaders, type RegistryEndpoint } from './registry-auth.ts';

/** A manifest as a registry served it. */
export interface FetchedManifest {
  /** The `Content-Type` it was served with. */
  mediaType: string;
  /** The digest of the bytes. */
  digest: Digest;
  /** The exact bytes. */
  bytes: Uint8Array;
}

/**
 * Reads a manifest with plain `fetch` (every manifest type accepted), as an
 * oracle for what a client pushed.
 *
 * @param endpoint - the registry and account
 * @param repo - the repository name
 * @param reference - a tag or digest
 * @returns the manifest
 * @throws {Error} unless the registry answers 200
 */
export async function fetchManifest(
  endpoint: RegistryEndpoint,
  repo: string,
  reference: string,
): Promise<FetchedManifest> {
  const headers = await authHeaders(endpoint, [`repository:${repo}:pull`]);
  const response = await fetch(`${endpoint.url}/v2/${repo}/manifests/${reference}`, {
    headers: { ...headers, accept: MANIFEST_MEDIA_TYPES.join(', ') },
  });
  if (response.status !== 200) {
    throw new Error(
      `GET manifest ${repo}:${reference} answered ${response.status}: ${await response.text()}`,
    );
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  return {
    mediaType: response.headers.get('content-type') ?? '',
    digest: digestBytes(bytes),
    bytes,
  };
}

/**
 * Reads a (small) blob with plain `fetch`, following redirects.
 *
 * @param endpoint - the registry and account
 * @param repo - the repository name
 * @param digest - the blob's digest
 * @returns the bytes
 * @throws {Error} unless the registry answers 200
 */
export async function fetchBlob(
  endpoint: RegistryEndpoint,
  repo: string,
  digest: string,
): Promise<Uint8Array> {
  const headers = await authHeaders(endpoint, [`repository:${repo}:pull`]);
  const response = await fetch(`${endpoint.url}/v2/${repo}/blobs/${digest}`, { headers });
  if (response.status !== 200) {
    throw new Error(
      `GET blob ${repo}@${digest} answered ${response.status}: ${await response.text()}`,
    );
  }
  return new Uint8Array(await response.arrayBuffer());
}
