import { repositoryScope, type Scope } from '@ocikit/auth';
import { OciError } from '@ocikit/digest';
import { DEFAULT_MAX_MANIFEST_SIZE } from '@ocikit/spec';
import { requiredScopes } from './access.ts';
import type { AuthRefusal, RegistryAuth } from './basic-auth.ts';
import { deleteBlob, getBlob } from './blobs.ts';
import type { RequestContext, Settings } from './context.ts';
import { errorResponse, wireError } from './errors.ts';
import { jsonAnswer } from './headers.ts';
import { listCatalog, listReferrers, listTags } from './listing.ts';
import { deleteManifest, getManifest, putManifest } from './manifests.ts';
import { MemoryRegistryStorage } from './memory-storage.ts';
import { assertName } from './names.ts';
import { matchRoute, type Route } from './routes.ts';
import { UploadSessions } from './sessions.ts';
import type { RegistryStorage } from './storage.ts';
import { cancelUpload, finishUpload, patchUpload, startUpload, uploadStatus } from './uploads.ts';

/** A web-standard request handler: what `Deno.serve`, `Bun.serve` and the `node:http` adapter take. */
export type RegistryHandler = (request: Request) => Promise<Response>;

/** Options of {@link createRegistryHandler}. */
export interface RegistryHandlerOptions {
  /**
   * Where repositories live.
   * @default a new MemoryRegistryStorage
   */
  storage?: RegistryStorage;
  /**
   * The largest manifest accepted, in bytes; a larger one is `413 SIZE_INVALID`.
   * @default 4194304 (4 MiB)
   */
  maxManifestSize?: number;
  /**
   * How long an upload session lives without a request, in ms.
   * @default 3600000 (1 hour)
   */
  uploadTimeout?: number;
  /**
   * The most upload sessions open at once; one more `POST` is
   * `429 TOOMANYREQUESTS` (expired sessions are swept first).
   * @default 1000
   */
  maxUploadSessions?: number;
  /**
   * The smallest chunk clients should `PATCH`, advertised as
   * `OCI-Chunk-Min-Length`; 0 advertises nothing.
   * @default 0
   */
  chunkMinLength?: number;
  /**
   * Refuse a manifest whose config, layers or child manifests are not in the
   * repository (`MANIFEST_BLOB_UNKNOWN`); non-distributable layers are exempt.
   * @default true
   */
  requireChildren?: boolean;
  /**
   * The most bytes one blob upload may hold; more is `413 SIZE_INVALID`, and
   * the session is closed.
   * @default Infinity
   */
  maxUploadSize?: number;
  /**
   * Who may use the registry, such as `htpasswdAuth(…)` or `tokenAuth(…)`;
   * a request without acceptable credentials is `401 UNAUTHORIZED` with the
   * auth's challenge, one whose credentials do not allow it `403 DENIED`.
   * @default anyone (no auth)
   */
  auth?: RegistryAuth;
  /**
   * Serve reads only: every write (`PUT`, `POST`, `PATCH`, `DELETE`) is
   * `405 UNSUPPORTED`, as distribution answers in read-only mode.
   * @default false
   */
  readOnly?: boolean;
  /**
   * The clock, in ms since the epoch (upload expiry).
   * @default Date.now
   */
  now?: () => number;
  /**
   * Told of every error that became a `500`; the client only learns that the
   * registry failed.
   * @default nothing
   */
  onError?: (error: unknown, request: Request) => void;
}

type Method = (context: RequestContext, route: Route) => Promise<Response>;
type Methods = Readonly<Partial<Record<string, Method>>>;

const named =
  <R extends Route & { name: string }>(
    run: (context: RequestContext, route: R) => Promise<Response>,
  ): Method =>
  (context, route) =>
    run(context, { ...(route as R), name: assertName((route as R).name) });

const manifest = named<Extract<Route, { kind: 'manifest' }>>;
const blob = named<Extract<Route, { kind: 'blob' }>>;
const upload = named<Extract<Route, { kind: 'upload' }>>;

const ROUTES: Readonly<Record<Route['kind'], Methods>> = {
  base: { GET: async (c) => jsonAnswer({}, {}, c.request.method) },
  catalog: { GET: (c) => listCatalog(c) },
  tags: { GET: named((c, r) => listTags(c, r.name)) },
  manifest: {
    GET: manifest((c, r) => getManifest(c, r.name, r.reference)),
    PUT: manifest((c, r) => putManifest(c, r.name, r.reference)),
    DELETE: manifest((c, r) => deleteManifest(c, r.name, r.reference)),
  },
  blob: {
    GET: blob((c, r) => getBlob(c, r.name, r.digest)),
    DELETE: blob((c, r) => deleteBlob(c, r.name, r.digest)),
  },
  uploads: { POST: named((c, r) => startUpload(c, r.name)) },
  upload: {
    GET: upload((c, r) => uploadStatus(c, r.name, r.id)),
    PATCH: upload((c, r) => patchUpload(c, r.name, r.id)),
    PUT: upload((c, r) => finishUpload(c, r.name, r.id)),
    DELETE: upload((c, r) => cancelUpload(c, r.name, r.id)),
  },
  referrers: {
    GET: named<Extract<Route, { kind: 'referrers' }>>((c, r) => listReferrers(c, r.name, r.digest)),
  },
};

/**
 * Makes an embedded OCI distribution-spec 1.1 registry: a web-standard
 * handler over a {@link RegistryStorage}. It never throws: every failure is
 * an answer with the spec's JSON error body (`500 UNKNOWN` for anything
 * unexpected, reported to `onError`).
 *
 * @param options - {@link RegistryHandlerOptions}
 * @returns the handler
 * @throws {OciError} `OPTION_INVALID` for a bad option
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md
 */
export function createRegistryHandler(options: RegistryHandlerOptions = {}): RegistryHandler {
  const settings: Settings = {
    maxManifestSize: positive(
      'maxManifestSize',
      options.maxManifestSize ?? DEFAULT_MAX_MANIFEST_SIZE,
    ),
    chunkMinLength: nonNegative('chunkMinLength', options.chunkMinLength ?? 0),
    requireChildren: options.requireChildren ?? true,
    maxUploadSize: positive('maxUploadSize', options.maxUploadSize ?? Number.POSITIVE_INFINITY),
  };
  const readOnly = options.readOnly ?? false;
  const storage = options.storage ?? new MemoryRegistryStorage();
  const sessions = new UploadSessions({
    timeout: positive('uploadTimeout', options.uploadTimeout ?? 3_600_000),
    now: options.now ?? Date.now,
    maxSessions: positive('maxUploadSessions', options.maxUploadSessions ?? 1000),
  });
  const { auth } = options;
  return async (request) => {
    try {
      const served = await auth?.serve?.(request);
      if (served) return served;
      const url = new URL(request.url);
      const route = matchRoute(url.pathname);
      const refusal = auth && (await refuse(auth, request, requiredScopes(route, request.method)));
      if (refusal) {
        return errorResponse(
          wireError(new OciError(refusal.code, refusal.message)),
          request.method,
          {
            'www-authenticate': refusal.challenge,
          },
        );
      }
      if (!route) {
        throw new OciError(
          'NAME_UNKNOWN',
          `There is no registry endpoint at "${url.pathname.slice(0, 300)}"`,
        );
      }
      const methods = ROUTES[route.kind];
      const method = request.method === 'HEAD' ? 'GET' : request.method;
      const run = methods[method];
      if (!run || (request.method === 'HEAD' && !headAllowed(route))) {
        throw new OciError('UNSUPPORTED', `${request.method} is not supported on this endpoint`);
      }
      if (readOnly && method !== 'GET') {
        throw new OciError('UNSUPPORTED', 'The registry is read-only');
      }
      const mayPull = (name: string) =>
        auth ? refuse(auth, request, [repositoryScope(name, ['pull'])]).then((r) => !r) : true;
      const upload = route.kind === 'uploads' || route.kind === 'upload';
      const user = upload ? await auth?.identify?.(request) : undefined;
      return await run({ request, url, storage, sessions, settings, mayPull, user }, route);
    } catch (error) {
      const wire = wireError(error);
      if (wire.status >= 500) options.onError?.(error, request);
      return errorResponse(wire, request.method);
    }
  };
}

/** Why the auth refuses a request that needs these scopes, or undefined when it may go on. */
async function refuse(
  auth: RegistryAuth,
  request: Request,
  scopes: readonly Scope[],
): Promise<AuthRefusal | undefined> {
  if (auth.authorize) return auth.authorize(request, scopes);
  if (await auth.authenticate(request)) return undefined;
  return { code: 'UNAUTHORIZED', message: 'Authentication is required', challenge: auth.challenge };
}

function headAllowed(route: Route): boolean {
  return route.kind === 'base' || route.kind === 'manifest' || route.kind === 'blob';
}

function positive(name: string, value: number): number {
  if (!(value > 0)) throw new OciError('OPTION_INVALID', `${name} must be above 0, got ${value}`);
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!(value >= 0) || !Number.isFinite(value)) {
    throw new OciError('OPTION_INVALID', `${name} must be 0 or more, got ${value}`);
  }
  return value;
}
