import { type HostsConfig, hostOptions } from './hosts.ts';
import { redactUrl } from './redact.ts';

/**
 * Why the client must not go on from `from` to `to`, or undefined when it
 * may. The one rule for redirects, URLs a registry hands out (upload
 * `Location`s) and token realms: only http(s), and https never goes down to
 * plain http unless the host of `to` is configured `insecure` or
 * `plainHttp` (explicitly; the loopback default does not count). Whether
 * credentials go along is a separate rule: only to the same origin.
 *
 * @param from - where the client is (the registry, or the previous hop)
 * @param to - where it is told to go
 * @param hosts - the host configuration
 * @returns the reason to refuse, for a message, or undefined
 */
export function hopRefusal(from: URL, to: URL, hosts: HostsConfig | undefined): string | undefined {
  if (to.protocol !== 'https:' && to.protocol !== 'http:') {
    return `${to.protocol} is not http(s)`;
  }
  if (from.protocol !== 'https:' || to.protocol !== 'http:') return undefined;
  const options = hostOptions(hosts, to.host);
  if (options.insecure === true || options.plainHttp === true) return undefined;
  return `it would go from https to http (${redactUrl(to)}), and "${to.host}" is not configured insecure`;
}
