import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { staticCredentials } from '@ocikit/auth';
import { digestStream, readBytes } from '@ocikit/digest';
import {
  collect,
  descriptorOf,
  errorCode,
  faultClient,
  getTestbed,
  makeImage,
  pushImage,
  randomBlob,
  redirectRequests,
  uniqueRepo,
} from '@ocikit/testbed';
import { createNodeTransport } from '@ocikit/transport/node';
import { afterAll, describe, expect, it } from 'vitest';
import type { RepositoryOptions } from './options.ts';
import { Repository } from './repository.ts';
import { endpoint, transportFor } from './testbed.testing.node.ts';

const testbed = getTestbed();
const faults = faultClient(testbed.faults.controlUrl);

/** A repository of the anonymous registry, reached through the fault proxy. */
function behindFaults(
  name: string,
  options: Pick<RepositoryOptions, 'chunkSize' | 'streamUploads'> = {},
): Repository {
  return new Repository(
    { registry: testbed.faults.host, repository: name },
    { transport: transportFor('anonymous'), ...options },
  );
}

async function seededBlob(name: string, size: number) {
  const blob = await randomBlob({ size, seed: name });
  await behindFaults(name).pushBlob(descriptorOf(blob), blob.stream());
  return blob;
}

interface Server {
  readonly host: string;
  readonly requests: string[];
  close(): Promise<void>;
}

const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

async function serve(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<Server> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const running: Server = {
    host: `127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(running);
  return running;
}

function repositoryOn(server: Server, options: { maxManifestSize?: number } = {}): Repository {
  return new Repository(
    { registry: server.host, repository: 'hostile/app' },
    {
      transport: createNodeTransport({
        hosts: { [server.host]: { plainHttp: true } },
        retry: { retries: 0 },
        credentials: staticCredentials({ [server.host]: { username: 'u', password: 'secret' } }),
      }),
      ...options,
    },
  );
}

describe('a hostile or broken path to the registry (fault proxy)', () => {
  it('fails a corrupted blob or manifest with DIGEST_MISMATCH', async () => {
    const name = uniqueRepo('registry/hostile/corrupt');
    const blob = await seededBlob(name, 100_000);
    const image = await makeImage({ seed: name });
    await pushImage({ url: testbed.anonymous.url }, name, image, { tag: 'v1' });
    const rule = await faults.add({
      method: 'GET',
      path: `^/v2/${name}/(blobs|manifests)/`,
      times: 'always',
      fault: { type: 'corrupt', offset: 50 },
    });
    try {
      const stream = await behindFaults(name).fetch(descriptorOf(blob));
      expect(await errorCode(digestStream(stream))).toBe('DIGEST_MISMATCH');
      expect(await errorCode(behindFaults(name).fetchManifest('v1'))).toBe('DIGEST_MISMATCH');
      expect(await errorCode(behindFaults(name).fetchManifest(image.manifest.digest))).toBe(
        'DIGEST_MISMATCH',
      );
    } finally {
      await rule.remove();
    }
  });

  it('resumes a truncated body and a dropped connection with Range, from the byte it needs', async () => {
    for (const fault of [
      { type: 'truncate', bytes: 300_000 },
      { type: 'drop-body', afterBytes: 700_000 },
    ] as const) {
      const name = uniqueRepo(`registry/hostile/${fault.type}`);
      const blob = await seededBlob(name, 1_000_000);
      const rule = await faults.add({
        method: 'GET',
        path: `^/v2/${name}/blobs/`,
        times: 1,
        fault,
      });
      try {
        const read = await digestStream(await behindFaults(name).fetch(descriptorOf(blob)));
        expect(read, fault.type).toEqual({ digest: blob.digest, size: blob.size });
        const gets = await faults.requests(`^/v2/${name}/blobs/sha256`);
        expect(
          gets.filter((request) => request.method === 'GET'),
          fault.type,
        ).toHaveLength(2);
      } finally {
        await rule.remove();
      }
    }
  });

  it('gives up after maxResumes when the connection keeps dropping', async () => {
    const name = uniqueRepo('registry/hostile/drops');
    const blob = await seededBlob(name, 500_000);
    const rule = await faults.add({
      method: 'GET',
      path: `^/v2/${name}/blobs/`,
      times: 'always',
      fault: { type: 'drop-body', afterBytes: 1000 },
    });
    try {
      const stream = await behindFaults(name).fetch(descriptorOf(blob));
      expect(await errorCode(digestStream(stream))).toBe('NETWORK_ERROR');
      expect(await rule.hits()).toBe(4);
    } finally {
      await rule.remove();
    }
  });

  it('retries a chunk after 503s and a session start after a 429', async () => {
    const name = uniqueRepo('registry/hostile/chunks');
    const blob = await randomBlob({ size: 600_000, seed: name });
    const patch = await faults.add({
      method: 'PATCH',
      path: `^/v2/${name}/blobs/uploads/`,
      times: 2,
      fault: { type: 'status', status: 503 },
    });
    const post = await faults.add({
      method: 'POST',
      path: `^/v2/${name}/blobs/uploads/`,
      times: 1,
      fault: { type: 'status', status: 429, retryAfter: 0 },
    });
    try {
      const repo = behindFaults(name, { chunkSize: 256 * 1024, streamUploads: false });
      await repo.pushBlob(descriptorOf(blob), blob.stream());
      expect(await repo.exists(descriptorOf(blob))).toBe(true);
      expect(await patch.hits()).toBe(2);
      expect(await post.hits()).toBe(1);
    } finally {
      await Promise.all([patch.remove(), post.remove()]);
    }
  });
});

describe('a hostile server', () => {
  it('cannot make a manifest read run past the cap', async () => {
    const server = await serve((request, response) => {
      if (request.url === '/v2/') {
        response.end('{}');
        return;
      }
      if (request.url?.endsWith('/declared')) {
        response.writeHead(200, {
          'content-type': 'application/vnd.oci.image.manifest.v1+json',
          'content-length': String(64 * 1024 * 1024),
        });
        response.write('{"schemaVersion":2,');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (response.write(chunk)) {
          if (response.destroyed) return;
        }
        response.once('drain', pump);
      };
      pump();
    });
    const repo = repositoryOn(server, { maxManifestSize: 1024 * 1024 });
    expect(await errorCode(repo.fetchManifest('declared'))).toBe('SIZE_EXCEEDED');
    expect(await errorCode(repo.fetchManifest('endless'))).toBe('SIZE_EXCEEDED');
  });

  it('gets typed errors out of malformed error bodies', async () => {
    const server = await serve((request, response) => {
      if (request.url === '/v2/') {
        response.end('{}');
        return;
      }
      const status = Number(/status-(\d+)/.exec(request.url ?? '')?.[1] ?? 500);
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end('{"errors": [ {"code": "MANIFEST_UNKN');
    });
    const repo = repositoryOn(server);
    const cases: [string, string, number][] = [
      ['status-404', 'MANIFEST_UNKNOWN', 404],
      ['status-400', 'HTTP_UNEXPECTED_STATUS', 400],
      ['status-500', 'HTTP_UNEXPECTED_STATUS', 500],
      ['status-405', 'UNSUPPORTED', 405],
    ];
    for (const [tag, code, status] of cases) {
      const error = await repo.fetchManifest(tag).catch((caught: unknown) => caught);
      expect(error, tag).toMatchObject({ code, status });
    }
  });

  it('cannot send the listing (or credentials) to another host with a Link header', async () => {
    const evil = await serve((_request, response) => response.end('{"tags":["stolen"]}'));
    const server = await serve((request, response) => {
      if (request.headers.authorization === undefined) {
        response.writeHead(401, { 'www-authenticate': 'Basic realm="hostile"' });
        response.end();
        return;
      }
      response.writeHead(200, {
        'content-type': 'application/json',
        link: `<http://${evil.host}/v2/hostile/app/tags/list?last=a>; rel="next"`,
      });
      response.end('{"tags":["a"]}');
    });
    expect(await errorCode(collect(repositoryOn(server).tags()))).toBe('REDIRECT_INVALID');
    expect(evil.requests).toEqual([]);
  });

  it("cannot keep a download hanging past the caller's signal", async () => {
    const server = await serve((request, response) => {
      if (request.url === '/v2/') {
        response.end('{}');
        return;
      }
      response.writeHead(200, { 'content-length': '1000' });
      response.write(Buffer.alloc(10));
    });
    const repo = repositoryOn(server);
    const descriptor = {
      mediaType: 'application/octet-stream',
      digest: `sha256:${'0'.repeat(64)}` as const,
      size: 1000,
    };
    const signal = AbortSignal.timeout(300);
    const stream = await repo.fetch(descriptor, { signal });
    expect(await errorCode(readBytes(stream, { maxBytes: 1000 }))).toBe('ABORTED');
  });
});

describe('redirects of blob downloads', () => {
  const { redirect } = testbed;

  it('follows a redirect to storage on another host, without the credentials, verified', async () => {
    const name = uniqueRepo('registry/redirect/storage');
    const blob = await randomBlob({ size: 200_000, seed: name });
    await new Repository(`${testbed.anonymous.host}/${name}`, {
      transport: transportFor('anonymous'),
    }).pushBlob(descriptorOf(blob), blob.stream());
    const repo = new Repository(
      { registry: redirect.host, repository: name },
      {
        transport: createNodeTransport({
          credentials: staticCredentials({ [redirect.host]: redirect.credentials }),
        }),
      },
    );
    expect(await digestStream(await repo.fetch(descriptorOf(blob)))).toEqual({
      digest: blob.digest,
      size: blob.size,
    });
    const stored = await redirectRequests(redirect.requestsUrl, {
      server: 'storage',
      path: blob.digest,
    });
    expect(stored.length).toBeGreaterThan(0);
    for (const request of stored) expect(request.headers.authorization).toBeUndefined();
  });

  it('refuses a redirect loop and a redirect from https down to http', async () => {
    const name = `${redirect.loopPrefix}${uniqueRepo('registry').replace('registry/', '')}`;
    const blob = await randomBlob({ size: 1000, seed: name });
    await pushImage(endpoint('anonymous'), name, await makeImage({ seed: name }));
    await new Repository(`${testbed.anonymous.host}/${name}`, {
      transport: transportFor('anonymous'),
    }).pushBlob(descriptorOf(blob), blob.stream());
    const credentials = staticCredentials({
      [redirect.host]: redirect.credentials,
      [redirect.httpsHost]: redirect.credentials,
    });
    const loop = new Repository(
      { registry: redirect.host, repository: name },
      { transport: createNodeTransport({ credentials }) },
    );
    expect(await errorCode(loop.fetch(descriptorOf(blob)))).toBe('REDIRECT_INVALID');
    const downgrade = new Repository(
      { registry: redirect.httpsHost, repository: name.replace(redirect.loopPrefix, 'down/') },
      {
        transport: createNodeTransport({
          credentials,
          hosts: { [redirect.httpsHost]: { ca: redirect.caPem } },
        }),
      },
    );
    expect(await errorCode(downgrade.fetch(descriptorOf(blob)))).toBe('REDIRECT_INVALID');
  });
});
