import type { Credentials } from './types.ts';

/** Where a registry is and how to log in to it. */
export interface RegistryEndpoint {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** The account, for Basic auth or the token server; anonymous without it. */
  credentials?: Credentials;
}

function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const scheme = header.split(' ', 1)[0]?.toLowerCase() ?? '';
  const params: Record<string, string> = {};
  for (const match of header.matchAll(/(\w+)="([^"]*)"/g)) {
    if (match[1] && match[2] !== undefined) params[match[1]] = match[2];
  }
  return { scheme, params };
}

function basic(credentials: Credentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}

/**
 * Logs in to a registry the simple way, independently of ocikit's auth code:
 * `GET /v2/`, then Basic credentials or a token from the `Bearer` realm
 * (GET, Basic credentials when given, one `scope` parameter per scope).
 *
 * @param endpoint - {@link RegistryEndpoint}
 * @param scopes - scopes to ask a token for, such as `repository:NAME:pull,push`
 * @returns headers to add to requests (`{}` when the registry needs none)
 * @throws {Error} when the registry asks for credentials there are none of,
 *   or the token server refuses them
 */
export async function authHeaders(
  endpoint: RegistryEndpoint,
  scopes: readonly string[] = [],
): Promise<Record<string, string>> {
  const ping = await fetch(`${endpoint.url}/v2/`);
  await ping.body?.cancel();
  if (ping.status === 200) return {};
  const header = ping.headers.get('www-authenticate');
  if (ping.status !== 401 || !header) {
    throw new Error(`GET /v2/ on ${endpoint.url} answered ${ping.status} without a challenge`);
  }
  const { scheme, params } = parseChallenge(header);
  if (scheme === 'basic') {
    if (!endpoint.credentials) throw new Error(`${endpoint.url} requires Basic credentials`);
    return { authorization: basic(endpoint.credentials) };
  }
  if (scheme !== 'bearer' || !params.realm) throw new Error(`Unsupported challenge "${header}"`);
  const realm = new URL(params.realm);
  if (params.service) realm.searchParams.set('service', params.service);
  for (const scope of scopes) realm.searchParams.append('scope', scope);
  const response = await fetch(realm, {
    headers: endpoint.credentials ? { authorization: basic(endpoint.credentials) } : {},
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`The token server ${realm.origin} answered ${response.status}`);
  }
  const body = (await response.json()) as { token?: string; access_token?: string };
  const token = body.token ?? body.access_token;
  if (!token) throw new Error(`The token server ${realm.origin} sent no token`);
  return { authorization: `Bearer ${token}` };
}
