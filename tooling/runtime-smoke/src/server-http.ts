import { digestBytes, readBytes, streamFromBytes } from '@ocikit/digest';
import { Repository } from '@ocikit/registry';
import { createRegistryHandler, type RegistryHandler } from '@ocikit/server';
import { listen } from '@ocikit/server/node';
import { MediaType } from '@ocikit/spec';
import { check } from './check.ts';

interface Served {
  host: string;
  close(): Promise<void>;
}

interface DenoServe {
  serve(
    options: { port: number; hostname: string; onListen(): void },
    handler: RegistryHandler,
  ): { addr: { port: number }; shutdown(): Promise<void> };
}

interface BunServe {
  serve(options: { port: number; hostname: string; fetch: RegistryHandler }): {
    port: number;
    stop(force: boolean): Promise<void> | void;
  };
}

/** Serves the handler with the runtime's own server: `Deno.serve`, `Bun.serve`, or `node:http`. */
async function serveHere(handler: RegistryHandler): Promise<Served> {
  const runtime = globalThis as unknown as { Deno?: DenoServe; Bun?: BunServe };
  if (runtime.Deno) {
    const server = runtime.Deno.serve({ port: 0, hostname: '127.0.0.1', onListen() {} }, handler);
    return { host: `127.0.0.1:${server.addr.port}`, close: () => server.shutdown() };
  }
  if (runtime.Bun) {
    const server = runtime.Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: handler });
    return { host: `127.0.0.1:${server.port}`, close: async () => server.stop(true) };
  }
  const server = await listen(handler);
  return { host: server.host, close: () => server.close() };
}

/**
 * Starts the built registry handler with the runtime's own HTTP server
 * (`Deno.serve`, `Bun.serve`, the `node:http` adapter on Node), pushes a
 * blob in PATCH chunks and a manifest with the built client over real
 * HTTP, pulls them back, and stops.
 */
export async function smokeServerHttp(): Promise<void> {
  const served = await serveHere(createRegistryHandler());
  try {
    const repo = new Repository(`${served.host}/smoke/http`, {
      chunkSize: 1000,
      streamUploads: false,
    });
    const layerBytes = new Uint8Array(5000).map((_, index) => index % 251);
    const layer = { mediaType: MediaType.OciLayer, digest: digestBytes(layerBytes), size: 5000 };
    await repo.pushBlob(layer, streamFromBytes(layerBytes));
    const pulled = await readBytes(await repo.fetch(layer), { maxBytes: layer.size });
    check(digestBytes(pulled) === layer.digest, 'blob over HTTP');
    const range = await readBytes(await repo.fetchRange(layer, { offset: 4000 }), {
      maxBytes: layer.size,
    });
    check(range.byteLength === 1000 && range[0] === layerBytes[4000], 'range over HTTP');
    for await (const tag of repo.tags()) check(tag === undefined, 'tag list over HTTP');
  } finally {
    await served.close();
  }
}
