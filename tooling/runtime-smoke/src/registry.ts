import { digestBytes, readBytes, streamFromBytes } from '@ocikit/digest';
import { Registry, type Repository } from '@ocikit/registry';
import { createImageManifest, MediaType } from '@ocikit/spec';
import { Transport } from '@ocikit/transport';
import { check, rejectsWith } from './check.ts';

const HOST = 'registry.test';

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * A tiny in-memory registry behind an injected `fetch`: `/v2/`, blob and
 * manifest GET/HEAD/PUT, uploads (POST then PUT), tag lists. `blobs` is
 * open, so a test can plant content that does not match its digest.
 */
function memoryRegistry(): { fetch: Fetch; blobs: Map<string, Uint8Array> } {
  const blobs = new Map<string, Uint8Array>();
  const manifests = new Map<string, { bytes: Uint8Array; type: string }>();
  let uploads = 0;
  const bytesOf = async (request: Request) => new Uint8Array(await request.arrayBuffer());
  const send = (bytes: Uint8Array | null, headers: Record<string, string>, status = 200) =>
    new Response(bytes as Uint8Array<ArrayBuffer> | null, { status, headers });
  const fetch: Fetch = async (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const path = url.pathname;
    if (path === '/v2/') return send(null, { 'docker-distribution-api-version': 'registry/2.0' });
    if (path.endsWith('/blobs/uploads/') && request.method === 'POST') {
      uploads += 1;
      return send(
        null,
        { location: `/v2/app/blobs/uploads/${uploads}?_state=s`, range: '0-0' },
        202,
      );
    }
    if (path.includes('/blobs/uploads/') && request.method === 'PUT') {
      const bytes = await bytesOf(request);
      const digest = url.searchParams.get('digest') ?? '';
      if (digestBytes(bytes) !== digest)
        return Response.json({ errors: [{ code: 'DIGEST_INVALID' }] }, { status: 400 });
      blobs.set(digest, bytes);
      return send(null, { 'docker-content-digest': digest }, 201);
    }
    const blob = /\/blobs\/(.+)$/.exec(path)?.[1];
    if (blob !== undefined) {
      const bytes = blobs.get(blob);
      if (bytes === undefined)
        return Response.json({ errors: [{ code: 'BLOB_UNKNOWN' }] }, { status: 404 });
      return send(request.method === 'HEAD' ? null : bytes, {
        'content-length': String(bytes.byteLength),
        'docker-content-digest': blob,
      });
    }
    if (path.endsWith('/tags/list')) {
      return Response.json({
        name: 'app',
        tags: [...manifests.keys()].filter((key) => !key.includes(':')).sort(),
      });
    }
    const reference = /\/manifests\/(.+)$/.exec(path)?.[1] ?? '';
    if (request.method === 'PUT') {
      const bytes = await bytesOf(request);
      const entry = { bytes, type: request.headers.get('content-type') ?? '' };
      manifests.set(reference, entry);
      manifests.set(digestBytes(bytes), entry);
      return send(null, { 'docker-content-digest': digestBytes(bytes) }, 201);
    }
    const entry = manifests.get(reference);
    if (entry === undefined)
      return Response.json({ errors: [{ code: 'MANIFEST_UNKNOWN' }] }, { status: 404 });
    return send(request.method === 'HEAD' ? null : entry.bytes, {
      'content-type': entry.type,
      'content-length': String(entry.bytes.byteLength),
      'docker-content-digest': digestBytes(entry.bytes),
    });
  };
  return { fetch, blobs };
}

/**
 * Drives the built registry client through an in-memory registry (an
 * injected fetch), so it runs on Node, Deno and Bun without a network:
 * ping, blob and manifest push, verified manifest and blob reads, tags, and
 * a corrupted blob caught while it streams.
 */
export async function smokeRegistry(): Promise<void> {
  const memory = memoryRegistry();
  const transport = new Transport({ fetch: memory.fetch });
  const registry = new Registry(HOST, { transport });
  check((await registry.ping()).apiVersion === 'registry/2.0', 'ping');
  const repo: Repository = registry.repository('app');
  const encode = (text: string) => new TextEncoder().encode(text);
  const configBytes = encode('{"architecture":"amd64","os":"linux"}');
  const layerBytes = encode('a layer, streamed');
  const describe = (mediaType: string, bytes: Uint8Array) => ({
    mediaType,
    digest: digestBytes(bytes),
    size: bytes.byteLength,
  });
  const config = describe(MediaType.OciImageConfig, configBytes);
  const layer = describe(MediaType.OciLayer, layerBytes);
  await repo.pushBlob(config, streamFromBytes(configBytes));
  await repo.pushBlob(layer, streamFromBytes(layerBytes, 3));
  const manifest = createImageManifest({ config, layers: [layer] });
  await repo.putManifest(manifest, { tags: ['v1'] });
  const fetched = await repo.getManifest('v1');
  check(fetched.digest === manifest.digest && fetched.kind === 'manifest', 'verified manifest');
  check((await repo.resolve('v1')).digest === manifest.digest, 'resolve by HEAD');
  const blob = await readBytes(await repo.fetch(layer), { maxBytes: layer.size });
  check(digestBytes(blob) === layer.digest, 'verified blob stream');
  const tags: string[] = [];
  for await (const tag of repo.tags()) tags.push(tag);
  check(tags.join() === 'v1', 'tags');
  const missing = { ...layer, digest: digestBytes('nowhere') };
  await rejectsWith(repo.fetch(missing), 'BLOB_UNKNOWN', 'missing blob');
  const planted = { ...layer, digest: digestBytes('planted') };
  memory.blobs.set(
    planted.digest,
    layerBytes.map((byte) => byte ^ 0xff),
  );
  const stream = await repo.fetch(planted);
  await rejectsWith(readBytes(stream, { maxBytes: layer.size }), 'DIGEST_MISMATCH', 'corrupt blob');
  await rejectsWith(repo.fetch({ ...layer, size: 5 }), 'SIZE_EXCEEDED', 'blob over its size');
}
