/**
 * The key Docker stores Docker Hub credentials under in `config.json` and in
 * credential helpers (a legacy v1 index URL).
 *
 * @see https://github.com/docker/cli/blob/master/cli/config/configfile/file.go
 */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';

/** Host names that all mean Docker Hub: the name in references, the index, and the API endpoint. */
const DOCKER_HUB_HOSTS: readonly string[] = [
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
];

/**
 * Reduces a credential key or registry address to `host[:port]` the way
 * docker/cli's `ConvertToHostname` does: a scheme, user info and path are
 * stripped, a port is kept, an IPv6 literal with a port gets brackets. Case is
 * kept; {@link normalizeRegistryHost} also lower-cases.
 *
 * @param key - `example.com`, `https://example.com:5000/v2/`, `https://index.docker.io/v1/`, …
 * @returns the host and port, such as `example.com:5000`
 * @see https://github.com/docker/cli/blob/master/cli/config/credentials/file_store.go
 */
export function hostFromCredentialKey(key: string): string {
  const schemeEnd = key.indexOf('://');
  if (schemeEnd >= 0) {
    const rest = key.slice(schemeEnd + 3);
    const authority = (rest.split(/[/?#]/)[0] ?? '').replace(/^.*@/, '');
    if (authority !== '') return hostOfAuthority(authority);
  }
  return key.split('/')[0] ?? '';
}

/**
 * The canonical form of a registry host used to match credentials: the host
 * of {@link hostFromCredentialKey}, lower-cased (DNS names are
 * case-insensitive). Docker Hub aliases are kept apart here; see
 * {@link isDockerHubHost}.
 *
 * @param value - a host, `host:port`, URL or credential key
 * @returns such as `localhost:5000` or `index.docker.io`
 */
export function normalizeRegistryHost(value: string): string {
  return hostFromCredentialKey(value.trim()).toLowerCase();
}

/**
 * Tells whether a host is Docker Hub: `docker.io`, `index.docker.io` or
 * `registry-1.docker.io` (the API endpoint a client actually contacts), in
 * any of the forms {@link normalizeRegistryHost} accepts.
 *
 * @param host - a host, URL or credential key
 * @returns whether its credentials live under {@link DOCKER_HUB_AUTH_KEY}
 */
export function isDockerHubHost(host: string): boolean {
  return DOCKER_HUB_HOSTS.includes(normalizeRegistryHost(host));
}

/**
 * The key Docker writes a host's credentials under: {@link DOCKER_HUB_AUTH_KEY}
 * for Docker Hub, else the normalized `host[:port]`.
 *
 * @param host - a host, URL or credential key
 * @returns the `auths` / credential-helper key
 */
export function credentialKeyFor(host: string): string {
  return isDockerHubHost(host) ? DOCKER_HUB_AUTH_KEY : normalizeRegistryHost(host);
}

/**
 * Picks the stored key that holds the credential for a host, most specific
 * first:
 *
 * 1. namespaced keys `host/ns/repo`, then `host/ns` (containers `auth.json`),
 *    when a repository is given;
 * 2. the bare host key, compared case-insensitively;
 * 3. for Docker Hub, {@link DOCKER_HUB_AUTH_KEY}, then the other Hub names;
 * 4. a URL key whose host matches (`https://host:5000/v1/`), Hub names last.
 *
 * Keys without a scheme but with a path are namespaces: they answer only for
 * repositories inside them, never for the whole host.
 *
 * @param keys - the stored keys (`auths` or `credHelpers` keys)
 * @param host - the registry host asked for
 * @param options - `repository`, the path inside the registry (`library/ubuntu`)
 * @returns the matching key as stored, or `undefined`
 * @see https://github.com/containers/image/blob/main/docs/containers-auth.json.5.md
 */
export function findCredentialKey(
  keys: Iterable<string>,
  host: string,
  options: { repository?: string } = {},
): string | undefined {
  const wanted = normalizeRegistryHost(host);
  const hub = DOCKER_HUB_HOSTS.includes(wanted);
  const names = hub ? [wanted, ...DOCKER_HUB_HOSTS.filter((name) => name !== wanted)] : [wanted];
  const bare = new Map<string, string>();
  const namespaced = new Map<string, string>();
  const urls: string[] = [];
  for (const key of keys) {
    if (key.includes('://')) {
      urls.push(key);
      continue;
    }
    const slash = key.indexOf('/');
    const index = slash < 0 ? bare : namespaced;
    const normalized =
      slash < 0 ? key.toLowerCase() : key.slice(0, slash).toLowerCase() + key.slice(slash);
    if (!index.has(normalized)) index.set(normalized, key);
  }
  const segments = (options.repository ?? '').split('/').filter((segment) => segment !== '');
  for (let length = segments.length; length > 0; length -= 1) {
    const namespace = segments.slice(0, length).join('/');
    for (const name of names) {
      const key = namespaced.get(`${name}/${namespace}`);
      if (key !== undefined) return key;
    }
  }
  const exact = bare.get(wanted);
  if (exact !== undefined) return exact;
  if (hub && urls.includes(DOCKER_HUB_AUTH_KEY)) return DOCKER_HUB_AUTH_KEY;
  for (const name of names) {
    const key = bare.get(name);
    if (key !== undefined) return key;
  }
  for (const name of names) {
    const key = urls.find((candidate) => normalizeRegistryHost(candidate) === name);
    if (key !== undefined) return key;
  }
  return undefined;
}

/** The host of a URL authority, as Go's `url.Parse` + `Hostname`/`Port` (and docker/cli's fallback) give it. */
function hostOfAuthority(authority: string): string {
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close < 0) return authority;
    const address = authority.slice(1, close);
    const port = authority.slice(close + 1).replace(/^:/, '');
    return port === '' ? address : `[${address}]:${port}`;
  }
  const colons = authority.split(':').length - 1;
  const lastColon = authority.lastIndexOf(':');
  const address = authority.slice(0, lastColon);
  const port = authority.slice(lastColon + 1);
  if (colons === 1) return port === '' ? address : authority;
  if (colons > 1 && address !== '' && /^\d+$/.test(port)) return `[${address}]:${port}`;
  return authority;
}
