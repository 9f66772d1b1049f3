import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { SignJWT } from 'jose';
import { type Certificate, libtrustKeyId } from './certificate.ts';
import { asyncHandler, closeServer, readBody, sendJson } from './http-util.ts';
import { listen } from './ports.ts';
import { type Access, type Grant, grantAccess, parseScope, splitScopes } from './token-policy.ts';
import {
  repositoriesOf,
  summarizeTokenRequests,
  type TokenGrantKind,
  type TokenRequestRecord,
} from './token-stats.ts';

/** An account of the token issuer. */
export interface TokenUser {
  username: string;
  password: string;
  /** What the user may do. Anonymous grants apply to every user as well. */
  grants: readonly Grant[];
  /**
   * Token lifetime for this user in seconds, overriding the issuer's.
   * @default TokenIssuerOptions.lifetimeSeconds
   */
  lifetimeSeconds?: number;
}

/** Options of {@link startTokenIssuer}. */
export interface TokenIssuerOptions {
  /** The registry's `auth.token.service`, put in `aud`. */
  service: string;
  /** The registry's `auth.token.issuer`, put in `iss`. */
  issuer: string;
  /** The signing key; its certificate is the registry's `rootcertbundle`. */
  signer: Pick<Certificate, 'privateKey' | 'publicKey'>;
  /** The accounts. */
  users: readonly TokenUser[];
  /**
   * What a caller without credentials may do.
   * @default []
   */
  anonymousGrants?: readonly Grant[];
  /**
   * Token lifetime in seconds: `expires_in`, and the moment the registry
   * starts rejecting the token.
   * @default 300
   */
  lifetimeSeconds?: number;
  /**
   * How many request records to keep for `/_stats`.
   * @default 10000
   */
  maxRecords?: number;
}

/** A running token issuer. */
export interface RunningTokenIssuer {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** The token endpoint, `${url}/token`: the registry's `auth.token.realm`. */
  readonly realm: string;
  /** `${url}/_stats`: request counts (GET) and `/_stats/reset` (POST). */
  readonly statsUrl: string;
  /** Stops the server. */
  stop(): Promise<void>;
}

/** distribution 2.8 accepts a token up to 60 s after its `exp` (and before its `nbf`). */
export const REGISTRY_LEEWAY_SECONDS = 60;

type Caller = { kind: 'anonymous' } | { kind: 'user'; user: TokenUser } | { kind: 'denied' };

function parseBasic(header: string | undefined): { username: string; password: string } | null {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Starts a Docker registry token server on 127.0.0.1: `GET /token` (Basic or
 * anonymous, repeated `scope`, `offline_token=true` for a refresh token) and
 * OAuth2 `POST /token` (`grant_type=password` or `refresh_token`, `client_id`
 * required, `access_type=offline` for a refresh token). Tokens are ES256 JWTs
 * with `kid` = the libtrust key id and a string `aud`.
 *
 * The JWT's `exp` is set `REGISTRY_LEEWAY_SECONDS` before the end of the
 * lifetime, so the registry starts rejecting a token exactly `expires_in`
 * seconds after it was issued, not a minute later. Clients treat tokens as
 * opaque and never see the difference.
 *
 * Every request is recorded for `GET /_stats?repository=&user=`;
 * `POST /_stats/reset` forgets them.
 *
 * @param options - {@link TokenIssuerOptions}
 * @returns the running issuer
 * @see https://distribution.github.io/distribution/spec/auth/token/
 * @see https://distribution.github.io/distribution/spec/auth/oauth/
 */
export async function startTokenIssuer(options: TokenIssuerOptions): Promise<RunningTokenIssuer> {
  const kid = libtrustKeyId(options.signer.publicKey);
  const anonymousGrants = options.anonymousGrants ?? [];
  const defaultLifetime = options.lifetimeSeconds ?? 300;
  const maxRecords = options.maxRecords ?? 10_000;
  const users = new Map(options.users.map((user) => [user.username, user]));
  const refreshTokens = new Map<string, TokenUser>();
  let records: TokenRequestRecord[] = [];

  function record(entry: Omit<TokenRequestRecord, 'time' | 'repositories'>): void {
    records.push({
      time: new Date().toISOString(),
      ...entry,
      repositories: repositoriesOf(entry.scopes),
    });
    if (records.length > maxRecords) records = records.slice(-maxRecords);
  }

  function authenticate(username: string, password: string): Caller {
    const user = users.get(username);
    if (user && user.password === password) return { kind: 'user', user };
    return { kind: 'denied' };
  }

  async function issue(caller: Caller & { kind: 'anonymous' | 'user' }, scopes: string[]) {
    const requested: Access[] = scopes.map(parseScope);
    const grants =
      caller.kind === 'user' ? [...anonymousGrants, ...caller.user.grants] : anonymousGrants;
    const access = grantAccess(grants, requested);
    const lifetime =
      caller.kind === 'user' ? (caller.user.lifetimeSeconds ?? defaultLifetime) : defaultLifetime;
    const nowMs = Date.now();
    const issuedAt = Math.floor(nowMs / 1000);
    const jwt = new SignJWT({ access })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid })
      .setIssuer(options.issuer)
      .setAudience(options.service)
      .setIssuedAt(issuedAt)
      .setNotBefore(issuedAt)
      .setExpirationTime(Math.ceil(nowMs / 1000) + lifetime - REGISTRY_LEEWAY_SECONDS)
      .setJti(randomBytes(12).toString('hex'));
    if (caller.kind === 'user') jwt.setSubject(caller.user.username);
    return {
      token: await jwt.sign(options.signer.privateKey),
      expires_in: lifetime,
      issued_at: new Date(issuedAt * 1000).toISOString(),
    };
  }

  function newRefreshToken(user: TokenUser): string {
    const token = randomBytes(24).toString('base64url');
    refreshTokens.set(token, user);
    return token;
  }

  function checkScopes(scopes: string[]): string | null {
    for (const scope of scopes) {
      try {
        parseScope(scope);
      } catch {
        return `invalid scope "${scope}"`;
      }
    }
    return null;
  }

  async function handleGet(url: URL, request: IncomingMessage, response: ServerResponse) {
    const scopes = splitScopes(url.searchParams.getAll('scope'));
    const basic = parseBasic(request.headers.authorization);
    const caller: Caller = basic
      ? authenticate(basic.username, basic.password)
      : { kind: 'anonymous' };
    const grant: TokenGrantKind = basic ? 'basic' : 'anonymous';
    const user = basic?.username ?? '';
    const problem =
      url.searchParams.get('service') === options.service
        ? checkScopes(scopes)
        : `unknown service "${url.searchParams.get('service') ?? ''}"`;
    if (problem) {
      record({ method: 'GET', grant, user, scopes, status: 400 });
      sendJson(response, 400, { errors: [{ code: 'UNSUPPORTED', message: problem }] });
      return;
    }
    if (caller.kind === 'denied') {
      record({ method: 'GET', grant, user, scopes, status: 401 });
      sendJson(
        response,
        401,
        { errors: [{ code: 'UNAUTHORIZED', message: 'incorrect username or password' }] },
        { 'www-authenticate': `Basic realm="${options.issuer}"` },
      );
      return;
    }
    const issued = await issue(caller, scopes);
    const refreshToken =
      url.searchParams.get('offline_token') === 'true' && caller.kind === 'user'
        ? newRefreshToken(caller.user)
        : undefined;
    record({ method: 'GET', grant, user, scopes, status: 200 });
    sendJson(response, 200, {
      token: issued.token,
      access_token: issued.token,
      expires_in: issued.expires_in,
      issued_at: issued.issued_at,
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
    });
  }

  async function handlePost(request: IncomingMessage, response: ServerResponse) {
    const form = new URLSearchParams((await readBody(request, 64 * 1024)).toString('utf8'));
    const grantType = form.get('grant_type') ?? '';
    const scopes = splitScopes(form.getAll('scope'));
    const grant: TokenGrantKind = grantType === 'refresh_token' ? 'refresh_token' : 'password';
    let user = form.get('username') ?? '';
    const fail = (status: number, error: string, description: string) => {
      record({ method: 'POST', grant, user, scopes, status });
      sendJson(response, status, { error, error_description: description });
    };
    if (form.get('service') !== options.service) {
      return fail(400, 'invalid_request', `unknown service "${form.get('service') ?? ''}"`);
    }
    if (!form.get('client_id')) return fail(400, 'invalid_request', 'client_id is required');
    const scopeProblem = checkScopes(scopes);
    if (scopeProblem) return fail(400, 'invalid_scope', scopeProblem);
    let caller: Caller;
    if (grantType === 'password') {
      caller = authenticate(user, form.get('password') ?? '');
    } else if (grantType === 'refresh_token') {
      const owner = refreshTokens.get(form.get('refresh_token') ?? '');
      user = owner?.username ?? '';
      caller = owner ? { kind: 'user', user: owner } : { kind: 'denied' };
    } else {
      return fail(400, 'unsupported_grant_type', `grant_type "${grantType}" is not supported`);
    }
    if (caller.kind !== 'user') {
      return fail(401, 'invalid_grant', 'incorrect username, password or refresh token');
    }
    const issued = await issue(caller, scopes);
    let refreshToken: string | undefined;
    if (grantType === 'refresh_token') refreshToken = form.get('refresh_token') ?? undefined;
    else if (form.get('access_type') === 'offline') refreshToken = newRefreshToken(caller.user);
    record({ method: 'POST', grant, user, scopes, status: 200 });
    sendJson(response, 200, {
      access_token: issued.token,
      scope: scopes.join(' '),
      expires_in: issued.expires_in,
      issued_at: issued.issued_at,
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
    });
  }

  const server = createServer(
    asyncHandler(async (request, response) => {
      const url = new URL(request.url ?? '/', 'http://issuer');
      if (url.pathname === '/token' && request.method === 'GET') {
        return handleGet(url, request, response);
      }
      if (url.pathname === '/token' && request.method === 'POST') {
        return handlePost(request, response);
      }
      if (url.pathname === '/_stats' && request.method === 'GET') {
        const repository = url.searchParams.get('repository') ?? undefined;
        const user = url.searchParams.get('user') ?? undefined;
        return sendJson(response, 200, summarizeTokenRequests(records, { repository, user }));
      }
      if (url.pathname === '/_stats/reset' && request.method === 'POST') {
        records = [];
        response.writeHead(204).end();
        return;
      }
      sendJson(response, 404, { error: `no route for ${request.method} ${url.pathname}` });
    }),
  );
  const port = await listen(server, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    realm: `${url}/token`,
    statsUrl: `${url}/_stats`,
    stop: () => closeServer(server),
  };
}
