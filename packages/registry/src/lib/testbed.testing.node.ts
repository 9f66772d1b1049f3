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
