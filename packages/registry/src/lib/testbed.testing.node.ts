import { staticCredentials } from '@ocikit/auth';
import {
  type Credentials,
  collectContent,
  descriptorOf,
  getOcikitPeers,
  getTestbed,
  type OcikitPeersInfo,
  type TestNode,
  uniqueRepo,
} from '@ocikit/testbed';
import type { Transport } from '@ocikit/transport';
import { createNodeTransport } from '@ocikit/transport/node';
import type { RepositoryOptions } from './options.ts';
import { Repository } from './repository.ts';

/** The registries of the test bed, by their auth. */
export type AuthMode = 'anonymous' | 'basic' | 'token';

/**
 * The registry servers the client's integration tests run against: the
 * `distribution` registries of the test bed, and their `@ocikit/server` peers.
 */
export type Peer = 'distribution' | 'ocikit';

/** Both peers, for `describe.each(PEERS)`. */
export const PEERS: readonly Peer[] = ['distribution', 'ocikit'];

/**
 * The registries of a peer by auth mode, with the accounts tests use: the
 * test bed's distribution registries, or the `@ocikit/server` peers of
 * {@link getOcikitPeers}, which have the same accounts.
 */
export function registriesOf(peer: Peer): OcikitPeersInfo {
  return peer === 'ocikit' ? getOcikitPeers() : getTestbed();
}

/** Where a registry of a peer is and the account with full access to it. */
export function endpoint(
  mode: AuthMode,
  peer: Peer = 'distribution',
): { host: string; url: string; credentials?: Credentials } {
  const registries = registriesOf(peer);
  if (mode === 'basic') return { ...registries.basic, credentials: registries.basic.users.push };
  if (mode === 'token') return { ...registries.token, credentials: registries.token.users.push };
  return registries.anonymous;
}

const transports = new Map<string, Transport>();

/**
 * A Node transport for a registry of a peer, with the given account
 * (the full-access one by default), shared by the tests of a file.
 */
export function transportFor(
  mode: AuthMode,
  credentials = endpoint(mode).credentials,
  peer: Peer = 'distribution',
): Transport {
  const { host } = endpoint(mode, peer);
  const key = `${host}\n${credentials?.username ?? ''}\n${credentials?.password ?? ''}`;
  let transport = transports.get(key);
  if (!transport) {
    transport = createNodeTransport({
      retry: { minDelayMs: 1, maxDelayMs: 20 },
      ...(credentials ? { credentials: staticCredentials({ [host]: credentials }) } : {}),
    });
    transports.set(key, transport);
  }
  return transport;
}

/** A repository no other test uses, on a registry of a peer. */
export function freshRepository(
  mode: AuthMode,
  prefix: string,
  options: RepositoryOptions = {},
  peer: Peer = 'distribution',
): Repository {
  const { host, credentials } = endpoint(mode, peer);
  return new Repository(
    { registry: host, repository: uniqueRepo(`registry/${prefix}`) },
    { transport: transportFor(mode, credentials, peer), ...options },
  );
}

/** The helpers of this module bound to one peer, for the body of a `describe.each(PEERS)`. */
export function on(peer: Peer) {
  return {
    registries: registriesOf(peer),
    endpoint: (mode: AuthMode) => endpoint(mode, peer),
    transportFor: (mode: AuthMode, credentials = endpoint(mode, peer).credentials) =>
      transportFor(mode, credentials, peer),
    freshRepository: (mode: AuthMode, prefix: string, options: RepositoryOptions = {}) =>
      freshRepository(mode, prefix, options, peer),
    tracedRepository: (mode: AuthMode, prefix: string, options: RepositoryOptions = {}) =>
      tracedRepository(mode, prefix, options, peer),
  };
}

/** Pushes a test-bed image, artifact or index with the client under test. */
export async function pushNode(repo: Repository, node: TestNode, tag?: string): Promise<void> {
  const { blobs, manifests } = collectContent([node]);
  await Promise.all(blobs.map((blob) => repo.pushBlob(descriptorOf(blob), blob.stream())));
  for (const manifest of manifests) {
    const root = manifest.digest === node.manifest.digest;
    await repo.putManifest(manifest, { tags: root && tag ? [tag] : [] });
  }
}

/**
 * A fresh repository (as {@link freshRepository}) on a transport of its own
 * that records each answered request to a blob endpoint as
 * `METHOD status`, followed by the request's `Content-Range` when it had
 * one, or `mount` for a mount: what a test name about an upload path must match.
 * Auth challenges (401) are left out.
 */
export function tracedRepository(
  mode: AuthMode,
  prefix: string,
  options: RepositoryOptions = {},
  peer: Peer = 'distribution',
): { repo: Repository; trace: string[] } {
  const { host, credentials } = endpoint(mode, peer);
  const trace: string[] = [];
  const ranges = new Map<number, string>();
  const transport = createNodeTransport({
    retry: { minDelayMs: 1, maxDelayMs: 20 },
    ...(credentials ? { credentials: staticCredentials({ [host]: credentials }) } : {}),
    onTrace: (event) => {
      if (event.type === 'request') {
        const range = event.headers['content-range'];
        ranges.set(event.id, range ? ` ${range}` : '');
      }
      if (event.type !== 'response' || event.status === 401) return;
      if (!new URL(event.url).pathname.includes('/blobs/')) return;
      const mount = event.method === 'POST' && event.status === 201 ? ' mount' : '';
      trace.push(`${event.method} ${event.status}${ranges.get(event.id) ?? ''}${mount}`);
    },
  });
  const repo = new Repository(
    { registry: host, repository: uniqueRepo(`registry/${prefix}`) },
    { transport, ...options },
  );
  return { repo, trace };
}
