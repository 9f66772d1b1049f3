import { OciError } from '@ocikit/digest';

/**
 * How to reach one registry host. One flag, `insecure`, is enough for a
 * registry without a trusted certificate: https is tried first (without
 * verification in Node), then plain http.
 */
export interface HostOptions {
  /**
   * Talk plain http only.
   * @default false
   */
  plainHttp?: boolean;
  /**
   * Accept an untrusted certificate (Node, through `@ocikit/transport/node`)
   * and fall back to plain http when https fails. `localhost`,
   * `127.0.0.0/8` and `::1` get the http fallback by default, as in Docker.
   * @default false
   */
  insecure?: boolean;
  /**
   * Pull-through mirrors (`host[:port]` or `https://host[:port]`), tried in
   * order for GET and HEAD before the registry itself.
   * @default []
   */
  mirrors?: readonly string[];
  /**
   * The host actually contacted for this registry name.
   * @default `registry-1.docker.io` for `docker.io`, else the name itself
   */
  endpoint?: string;
  /** PEM CA certificate(s) to trust for this host (Node only). */
  ca?: string | readonly string[];
  /** PEM client certificate for mutual TLS (Node only). */
  cert?: string;
  /** PEM private key of {@link HostOptions.cert} (Node only). */
  key?: string;
}

/** Per-host options: a map keyed by `host[:port]`, or a function. */
export type HostsConfig =
  | Readonly<Record<string, HostOptions>>
  | ((host: string) => HostOptions | undefined);

/** How to talk to one endpoint (a registry or a mirror). */
export interface Endpoint {
  /** `host[:port]`. */
  readonly host: string;
  /** Path prefix of a mirror given as a URL, without a trailing slash; `''` otherwise. */
  readonly prefix: string;
  /** `https`, `http`, or `detect` (https, then http when https fails). */
  readonly scheme: 'https' | 'http' | 'detect';
  /** Whether this endpoint is a mirror (so failures fall through to the next). */
  readonly mirror: boolean;
}

/**
 * The options of a host from a {@link HostsConfig}.
 *
 * @param hosts - the configuration
 * @param host - `host[:port]`
 * @returns its options (empty when none are set)
 */
export function hostOptions(hosts: HostsConfig | undefined, host: string): HostOptions {
  if (!hosts) return {};
  if (typeof hosts === 'function') return hosts(host) ?? {};
  return hosts[host] ?? {};
}

/**
 * Tells whether a host is on the loopback interface: `localhost`,
 * `127.0.0.0/8` or `::1`, with or without a port.
 *
 * @param host - `host[:port]`
 * @returns whether it is loopback
 */
export function isLoopbackHost(host: string): boolean {
  return isLoopbackName(hostName(host));
}

/** The name or address of `host[:port]`, without brackets or port. */
function hostName(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const colon = host.indexOf(':');
  // Two colons or more: a bare IPv6 address, which has no port.
  return colon >= 0 && colon === host.lastIndexOf(':') ? host.slice(0, colon) : host;
}

function isLoopbackName(name: string): boolean {
  return name === 'localhost' || name === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/**
 * The endpoints to try for a request to a registry: its mirrors (when
 * allowed) in order, then the registry's own endpoint.
 *
 * @param hosts - the host configuration
 * @param registry - the registry name as in references (`docker.io`, `localhost:5000`)
 * @param withMirrors - whether mirrors may serve this request
 * @returns the endpoints, the registry's last
 * @throws {OciError} `OPTION_INVALID` for a malformed mirror
 */
export function endpointsFor(
  hosts: HostsConfig | undefined,
  registry: string,
  withMirrors: boolean,
): Endpoint[] {
  const options = hostOptions(hosts, registry);
  const host = options.endpoint ?? (registry === 'docker.io' ? 'registry-1.docker.io' : registry);
  const own = endpointOf(hosts, host, options, false);
  if (!withMirrors) return [own];
  return [...(options.mirrors ?? []).map((mirror) => mirrorEndpoint(hosts, mirror)), own];
}

function endpointOf(
  hosts: HostsConfig | undefined,
  host: string,
  options: HostOptions,
  mirror: boolean,
  prefix = '',
  scheme?: 'https' | 'http',
): Endpoint {
  const own = hostOptions(hosts, host);
  const plainHttp = options.plainHttp ?? own.plainHttp ?? false;
  const insecure = options.insecure ?? own.insecure ?? isLoopbackHost(host);
  return {
    host,
    prefix,
    scheme: scheme ?? (plainHttp ? 'http' : insecure ? 'detect' : 'https'),
    mirror,
  };
}

function mirrorEndpoint(hosts: HostsConfig | undefined, mirror: string): Endpoint {
  if (!mirror.includes('://')) return endpointOf(hosts, mirror, {}, true);
  let url: URL;
  try {
    url = new URL(mirror);
  } catch {
    throw new OciError('OPTION_INVALID', `Mirror "${mirror}" is not host[:port] or an http(s) URL`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.search) {
    throw new OciError('OPTION_INVALID', `Mirror "${mirror}" is not host[:port] or an http(s) URL`);
  }
  const prefix = url.pathname.replace(/\/+$/, '');
  return endpointOf(hosts, url.host, {}, true, prefix, url.protocol === 'http:' ? 'http' : 'https');
}
