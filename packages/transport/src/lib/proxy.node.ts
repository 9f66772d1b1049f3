import { OciError } from '@ocikit/digest';
import type { Dispatcher, Undici } from './undici.node.ts';

/** Where requests go through a proxy, as `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY` say. */
export interface ProxyOptions {
  /**
   * The proxy for `http://` registries, such as `http://proxy:3128`
   * (`http://user:password@proxy:3128` for a proxy that wants a login).
   * @default none
   */
  http?: string;
  /**
   * The proxy for `https://` registries (tunnelled with `CONNECT`).
   * @default the `http` proxy
   */
  https?: string;
  /**
   * Hosts reached directly: comma- or space-separated names, `.suffix` or
   * `*.suffix` for a domain, `host:port`, `*` for all (curl's syntax).
   * @default none
   */
  noProxy?: string;
}

/**
 * The proxy settings of an environment, as curl reads them: `http_proxy`,
 * `https_proxy`, `no_proxy`, each also in upper case (the lower case wins).
 *
 * @param env - the environment
 * @returns the settings, or `undefined` when no proxy is set
 */
export function proxyFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): ProxyOptions | undefined {
  const read = (name: string): string | undefined =>
    (env[name.toLowerCase()] ?? env[name.toUpperCase()])?.trim() || undefined;
  const http = read('http_proxy');
  const https = read('https_proxy');
  if (http === undefined && https === undefined) return undefined;
  const noProxy = read('no_proxy');
  return {
    ...(http === undefined ? {} : { http }),
    ...(https === undefined ? {} : { https }),
    ...(noProxy === undefined ? {} : { noProxy }),
  };
}

/** Pool options of undici's `Agent` that a dispatcher is built with. */
export type PoolOptions = ConstructorParameters<Undici['Agent']>[0] & {};

/**
 * The dispatcher of one pool: undici's `Agent`, or with a proxy its
 * `EnvHttpProxyAgent` (the TLS options then hold for the registry behind the
 * tunnel too).
 *
 * @param undici - undici's exports
 * @param pool - connections, timeouts and TLS (`connect`)
 * @param proxy - {@link ProxyOptions}, or `undefined` for none
 * @returns the dispatcher
 * @throws {OciError} `CONFIG_INVALID` for a proxy that is no http(s) URL
 */
export function createDispatcher(
  undici: Undici,
  pool: PoolOptions,
  proxy: ProxyOptions | undefined,
): Dispatcher {
  const { Agent, EnvHttpProxyAgent } = undici;
  if (proxy === undefined) return new Agent(pool);
  const http = proxy.http === undefined ? undefined : proxyUrl(proxy.http);
  const https = proxy.https === undefined ? http : proxyUrl(proxy.https);
  const tls = pool.connect !== undefined && typeof pool.connect === 'object' ? pool.connect : {};
  return new EnvHttpProxyAgent({
    ...pool,
    requestTls: tls,
    // An empty value: undici would otherwise read the proxy variables of process.env.
    httpProxy: http ?? '',
    httpsProxy: https ?? '',
    noProxy: proxy.noProxy ?? '',
  } as ConstructorParameters<Undici['EnvHttpProxyAgent']>[0]);
}

/**
 * Checks proxy settings up front, so that a bad one fails where the fetch
 * is made rather than at its first request.
 *
 * @param proxy - {@link ProxyOptions}, or `undefined` for none
 * @throws {OciError} `CONFIG_INVALID` for a proxy that is no http(s) URL
 */
export function checkProxy(proxy: ProxyOptions | undefined): void {
  if (proxy?.http !== undefined) proxyUrl(proxy.http);
  if (proxy?.https !== undefined) proxyUrl(proxy.https);
}

/** A proxy setting as a URL (`proxy:3128` means `http://proxy:3128`, as for curl). */
function proxyUrl(value: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new OciError(
      'CONFIG_INVALID',
      'The proxy setting is not a URL, such as http://proxy:3128',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new OciError(
      'CONFIG_INVALID',
      `The proxy ${url.host} has the scheme "${url.protocol}"; only http: and https: proxies are supported`,
    );
  }
  return url.href;
}
