import { digestBytes } from '@ocikit/digest';
import { createImageManifest, EMPTY_DESCRIPTOR, MediaType } from '@ocikit/spec';
import { describe, expect, it } from 'vitest';
import { createRegistryHandler, type RegistryHandlerOptions } from './handler.ts';
import { MemoryRegistryStorage } from './memory-storage.ts';

const BASE = 'http://registry.test';
const text = (value: string) => new TextEncoder().encode(value);

interface Call {
  status: number;
  headers: Headers;
  body: Uint8Array;
  json: () => unknown;
  code: () => string | undefined;
}

function registry(options: RegistryHandlerOptions = {}) {
  const handler = createRegistryHandler(options);
  return async (
    method: string,
    path: string,
    init: { body?: Uint8Array | string; headers?: Record<string, string> } = {},
  ): Promise<Call> => {
    const body = typeof init.body === 'string' ? text(init.body) : init.body;
    const response = await handler(
      new Request(`${BASE}${path}`, {
        method,
        headers: init.headers ?? {},
        ...(body === undefined ? {} : { body: new Uint8Array(body) }),
      }),
    );
    const bytes = new Uint8Array(await response.arrayBuffer());
    const json = () => JSON.parse(new TextDecoder().decode(bytes));
    return {
      status: response.status,
      headers: response.headers,
      body: bytes,
      json,
      code: () => (bytes.byteLength > 0 ? json().errors?.[0]?.code : undefined),
    };
  };
}

type Client = ReturnType<typeof registry>;

async function pushBlob(call: Client, name: string, bytes: Uint8Array) {
  const digest = digestBytes(bytes);
  const put = await call('POST', `/v2/${name}/blobs/uploads/?digest=${digest}`, { body: bytes });
  expect(put.status).toBe(201);
  return { mediaType: 'application/octet-stream', digest, size: bytes.byteLength };
}

async function pushImage(call: Client, name: string, tag: string) {
  const config = await pushBlob(call, name, text('{"architecture":"amd64","os":"linux"}'));
  const layer = await pushBlob(call, name, text('layer bytes'));
  const manifest = createImageManifest({
    config: { ...config, mediaType: MediaType.OciImageConfig },
    layers: [{ ...layer, mediaType: MediaType.OciLayer }],
  });
  const put = await call('PUT', `/v2/${name}/manifests/${tag}`, {
    body: manifest.bytes,
    headers: { 'content-type': MediaType.OciImageManifest },
  });
  expect(put.status).toBe(201);
  return manifest;
}

describe('createRegistryHandler: base, routes and errors', () => {
  it('answers /v2/ with the API version header, and unknown routes with a spec error body', async () => {
    const call = registry();
    const base = await call('GET', '/v2/');
    expect(base.status).toBe(200);
    expect(base.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
    const unknown = await call('GET', '/nothing/here');
    expect(unknown.status).toBe(404);
    expect(unknown.code()).toBe('NAME_UNKNOWN');
    const method = await call('POST', '/v2/app/manifests/v1');
    expect(method.status).toBe(405);
    expect(method.code()).toBe('UNSUPPORTED');
  });

  it('refuses invalid names and traversal attempts with NAME_INVALID', async () => {
    const call = registry();
    const cases: [label: string, path: string][] = [
      ['upper case', '/v2/App/tags/list'],
      ['encoded slash and dots', '/v2/a%2F..%2Fb/tags/list'],
      ['empty component', '/v2/a//b/tags/list'],
      ['dot component', '/v2/a/./b%2e/tags/list'],
      ['registry host', '/v2/localhost:5000/app/tags/list'],
    ];
    for (const [label, path] of cases) {
      const answer = await call('GET', path);
      expect([answer.status, answer.code()], label).toEqual([400, 'NAME_INVALID']);
    }
    const normalized = await call('GET', '/v2/a/../../etc/passwd');
    expect(normalized.status, 'dot segments are resolved before routing').toBe(404);
  });

  it('turns an unexpected failure into a 500 UNKNOWN body that reveals nothing, and reports it', async () => {
    const failures: unknown[] = [];
    const storage = new MemoryRegistryStorage();
    storage.repository = async () => {
      throw new TypeError('secret internal detail');
    };
    const call = registry({ storage, onError: (error) => failures.push(error) });
    const answer = await call('GET', '/v2/app/tags/list');
    expect(answer.status).toBe(500);
    expect(answer.code()).toBe('UNKNOWN');
    expect(new TextDecoder().decode(answer.body)).not.toContain('secret');
    expect(failures).toHaveLength(1);
  });
});

describe('createRegistryHandler: blobs and uploads', () => {
  it('takes a monolithic POST ?digest= upload and serves it with GET and HEAD', async () => {
    const call = registry();
    const bytes = text('hello blob');
    const blob = await pushBlob(call, 'app', bytes);
    const get = await call('GET', `/v2/app/blobs/${blob.digest}`);
    expect(get.status).toBe(200);
    expect(get.body).toEqual(bytes);
    expect(get.headers.get('docker-content-digest')).toBe(blob.digest);
    const head = await call('HEAD', `/v2/app/blobs/${blob.digest}`);
    expect([head.status, head.headers.get('content-length'), head.body.byteLength]).toEqual([
      200,
      String(bytes.byteLength),
      0,
    ]);
  });

  it('refuses an upload whose bytes do not match the digest, and commits nothing', async () => {
    const call = registry();
    const claimed = digestBytes('other bytes');
    const monolithic = await call('POST', `/v2/app/blobs/uploads/?digest=${claimed}`, {
      body: 'these bytes',
    });
    expect([monolithic.status, monolithic.code()]).toEqual([400, 'DIGEST_INVALID']);
    expect((await call('HEAD', `/v2/app/blobs/${claimed}`)).status).toBe(404);

    const start = await call('POST', '/v2/app/blobs/uploads/');
    const location = start.headers.get('location') ?? '';
    await call('PATCH', location, { body: 'these bytes' });
    const put = await call('PUT', `${location}?digest=${claimed}`);
    expect([put.status, put.code()]).toEqual([400, 'DIGEST_INVALID']);
    expect((await call('HEAD', `/v2/app/blobs/${claimed}`)).status).toBe(404);
    expect((await call('GET', location)).code(), 'the session is closed').toBe(
      'BLOB_UPLOAD_UNKNOWN',
    );
    const invalid = await call('POST', '/v2/app/blobs/uploads/?digest=sha256:nothex');
    expect([invalid.status, invalid.code()]).toEqual([400, 'DIGEST_INVALID']);
  });

  it('takes chunks in order, reports the offset, and refuses an out-of-order chunk with 416', async () => {
    const call = registry({ chunkMinLength: 4 });
    const bytes = text('0123456789abcdef');
    const start = await call('POST', '/v2/app/blobs/uploads/');
    expect(start.status).toBe(202);
    expect(start.headers.get('oci-chunk-min-length')).toBe('4');
    const location = start.headers.get('location') ?? '';
    expect(location).toMatch(/^\/v2\/app\/blobs\/uploads\/[0-9a-f-]{36}$/);
    const first = await call('PATCH', location, {
      body: bytes.subarray(0, 6),
      headers: { 'content-range': '0-5', 'content-type': 'application/octet-stream' },
    });
    expect([first.status, first.headers.get('range')]).toEqual([202, '0-5']);
    const skipped = await call('PATCH', location, {
      body: bytes.subarray(8, 12),
      headers: { 'content-range': '8-11' },
    });
    expect([skipped.status, skipped.code(), skipped.headers.get('range')]).toEqual([
      416,
      'RANGE_INVALID',
      '0-5',
    ]);
    const status = await call('GET', location);
    expect([status.status, status.headers.get('range')]).toEqual([204, '0-5']);
    await call('PATCH', location, {
      body: bytes.subarray(6, 12),
      headers: { 'content-range': '6-11' },
    });
    const digest = digestBytes(bytes);
    const put = await call('PUT', `${location}?digest=${digest}`, { body: bytes.subarray(12) });
    expect([put.status, put.headers.get('location')]).toEqual([201, `/v2/app/blobs/${digest}`]);
    expect((await call('GET', `/v2/app/blobs/${digest}`)).body).toEqual(bytes);
  });

  it('answers BLOB_UPLOAD_UNKNOWN for unknown, cancelled, foreign and expired sessions', async () => {
    let now = 1_000_000;
    const call = registry({ uploadTimeout: 60_000, now: () => now });
    const unknown = await call('PATCH', '/v2/app/blobs/uploads/no-such-id', { body: 'x' });
    expect([unknown.status, unknown.code()]).toEqual([404, 'BLOB_UPLOAD_UNKNOWN']);

    const cancelled = (await call('POST', '/v2/app/blobs/uploads/')).headers.get('location') ?? '';
    expect((await call('DELETE', cancelled)).status).toBe(204);
    expect((await call('GET', cancelled)).code()).toBe('BLOB_UPLOAD_UNKNOWN');

    const other = (await call('POST', '/v2/app/blobs/uploads/')).headers.get('location') ?? '';
    const foreign = other.replace('/v2/app/', '/v2/other/');
    expect((await call('GET', foreign)).code()).toBe('BLOB_UPLOAD_UNKNOWN');

    now += 59_000;
    expect((await call('GET', other)).status, 'used within the timeout').toBe(204);
    now += 61_000;
    expect((await call('GET', other)).code(), 'idle past the timeout').toBe('BLOB_UPLOAD_UNKNOWN');
  });

  it('refuses uploads past the memory storage maxBytes with 403 DENIED, and takes them again after a delete', async () => {
    const call = registry({ storage: new MemoryRegistryStorage({ maxBytes: 1000 }) });
    const first = new Uint8Array(600).fill(1);
    const second = new Uint8Array(600).fill(2);
    const { digest } = await pushBlob(call, 'app', first);
    const refused = await call('POST', `/v2/app/blobs/uploads/?digest=${digestBytes(second)}`, {
      body: second,
    });
    expect([refused.status, refused.code()]).toEqual([403, 'DENIED']);
    const session = (await call('POST', '/v2/app/blobs/uploads/')).headers.get('location') ?? '';
    const chunk = await call('PATCH', session, { body: second });
    expect([chunk.status, chunk.code()], 'a chunk past the limit').toEqual([403, 'DENIED']);
    expect((await call('DELETE', `/v2/app/blobs/${digest}`)).status).toBe(202);
    await pushBlob(call, 'app', second);
  });

  it('refuses a session past maxUploadSessions with 429 until one ends or expires', async () => {
    let now = 0;
    const call = registry({ maxUploadSessions: 2, uploadTimeout: 1000, now: () => now });
    const first = (await call('POST', '/v2/app/blobs/uploads/')).headers.get('location') ?? '';
    expect((await call('POST', '/v2/app/blobs/uploads/')).status).toBe(202);
    const third = await call('POST', '/v2/app/blobs/uploads/');
    expect([third.status, third.code()]).toEqual([429, 'TOOMANYREQUESTS']);
    expect((await call('DELETE', first)).status).toBe(204);
    expect((await call('POST', '/v2/app/blobs/uploads/')).status, 'after a cancel').toBe(202);
    expect((await call('POST', '/v2/app/blobs/uploads/')).status).toBe(429);
    now += 1000;
    expect((await call('POST', '/v2/app/blobs/uploads/')).status, 'after expiry').toBe(202);
  });

  it('serves byte ranges with 206 and Content-Range, and 416 for an unsatisfiable range', async () => {
    const call = registry();
    const bytes = text('0123456789');
    const { digest } = await pushBlob(call, 'app', bytes);
    const cases: [
      label: string,
      range: string,
      status: number,
      body: string,
      contentRange: string,
    ][] = [
      ['closed', 'bytes=2-4', 206, '234', 'bytes 2-4/10'],
      ['open', 'bytes=7-', 206, '789', 'bytes 7-9/10'],
      ['suffix', 'bytes=-2', 206, '89', 'bytes 8-9/10'],
      ['end past size', 'bytes=8-100', 206, '89', 'bytes 8-9/10'],
      ['start past size', 'bytes=10-', 416, '', 'bytes */10'],
      ['malformed', 'bytes=a-b', 416, '', 'bytes */10'],
      ['several ranges', 'bytes=0-1,3-4', 416, '', 'bytes */10'],
    ];
    for (const [label, range, status, body, contentRange] of cases) {
      const answer = await call('GET', `/v2/app/blobs/${digest}`, { headers: { range } });
      expect(answer.status, label).toBe(status);
      expect(answer.headers.get('content-range'), label).toBe(contentRange);
      if (status === 206) expect(new TextDecoder().decode(answer.body), label).toBe(body);
      else expect(answer.code(), label).toBe('RANGE_INVALID');
    }
  });

  it('mounts a blob from another repository with 201, and opens a session when the source lacks it', async () => {
    const call = registry();
    const { digest } = await pushBlob(call, 'source', text('shared'));
    const mounted = await call('POST', `/v2/target/blobs/uploads/?mount=${digest}&from=source`);
    expect([mounted.status, mounted.headers.get('location')]).toEqual([
      201,
      `/v2/target/blobs/${digest}`,
    ]);
    expect((await call('GET', `/v2/target/blobs/${digest}`)).body).toEqual(text('shared'));
    const missing = digestBytes('missing');
    const refused = await call('POST', `/v2/target/blobs/uploads/?mount=${missing}&from=source`);
    expect(refused.status).toBe(202);
    expect(refused.headers.get('location')).toMatch(/^\/v2\/target\/blobs\/uploads\//);
  });

  it('refuses uploads over maxUploadSize with 413 SIZE_INVALID, monolithic, chunked or declared', async () => {
    const call = registry({ maxUploadSize: 10 });
    const big = text('eleven byte');
    const monolithic = await call('POST', `/v2/app/blobs/uploads/?digest=${digestBytes(big)}`, {
      body: big,
    });
    expect([monolithic.status, monolithic.code()]).toEqual([413, 'SIZE_INVALID']);
    const location = (await call('POST', '/v2/app/blobs/uploads/')).headers.get('location') ?? '';
    expect((await call('PATCH', location, { body: big.subarray(0, 6) })).status).toBe(202);
    const over = await call('PATCH', location, { body: big.subarray(6) });
    expect([over.status, over.code()]).toEqual([413, 'SIZE_INVALID']);
    expect((await call('GET', location)).code(), 'the session is closed').toBe(
      'BLOB_UPLOAD_UNKNOWN',
    );
    expect((await call('GET', '/v2/_catalog')).json()).toEqual({ repositories: [] });
  });

  it('deletes a blob, after which it is unknown', async () => {
    const call = registry();
    const { digest } = await pushBlob(call, 'app', text('gone soon'));
    expect((await call('DELETE', `/v2/app/blobs/${digest}`)).status).toBe(202);
    const after = await call('GET', `/v2/app/blobs/${digest}`);
    expect([after.status, after.code()]).toEqual([404, 'BLOB_UNKNOWN']);
  });
});

describe('createRegistryHandler: manifests', () => {
  it('stores a manifest under a tag and serves its exact bytes with its media type', async () => {
    const call = registry();
    const manifest = await pushImage(call, 'app', 'v1');
    for (const reference of ['v1', manifest.digest]) {
      const get = await call('GET', `/v2/app/manifests/${reference}`);
      expect(get.body, reference).toEqual(manifest.bytes);
      expect(get.headers.get('content-type'), reference).toBe(MediaType.OciImageManifest);
      expect(get.headers.get('docker-content-digest'), reference).toBe(manifest.digest);
    }
    const refused = await call('GET', '/v2/app/manifests/v1', {
      headers: { accept: MediaType.DockerManifest },
    });
    expect([refused.status, refused.code()]).toEqual([404, 'MANIFEST_UNKNOWN']);
  });

  it('pushes by digest with ?tag= parameters: every tag points at it, confirmed in OCI-Tag; an invalid tag stores nothing', async () => {
    const call = registry();
    const manifest = await pushImage(call, 'app', 'v1');
    const put = (query: string, reference: string = manifest.digest) =>
      call('PUT', `/v2/app/manifests/${reference}${query}`, {
        body: manifest.bytes,
        headers: { 'content-type': MediaType.OciImageManifest },
      });
    const tagged = await put('?tag=v2&tag=latest&tag=v2');
    expect(tagged.status).toBe(201);
    expect(tagged.headers.get('oci-tag')).toBe('v2, latest');
    for (const tag of ['v2', 'latest']) {
      const get = await call('GET', `/v2/app/manifests/${tag}`);
      expect(get.headers.get('docker-content-digest'), tag).toBe(manifest.digest);
    }
    const untagged = await put('');
    expect([untagged.status, untagged.headers.get('oci-tag')]).toEqual([201, null]);

    const invalid = await put('?tag=ok&tag=-bad');
    expect([invalid.status, invalid.code()]).toEqual([400, 'TAG_INVALID']);
    expect((await call('GET', '/v2/app/manifests/ok')).code(), 'no tag of that push').toBe(
      'MANIFEST_UNKNOWN',
    );
    const many = await put(`?${Array.from({ length: 101 }, (_, i) => `tag=t${i}`).join('&')}`);
    expect([many.status, many.code()]).toEqual([400, 'TAG_INVALID']);
    const byTag = await put('?tag=other', 'v1');
    expect([byTag.status, byTag.code()]).toEqual([400, 'TAG_INVALID']);
    const { tags } = (await call('GET', '/v2/app/tags/list')).json() as { tags: string[] };
    expect(tags.sort()).toEqual(['latest', 'v1', 'v2']);
  });

  it('refuses invalid manifests with the spec codes', async () => {
    const call = registry({ maxManifestSize: 1000 });
    const config = await pushBlob(call, 'app', text('{}'));
    const missingLayer = { mediaType: MediaType.OciLayer, digest: digestBytes('absent'), size: 6 };
    const dangling = createImageManifest({
      config: { ...config, mediaType: MediaType.OciImageConfig },
      layers: [missingLayer],
    });
    const layer = await pushBlob(call, 'app', text('layer'));
    const good = createImageManifest({
      config: { ...config, mediaType: MediaType.OciImageConfig },
      layers: [{ ...layer, mediaType: MediaType.OciLayer }],
    });
    const json = { 'content-type': MediaType.OciImageManifest };
    const cases: [
      label: string,
      path: string,
      body: Uint8Array,
      type: string,
      code: string,
      status: number,
    ][] = [
      [
        'missing layer',
        '/v2/app/manifests/v1',
        dangling.bytes,
        json['content-type'],
        'MANIFEST_BLOB_UNKNOWN',
        400,
      ],
      [
        'not JSON',
        '/v2/app/manifests/v1',
        text('nope'),
        json['content-type'],
        'MANIFEST_INVALID',
        400,
      ],
      [
        'unknown media type',
        '/v2/app/manifests/v1',
        good.bytes,
        'text/plain',
        'MANIFEST_INVALID',
        400,
      ],
      [
        'over the size cap',
        '/v2/app/manifests/v1',
        new Uint8Array(1001),
        json['content-type'],
        'SIZE_INVALID',
        413,
      ],
      [
        'digest in the path differs',
        `/v2/app/manifests/${digestBytes('x')}`,
        good.bytes,
        json['content-type'],
        'DIGEST_INVALID',
        400,
      ],
      [
        'invalid tag',
        '/v2/app/manifests/-bad',
        good.bytes,
        json['content-type'],
        'TAG_INVALID',
        400,
      ],
    ];
    for (const [label, path, body, type, code, status] of cases) {
      const answer = await call('PUT', path, { body, headers: { 'content-type': type } });
      expect([answer.status, answer.code()], label).toEqual([status, code]);
    }
    expect((await call('GET', '/v2/app/tags/list')).json()).toEqual({ name: 'app', tags: [] });
  });

  it('answers OCI-Subject on a push with a subject and lists referrers filtered by artifactType', async () => {
    const call = registry();
    const subject = await pushImage(call, 'app', 'v1');
    await pushBlob(call, 'app', text('{}'));
    const referrer = (artifactType: string) =>
      createImageManifest({
        artifactType,
        config: EMPTY_DESCRIPTOR,
        layers: [EMPTY_DESCRIPTOR],
        subject: subject.descriptor,
      });
    const signature = referrer('application/vnd.example.signature');
    const sbom = referrer('application/vnd.example.sbom');
    for (const manifest of [signature, sbom]) {
      const put = await call('PUT', `/v2/app/manifests/${manifest.digest}`, {
        body: manifest.bytes,
        headers: { 'content-type': MediaType.OciImageManifest },
      });
      expect(put.headers.get('oci-subject')).toBe(subject.digest);
    }
    const all = await call('GET', `/v2/app/referrers/${subject.digest}`);
    expect(all.headers.get('content-type')).toBe(MediaType.OciImageIndex);
    expect(all.headers.get('oci-filters-applied')).toBeNull();
    expect((all.json() as { manifests: unknown[] }).manifests).toHaveLength(2);
    const filtered = await call(
      'GET',
      `/v2/app/referrers/${subject.digest}?artifactType=application/vnd.example.sbom`,
    );
    expect(filtered.headers.get('oci-filters-applied')).toBe('artifactType');
    expect(filtered.json()).toMatchObject({
      schemaVersion: 2,
      manifests: [{ digest: sbom.digest, artifactType: 'application/vnd.example.sbom' }],
    });
    const none = await call('GET', `/v2/app/referrers/${digestBytes('nothing')}`);
    expect([none.status, (none.json() as { manifests: unknown[] }).manifests]).toEqual([200, []]);
  });

  it('deletes a tag without the manifest, and a manifest by digest with its tags', async () => {
    const call = registry();
    const manifest = await pushImage(call, 'app', 'v1');
    await call('PUT', '/v2/app/manifests/v2', {
      body: manifest.bytes,
      headers: { 'content-type': MediaType.OciImageManifest },
    });
    expect((await call('DELETE', '/v2/app/manifests/v1')).status).toBe(202);
    expect((await call('GET', '/v2/app/tags/list')).json()).toEqual({ name: 'app', tags: ['v2'] });
    expect((await call('DELETE', `/v2/app/manifests/${manifest.digest}`)).status).toBe(202);
    expect((await call('GET', '/v2/app/manifests/v2')).code()).toBe('MANIFEST_UNKNOWN');
    expect((await call('DELETE', '/v2/app/manifests/v1')).code()).toBe('MANIFEST_UNKNOWN');
    expect((await call('GET', '/v2/nope/manifests/v1')).code()).toBe('NAME_UNKNOWN');
  });
});

describe('createRegistryHandler: read-only mode', () => {
  it('serves reads and refuses every write with 405 UNSUPPORTED', async () => {
    const storage = new MemoryRegistryStorage();
    const manifest = await pushImage(registry({ storage }), 'app', 'v1');
    const call = registry({ storage, readOnly: true });
    expect((await call('GET', '/v2/app/manifests/v1')).body).toEqual(manifest.bytes);
    const writes: [label: string, method: string, path: string][] = [
      ['start an upload', 'POST', '/v2/app/blobs/uploads/'],
      ['push a manifest', 'PUT', '/v2/app/manifests/v2'],
      ['delete a tag', 'DELETE', '/v2/app/manifests/v1'],
      ['delete a blob', 'DELETE', `/v2/app/blobs/${manifest.digest}`],
    ];
    for (const [label, method, path] of writes) {
      const answer = await call(method, path, method === 'PUT' ? { body: manifest.bytes } : {});
      expect([answer.status, answer.code()], label).toEqual([405, 'UNSUPPORTED']);
    }
    expect((await call('GET', '/v2/app/tags/list')).json()).toEqual({ name: 'app', tags: ['v1'] });
  });
});

describe('createRegistryHandler: listings', () => {
  it('pages tags and the catalog with n, last and a Link to the next page', async () => {
    const call = registry();
    const manifest = await pushImage(call, 'app', 'a');
    for (const tag of ['b', 'c', 'd']) {
      await call('PUT', `/v2/app/manifests/${tag}`, {
        body: manifest.bytes,
        headers: { 'content-type': MediaType.OciImageManifest },
      });
    }
    const first = await call('GET', '/v2/app/tags/list?n=2');
    expect(first.json()).toEqual({ name: 'app', tags: ['a', 'b'] });
    expect(first.headers.get('link')).toBe('</v2/app/tags/list?n=2&last=b>; rel="next"');
    const second = await call('GET', '/v2/app/tags/list?n=2&last=b');
    expect(second.json()).toEqual({ name: 'app', tags: ['c', 'd'] });
    expect(second.headers.get('link')).toBeNull();
    const bad = await call('GET', '/v2/app/tags/list?n=-1');
    expect([bad.status, bad.code()]).toEqual([400, 'PAGINATION_NUMBER_INVALID']);

    await pushBlob(call, 'other/repo', text('x'));
    const catalog = await call('GET', '/v2/_catalog?n=1');
    expect(catalog.json()).toEqual({ repositories: ['app'] });
    expect(catalog.headers.get('link')).toBe('</v2/_catalog?n=1&last=app>; rel="next"');
    expect((await call('GET', '/v2/_catalog?last=app')).json()).toEqual({
      repositories: ['other/repo'],
    });
  });
});
