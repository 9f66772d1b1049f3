import type { Descriptor, TestBlob } from './images/blob.ts';
import { descriptorOf } from './images/blob.ts';
import { collectContent } from './images/graph.ts';
import type { TestNode } from './images/image.ts';
import { authHeaders, type RegistryEndpoint } from './registry-auth.ts';

/** Options of {@link pushImage}. */
export interface PushImageOptions {
  /** The tag for the root manifest; pushed by digest only without it. */
  tag?: string;
  /**
   * How many blobs to upload at once.
   * @default 4
   */
  concurrency?: number;
}

async function expectStatus(response: Response, expected: number, what: string): Promise<void> {
  if (response.status === expected) {
    await response.body?.cancel();
    return;
  }
  const text = await response.text();
  throw new Error(
    `${what} answered ${response.status} (expected ${expected}): ${text.slice(0, 500)}`,
  );
}

async function uploadBlob(
  base: string,
  repo: string,
  blob: TestBlob,
  headers: Record<string, string>,
): Promise<void> {
  const head = await fetch(`${base}/v2/${repo}/blobs/${blob.digest}`, { method: 'HEAD', headers });
  if (head.status === 200) return;
  const start = await fetch(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers });
  await expectStatus(start, 202, `POST /v2/${repo}/blobs/uploads/`);
  const location = new URL(start.headers.get('location') ?? '', base);
  location.searchParams.set('digest', blob.digest);
  const init: RequestInit & { duplex?: 'half' } = {
    method: 'PUT',
    headers: {
      ...headers,
      'content-type': 'application/octet-stream',
      ...(blob.bytes ? {} : { 'content-length': String(blob.size) }),
    },
    body: (blob.bytes as Uint8Array<ArrayBuffer> | undefined) ?? blob.stream(),
    duplex: 'half',
  };
  await expectStatus(await fetch(location, init), 201, `PUT blob ${blob.digest}`);
}

/**
 * Pushes a node with plain `fetch`, deliberately not with ocikit's registry
 * client, so tests have an independent oracle: HEAD each blob, else POST an
 * upload and PUT it whole with `?digest=`; then PUT every manifest, children
 * by digest first, the root by `tag` (or digest).
 *
 * @param endpoint - the registry and account ({@link RegistryEndpoint})
 * @param repo - the repository name
 * @param node - the image, artifact or index
 * @param options - {@link PushImageOptions}
 * @returns the root manifest's descriptor
 * @throws {Error} on any unexpected status, with the registry's error body
 */
export async function pushImage(
  endpoint: RegistryEndpoint,
  repo: string,
  node: TestNode,
  options: PushImageOptions = {},
): Promise<Descriptor> {
  const headers = await authHeaders(endpoint, [`repository:${repo}:pull,push`]);
  const base = endpoint.url;
  const { blobs, manifests } = collectContent([node]);
  const queue = [...blobs];
  const workers = Array.from(
    { length: Math.min(options.concurrency ?? 4, queue.length) },
    async () => {
      for (let blob = queue.shift(); blob; blob = queue.shift()) {
        await uploadBlob(base, repo, blob, headers);
      }
    },
  );
  await Promise.all(workers);
  for (const manifest of manifests) {
    const root = manifest.digest === node.manifest.digest;
    const reference = root && options.tag ? options.tag : manifest.digest;
    const response = await fetch(`${base}/v2/${repo}/manifests/${reference}`, {
      method: 'PUT',
      headers: { ...headers, 'content-type': manifest.mediaType },
      body: manifest.bytes as Uint8Array<ArrayBuffer>,
    });
    await expectStatus(response, 201, `PUT /v2/${repo}/manifests/${reference}`);
  }
  return descriptorOf(node.manifest);
}
