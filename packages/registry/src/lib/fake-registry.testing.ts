import { digestBytes } from '@ocikit/digest';
import { MediaType, parseManifest, referrerDescriptor } from '@ocikit/spec';

/** How the fake registry behaves where registries differ. */
export interface FakeRegistryOptions {
  /** Serve the referrers API (and answer `OCI-Subject`). @default false */
  referrersApi?: boolean;
  /** Apply the `artifactType` filter of the referrers API (and say so). @default true */
  filtersApplied?: boolean;
  /** Referrers per page (with `Link`); all at once when undefined. */
  referrersPageSize?: number;
  /** What a tag DELETE gets: deleted (OCI 1.1), 400 as distribution 2.8, or 405. @default 'refuse-400' */
  tagDelete?: 'oci' | 'refuse-400' | 'refuse-405';
  /** Honour `?tag=` on a push by digest, answering `OCI-Tag`. @default false */
  multiTag?: boolean;
  /** Send `Docker-Content-Digest` on manifest HEAD. @default true */
  headDigest?: boolean;
  /** Honour `n` and `last` and answer `Link` (else every name at once, unsorted). @default true */
  pagination?: boolean;
  /** `OCI-Chunk-Min-Length` on new upload sessions. */
  minChunkSize?: number;
  /** Honour `Range` on blob GET (else answer the whole blob). @default true */
  ranges?: boolean;
  /** `Warning` headers on every response. @default [] */
  warnings?: string[];
  /** `ratelimit-limit` / `ratelimit-remaining` on every response. */
  rateLimit?: { limit: string; remaining: string };
}

/** One request the fake registry received. */
export interface FakeRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Headers;
  readonly bodySize: number;
}

interface StoredManifest {
  readonly bytes: Uint8Array;
  readonly mediaType: string;
}

interface UploadState {
  readonly repository: string;
  chunks: Uint8Array[];
  size: number;
}

const encoder = new TextEncoder();

function json(value: unknown, status = 200, headers: HeadersInit = {}): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { 'content-type': 'application/json', ...Object.fromEntries(new Headers(headers)) },
  });
}

function error(status: number, code: string, message = code.toLowerCase()): Response {
  return json({ errors: [{ code, message }] }, status);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/**
 * A small in-memory OCI registry as a web handler, for tests that need
 * behaviour the real test-bed registry (distribution 2.8) does not have:
 * the referrers API, OCI 1.1 tag deletes, `OCI-Tag`, chunk minimums,
 * `Range` refusal, warnings, rate limits. `intercept` overrides single answers.
 */
export class FakeRegistry {
  readonly host: string;
  readonly options: FakeRegistryOptions;
  readonly requests: FakeRequest[] = [];
  readonly blobs = new Map<string, Uint8Array>();
  readonly manifests = new Map<string, Map<string, StoredManifest>>();
  readonly tags = new Map<string, Map<string, string>>();
  readonly uploads = new Map<string, UploadState>();
  #interceptors: ((
    request: Request,
    url: URL,
  ) => Response | undefined | Promise<Response | undefined>)[] = [];
  #ids = 0;

  constructor(options: FakeRegistryOptions = {}, host = 'fake.test') {
    this.options = options;
    this.host = host;
  }

  /** A `fetch` that serves this registry (for `new Transport({ fetch })`). */
  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input, init);
    return this.handle(request);
  };

  /** Answers requests this function answers (undefined passes to the registry), before the registry. */
  intercept(
    interceptor: (
      request: Request,
      url: URL,
    ) => Response | undefined | Promise<Response | undefined>,
  ): void {
    this.#interceptors.push(interceptor);
  }

  /** Requests of a method whose path matches. */
  seen(method: string, path: RegExp): FakeRequest[] {
    return this.requests.filter((r) => r.method === method && path.test(r.path));
  }

  /** Serves one request. */
  async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const body =
      request.body === null
        ? new Uint8Array(0)
        : new Uint8Array(await request.clone().arrayBuffer());
    this.requests.push({
      method: request.method,
      path: `${url.pathname}${url.search}`,
      headers: request.headers,
      bodySize: body.byteLength,
    });
    for (const interceptor of this.#interceptors) {
      const answer = await interceptor(request, url);
      if (answer !== undefined) return answer;
    }
    const response = this.#route(request.method, url, request.headers, body);
    for (const warning of this.options.warnings ?? []) {
      response.headers.append('warning', `299 - "${warning}"`);
    }
    if (this.options.rateLimit) {
      response.headers.set('ratelimit-limit', this.options.rateLimit.limit);
      response.headers.set('ratelimit-remaining', this.options.rateLimit.remaining);
    }
    return response;
  }

  /** Stores a blob in a repository. */
  addBlob(repository: string, bytes: Uint8Array): string {
    const digest = digestBytes(bytes);
    this.blobs.set(`${repository}@${digest}`, bytes);
    return digest;
  }

  /** Stores a manifest in a repository, under a tag if given. */
  addManifest(repository: string, bytes: Uint8Array, mediaType: string, tag?: string): string {
    const digest = digestBytes(bytes);
    this.#manifestsOf(repository).set(digest, { bytes, mediaType });
    if (tag !== undefined) this.#tagsOf(repository).set(tag, digest);
    return digest;
  }

  #manifestsOf(repository: string): Map<string, StoredManifest> {
    let map = this.manifests.get(repository);
    if (!map) {
      map = new Map();
      this.manifests.set(repository, map);
    }
    return map;
  }

  #tagsOf(repository: string): Map<string, string> {
    let map = this.tags.get(repository);
    if (!map) {
      map = new Map();
      this.tags.set(repository, map);
    }
    return map;
  }

  #route(method: string, url: URL, headers: Headers, body: Uint8Array): Response {
    const path = url.pathname;
    if (path === '/v2/' || path === '/v2') return json({});
    if (path === '/v2/_catalog') {
      return this.#list(
        url,
        [...new Set([...this.manifests.keys(), ...this.tags.keys()])],
        'repositories',
        {},
      );
    }
    let match = /^\/v2\/(.+)\/blobs\/uploads\/(.*)$/.exec(path);
    if (match)
      return this.#upload(method, url, headers, body, match[1] as string, match[2] as string);
    match = /^\/v2\/(.+)\/(manifests|blobs|tags|referrers)\/(.+)$/.exec(path);
    if (!match) return new Response('404 page not found', { status: 404 });
    const [, repository = '', kind, rest = ''] = match;
    switch (kind) {
      case 'manifests':
        return this.#manifest(method, url, headers, body, repository, rest);
      case 'blobs':
        return this.#blob(method, headers, repository, rest);
      case 'tags':
        return this.#list(url, [...this.#tagsOf(repository).keys()], 'tags', { name: repository });
      default:
        return this.#referrers(url, repository, rest);
    }
  }

  #list(url: URL, names: string[], key: string, extra: Record<string, unknown>): Response {
    if (this.options.pagination === false) return json({ ...extra, [key]: names });
    const sorted = names.sort();
    const last = url.searchParams.get('last');
    const n = url.searchParams.get('n');
    const after = last === null ? sorted : sorted.filter((name) => name > last);
    const page = n === null ? after : after.slice(0, Number(n));
    const headers: Record<string, string> = {};
    const final = page[page.length - 1];
    if (n !== null && page.length < after.length && final !== undefined) {
      const next = new URL(url.pathname, url);
      next.searchParams.set('n', n);
      next.searchParams.set('last', final);
      headers.link = `<${next.pathname}${next.search}>; rel="next"`;
    }
    return json({ ...extra, [key]: page }, 200, headers);
  }

  #manifest(
    method: string,
    url: URL,
    headers: Headers,
    body: Uint8Array,
    repository: string,
    reference: string,
  ): Response {
    const manifests = this.#manifestsOf(repository);
    const tags = this.#tagsOf(repository);
    const isDigest = reference.includes(':');
    if (method === 'PUT') {
      const digest = digestBytes(body);
      if (isDigest && digest !== reference) return error(400, 'DIGEST_INVALID');
      const mediaType = headers.get('content-type') ?? '';
      manifests.set(digest, { bytes: body, mediaType });
      if (!isDigest) tags.set(reference, digest);
      const answer = new Headers({
        location: `/v2/${repository}/manifests/${digest}`,
        'docker-content-digest': digest,
      });
      const wanted = url.searchParams.getAll('tag');
      if (this.options.multiTag && isDigest && wanted.length > 0) {
        for (const tag of wanted) tags.set(tag, digest);
        answer.set('oci-tag', wanted.join(', '));
      }
      const subject = (
        JSON.parse(new TextDecoder().decode(body)) as { subject?: { digest?: string } }
      ).subject?.digest;
      if (this.options.referrersApi && subject) answer.set('oci-subject', subject);
      return new Response(null, { status: 201, headers: answer });
    }
    if (method === 'DELETE') {
      if (!isDigest) {
        if (this.options.tagDelete === 'oci') {
          return tags.delete(reference)
            ? new Response(null, { status: 202 })
            : error(404, 'MANIFEST_UNKNOWN');
        }
        return this.options.tagDelete === 'refuse-405'
          ? error(405, 'UNSUPPORTED')
          : error(400, 'DIGEST_INVALID', 'provided digest did not match uploaded content');
      }
      if (!manifests.delete(reference)) return error(404, 'MANIFEST_UNKNOWN');
      for (const [tag, digest] of tags) if (digest === reference) tags.delete(tag);
      return new Response(null, { status: 202 });
    }
    const digest = isDigest ? reference : tags.get(reference);
    const stored = digest === undefined ? undefined : manifests.get(digest);
    if (digest === undefined || stored === undefined) return error(404, 'MANIFEST_UNKNOWN');
    const answer = new Headers({
      'content-type': stored.mediaType,
      'content-length': String(stored.bytes.byteLength),
      etag: `"${digest}"`,
    });
    if (method !== 'HEAD' || this.options.headDigest !== false) {
      answer.set('docker-content-digest', digest);
    }
    return new Response(method === 'HEAD' ? null : (stored.bytes as Uint8Array<ArrayBuffer>), {
      status: 200,
      headers: answer,
    });
  }

  #blob(method: string, headers: Headers, repository: string, digest: string): Response {
    const key = `${repository}@${digest}`;
    const bytes = this.blobs.get(key);
    if (method === 'DELETE') {
      return this.blobs.delete(key)
        ? new Response(null, { status: 202 })
        : error(404, 'BLOB_UNKNOWN');
    }
    if (bytes === undefined) {
      return method === 'HEAD' ? new Response(null, { status: 404 }) : error(404, 'BLOB_UNKNOWN');
    }
    const base = {
      'content-type': 'application/octet-stream',
      'docker-content-digest': digest,
      'accept-ranges': 'bytes',
    };
    const range = /^bytes=(\d+)-(\d*)$/.exec(headers.get('range') ?? '');
    if (range && this.options.ranges !== false && method === 'GET') {
      const start = Number(range[1]);
      if (start >= bytes.byteLength) return new Response(null, { status: 416 });
      const end = range[2] ? Math.min(Number(range[2]) + 1, bytes.byteLength) : bytes.byteLength;
      return new Response(bytes.subarray(start, end) as Uint8Array<ArrayBuffer>, {
        status: 206,
        headers: {
          ...base,
          'content-range': `bytes ${start}-${end - 1}/${bytes.byteLength}`,
        },
      });
    }
    return new Response(method === 'HEAD' ? null : (bytes as Uint8Array<ArrayBuffer>), {
      status: 200,
      headers: { ...base, 'content-length': String(bytes.byteLength) },
    });
  }

  #session(id: string, state: UploadState, status: number, extra: HeadersInit = {}): Response {
    const headers = new Headers({
      location: `/v2/${state.repository}/blobs/uploads/${id}?_state=${id}-${state.size}`,
      range: `0-${Math.max(state.size - 1, 0)}`,
      'docker-upload-uuid': id,
    });
    for (const [name, value] of new Headers(extra)) headers.set(name, value);
    return new Response(null, { status, headers });
  }

  #upload(
    method: string,
    url: URL,
    headers: Headers,
    body: Uint8Array,
    repository: string,
    id: string,
  ): Response {
    if (method === 'POST' && id === '') {
      const mount = url.searchParams.get('mount');
      const from = url.searchParams.get('from');
      if (mount !== null && from !== null) {
        const bytes = this.blobs.get(`${from}@${mount}`);
        if (bytes !== undefined) {
          this.blobs.set(`${repository}@${mount}`, bytes);
          return new Response(null, {
            status: 201,
            headers: {
              location: `/v2/${repository}/blobs/${mount}`,
              'docker-content-digest': mount,
            },
          });
        }
      }
      const fresh = String(++this.#ids);
      const state: UploadState = { repository, chunks: [], size: 0 };
      this.uploads.set(fresh, state);
      const min = this.options.minChunkSize;
      return this.#session(fresh, state, 202, min ? { 'oci-chunk-min-length': String(min) } : {});
    }
    const state = this.uploads.get(id);
    if (state === undefined || state.repository !== repository) {
      return error(404, 'BLOB_UPLOAD_UNKNOWN');
    }
    switch (method) {
      case 'GET':
        return this.#session(id, state, 204);
      case 'DELETE':
        this.uploads.delete(id);
        return new Response(null, { status: 204 });
      case 'PATCH': {
        const range = /^(\d+)-(\d+)$/.exec(headers.get('content-range') ?? '');
        if (range && Number(range[1]) !== state.size) return this.#session(id, state, 416);
        state.chunks.push(body);
        state.size += body.byteLength;
        return this.#session(id, state, 202);
      }
      case 'PUT': {
        state.chunks.push(body);
        state.size += body.byteLength;
        const bytes = concat(state.chunks);
        const digest = url.searchParams.get('digest');
        this.uploads.delete(id);
        if (digest !== digestBytes(bytes)) return error(400, 'DIGEST_INVALID');
        this.blobs.set(`${repository}@${digest}`, bytes);
        return new Response(null, {
          status: 201,
          headers: {
            location: `/v2/${repository}/blobs/${digest}`,
            'docker-content-digest': digest,
          },
        });
      }
      default:
        return error(405, 'UNSUPPORTED');
    }
  }

  #referrers(url: URL, repository: string, digest: string): Response {
    if (!this.options.referrersApi) return new Response('404 page not found', { status: 404 });
    const artifactType = url.searchParams.get('artifactType');
    const filter = artifactType !== null && this.options.filtersApplied !== false;
    const all = [...this.#manifestsOf(repository).values()].flatMap((stored) => {
      try {
        const parsed = parseManifest(stored.bytes, { contentType: stored.mediaType });
        if (parsed.kind === 'schema1' || parsed.value.subject?.digest !== digest) return [];
        const descriptor = referrerDescriptor(parsed);
        return filter && descriptor.artifactType !== artifactType ? [] : [descriptor];
      } catch {
        return [];
      }
    });
    all.sort((a, b) => (a.digest < b.digest ? -1 : 1));
    const size = this.options.referrersPageSize ?? all.length;
    const start = Number(url.searchParams.get('page') ?? '0');
    const manifests = all.slice(start, start + size);
    const headers: Record<string, string> = { 'content-type': MediaType.OciImageIndex };
    if (filter) headers['oci-filters-applied'] = 'artifactType';
    if (start + size < all.length) {
      const next = new URL(url);
      next.searchParams.set('page', String(start + size));
      headers.link = `<${next.pathname}${next.search}>; rel="next"`;
    }
    return new Response(
      encoder.encode(
        JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciImageIndex, manifests }),
      ),
      { status: 200, headers },
    );
  }
}
