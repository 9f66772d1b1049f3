import { referenceInvalid } from './errors.ts';
import { ANCHORED_DOMAIN_RE } from './regexp.ts';

const PORT_MAX = 65535;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/**
 * Validates a registry host, `host[:port]`, as given to `login` or a catalog
 * listing: a domain name, IPv4 address or bracketed IPv6 address by the
 * reference grammar, where an IPv6 literal must be a valid address and a port
 * must be 1–65535. The host is returned as given (not normalized).
 *
 * @param host - such as `ghcr.io`, `localhost:5000` or `[::1]:5000`
 * @returns the host
 * @throws {OciError} `REFERENCE_INVALID` when it is not a usable host
 */
export function parseRegistryHost(host: string): string {
  const subject = 'Invalid registry host';
  if (!ANCHORED_DOMAIN_RE.test(host)) {
    throw referenceInvalid(
      subject,
      host,
      host === ''
        ? 'it is empty'
        : 'expected a domain name, IPv4 address or bracketed IPv6 address, with an optional ":port"',
    );
  }
  const problem = hostProblem(host);
  if (problem !== undefined) throw referenceInvalid(subject, host, problem);
  return host;
}

/**
 * What the reference grammar lets through but no connection can use: an
 * IPv6 literal that is not an address (`[1::2::3]`), a port outside 1–65535.
 *
 * @param host - a host that matches the domain grammar
 * @returns the problem, or `undefined` when the host is usable
 */
export function hostProblem(host: string): string | undefined {
  let port: string | undefined;
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    const address = host.slice(1, close);
    if (!isIPv6Address(address)) return `"[${address}]" is not a valid IPv6 address`;
    if (close + 1 < host.length) port = host.slice(close + 2);
  } else {
    const colon = host.indexOf(':');
    if (colon >= 0) port = host.slice(colon + 1);
  }
  if (port !== undefined) {
    const value = Number(port);
    if (value < 1 || value > PORT_MAX) return `port ${port} is outside 1-${PORT_MAX}`;
  }
  return undefined;
}

/** RFC 4291 text form, hex groups only: eight groups, or fewer around one `::`. */
function isIPv6Address(text: string): boolean {
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((half) => (half === '' ? [] : half.split(':')));
  if (!groups.every((group) => HEX_GROUP.test(group))) return false;
  return halves.length === 2 ? groups.length <= 7 : groups.length === 8;
}
