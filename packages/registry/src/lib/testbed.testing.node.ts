import { staticCredentials } from '@ocikit/auth';
import {
  type Credentials,
  collectContent,
  descriptorOf,
  getTestbed,
  type TestNode,
  uniqueRepo,
} from '@ocikit/testbed';
import type { Transport } from '@ocikit/transport';
import { createNodeTransport } from '@ocikit/transport/node';
import type { RepositoryOptions } from './options.ts';
import { Repository } from './repository.ts';

/** The registries of the test bed, by their auth. */
export type AuthMode = 'anonymous' | 'basic' | 'token';

/** Where a registry of the test bed is and the account with full access to it. */
export function endpoint(mode: AuthMode): { host: string; url: string; credentials?: Credentials } {
  const testbed = getTestbed();
  if (mode === 'basic') return { ...testbed.basic, credentials: testbed.basic.users.push };
  if (mode === 'token') return { ...testbed.token, credentials: testbed.token.users.push };
  return testbed.anonymous;
}

const transports = new Map<string, Transport>();

/**
 * A Node transport for a registry of the test bed, with the given account
 * (the full-access one by default), shared by the tests of a file.
 */
export function transportFor(mode: AuthMode, credentials = endpoint(mode).credentials): Transport {
  const key = `${mode}\n${credentials?.username ?? ''}\n${credentials?.password ?? ''}`;
  let transport = transports.get(key);
  if (!transport) {
    const { host } = endpoint(mode);
    transport = createNodeTransport({
      retry: { minDelayMs: 1, maxDelayMs: 20 },
      ...(credentials ? { credentials: staticCredentials({ [host]: credentials }) } : {}),
    });
    transports.set(key, transport);
  }
  return transport;
}

/** A repository no other test uses, on a registry of the test bed. */
export function freshRepository(
  mode: AuthMode,
  prefix: string,
  options: RepositoryOptions = {},
): Repository {
  const { host } = endpoint(mode);
  return new Repository(
    { registry: host, repository: uniqueRepo(`registry/${prefix}`) },
    { transport: transportFor(mode), ...options },
  );
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
): { repo: Repository; trace: string[] } {
  const { host, credentials } = endpoint(mode);
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
