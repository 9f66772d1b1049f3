import { encodeBasicAuth } from '@ocikit/auth';
import { digestBytes, readBytes, streamFromBytes } from '@ocikit/digest';
import { Registry } from '@ocikit/registry';
import { createRegistryHandler, htpasswdAuth } from '@ocikit/server';
import { createImageManifest, MediaType } from '@ocikit/spec';
import { Transport } from '@ocikit/transport';
import { check, rejectsWith } from './check.ts';

/**
 * Drives the built registry client against the built embedded registry
 * handler, wired as the client's `fetch` (no network, so it runs alike on
 * Node, Deno and Bun): push, pull, tags, a refused manifest, and Basic
 * auth against a bcrypt htpasswd entry.
 */
export async function smokeServer(): Promise<void> {
  const handler = createRegistryHandler();
  const fetch = async (input: string | URL | Request, init?: RequestInit) =>
    handler(input instanceof Request ? input : new Request(input, init));
  const registry = new Registry('registry.test', { transport: new Transport({ fetch }) });
  check((await registry.ping()).apiVersion === 'registry/2.0', 'ping');
  const repo = registry.repository('smoke/app');
  const encode = (text: string) => new TextEncoder().encode(text);
  const describe = (mediaType: string, bytes: Uint8Array) => ({
    mediaType,
    digest: digestBytes(bytes),
    size: bytes.byteLength,
  });
  const configBytes = encode('{"architecture":"amd64","os":"linux"}');
  const layerBytes = encode('a layer, streamed in pieces');
  const config = describe(MediaType.OciImageConfig, configBytes);
  const layer = describe(MediaType.OciLayer, layerBytes);
  await repo.pushBlob(config, streamFromBytes(configBytes));
  await repo.pushBlob(layer, streamFromBytes(layerBytes, 5));
  const manifest = createImageManifest({ config, layers: [layer] });
  await repo.putManifest(manifest, { tags: ['v1'] });
  check((await repo.resolve('v1')).digest === manifest.digest, 'resolve');
  const pulled = await readBytes(await repo.fetch(layer), { maxBytes: layer.size });
  check(digestBytes(pulled) === layer.digest, 'pull');
  const tags: string[] = [];
  for await (const tag of repo.tags()) tags.push(tag);
  check(tags.join() === 'v1', 'tags');
  const dangling = createImageManifest({
    config,
    layers: [describe(MediaType.OciLayer, encode('never pushed'))],
  });
  await rejectsWith(repo.putManifest(dangling), 'MANIFEST_BLOB_UNKNOWN', 'dangling manifest');

  const guarded = createRegistryHandler({
    auth: htpasswdAuth('smoke:$2b$04$Y/fRNTOD5hGlceJj/jP3Ret.2Q0Y1GmDdXQOLKNZSUjYXlrCQ0DmK\n'),
  });
  const ask = (headers: Record<string, string>) =>
    guarded(new Request('http://registry.test/v2/', { headers }));
  check((await ask({})).status === 401, 'auth refuses anonymous');
  const authorization = `Basic ${encodeBasicAuth('smoke', 'smoke-password')}`;
  check((await ask({ authorization })).status === 200, 'auth accepts the bcrypt password');
}
