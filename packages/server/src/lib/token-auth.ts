import { formatChallenge, formatScope, type Scope } from '@ocikit/auth';
import { OciError } from '@ocikit/digest';
import { generateKeyPair, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { type AuthRefusal, passwordChecker, type RegistryAuth } from './basic-auth.ts';
import { serveTokenEndpoint } from './token-endpoint.ts';
import {
  type AccessEntry,
  type Caller,
  compileGrants,
  coverage,
  type Grantee,
  type TokenGrant,
} from './token-grants.ts';

/** Options of {@link tokenAuth}. */
export interface TokenAuthOptions {
  /** What users (and anonymous callers) may do, per repository pattern; nothing else is allowed. */
  grants: readonly TokenGrant[];
  /**
   * The users, as an htpasswd file of bcrypt entries (`htpasswd -B`).
   * @default no users: only grants for `anyone` apply
   */
  htpasswd?: string;
  /**
   * Who may list the catalog (`registry:catalog:*`).
   * @default [] (nobody)
   */
  catalog?: Grantee;
  /**
   * The service: the challenge's `service` and the tokens' `aud`.
   * @default 'ocikit'
   */
  service?: string;
  /**
   * The tokens' `iss`.
   * @default 'ocikit'
   */
  issuer?: string;
  /**
   * The token endpoint's absolute URL, sent as the challenge's `realm`.
   * Set it when clients reach the registry through a proxy: the `/node`
   * adapter's request origin is the address the client connected to, not
   * its `Host` header.
   * @default the request's origin + `tokenPath`
   */
  realm?: string;
  /**
   * The path the handler serves the token endpoint at.
   * @default '/token'
   */
  tokenPath?: string;
  /**
   * The key pair that signs and verifies tokens: ECDSA P-256 (ES256) or
   * RSASSA-PKCS1-v1_5 with SHA-256 (RS256), as `crypto.subtle.generateKey`
   * or jose's `generateKeyPair` make them. Give the same pair to every
   * process that must accept the same tokens.
   * @default a new ES256 pair, made when the auth is
   */
  keys?: CryptoKeyPair;
  /**
   * Access token lifetime, in seconds (`expires_in`).
   * @default 300
   */
  lifetime?: number;
  /**
   * Refresh token lifetime, in seconds.
   * @default 86400 (1 day)
   */
  refreshLifetime?: number;
  /**
   * The clock, in ms since the epoch (token times and expiry).
   * @default Date.now
   */
  now?: () => number;
}

/** The token issuer and verifier that the token endpoint and the registry share. */
export interface TokenService {
  /** @returns whether the user and password match an entry of the htpasswd file */
  checkPassword(username: string, password: string): Promise<boolean>;
  /** @returns a signed access token for the caller, holding what it may have of the requested scopes */
  issueAccess(
    caller: Caller,
    scopes: readonly Scope[],
  ): Promise<{ token: string; access: AccessEntry[] }>;
  /** @returns a signed refresh token for a user */
  issueRefresh(username: string): Promise<string>;
  /** @returns the user of a valid refresh token, or undefined */
  verifyRefresh(token: string): Promise<string | undefined>;
  readonly lifetime: number;
  readonly now: () => number;
}

const ACCESS_TYPE = 'JWT';
const REFRESH_TYPE = 'refresh+jwt';

/**
 * Docker registry token auth with the issuer built in: every request needs a
 * Bearer JWT (ES256 or RS256) whose signature, `iss`, `aud`, `exp`/`nbf` and
 * `access` claim cover what it does; without one the answer is `401` with a
 * `Bearer realm=…,service=…,scope=…` challenge, and a token that names the
 * repository without the needed action is `403 DENIED`. The handler serves
 * the token endpoint itself: `GET` with Basic credentials or none
 * (anonymous), and the OAuth2 `POST` `password` and `refresh_token` grants.
 *
 * @param options - {@link TokenAuthOptions}
 * @returns the auth to give `createRegistryHandler`
 * @throws {OciError} `OPTION_INVALID` for a bad option, `CONFIG_INVALID` for a bad htpasswd file
 * @see https://distribution.github.io/distribution/spec/auth/token/
 * @see https://distribution.github.io/distribution/spec/auth/oauth/
 * @see https://distribution.github.io/distribution/spec/auth/jwt/
 */
export function tokenAuth(options: TokenAuthOptions): RegistryAuth {
  const service = options.service ?? 'ocikit';
  const issuer = options.issuer ?? 'ocikit';
  const tokenPath = options.tokenPath ?? '/token';
  if (!tokenPath.startsWith('/') || tokenPath.startsWith('/v2/') || tokenPath === '/v2') {
    throw new OciError(
      'OPTION_INVALID',
      `tokenPath must be a path outside /v2/, got "${tokenPath}"`,
    );
  }
  const lifetime = seconds('lifetime', options.lifetime ?? 300);
  const refreshLifetime = seconds('refreshLifetime', options.refreshLifetime ?? 86_400);
  const now = options.now ?? Date.now;
  const grant = compileGrants(options.grants, options.catalog ?? []);
  const checkPassword =
    options.htpasswd === undefined ? async () => false : passwordChecker(options.htpasswd);
  const keys = options.keys
    ? Promise.resolve(checkKeys(options.keys))
    : generateKeyPair('ES256').then((pair) => ({ pair, alg: 'ES256' }));
  keys.catch(() => {});

  async function sign(claims: JWTPayload, typ: string, life: number): Promise<string> {
    const { pair, alg } = await keys;
    const issuedAt = Math.floor(now() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg, typ })
      .setIssuer(issuer)
      .setAudience(service)
      .setIssuedAt(issuedAt)
      .setNotBefore(issuedAt)
      .setExpirationTime(issuedAt + life)
      .setJti(crypto.randomUUID())
      .sign(pair.privateKey);
  }

  async function verify(token: string, typ: string): Promise<JWTPayload | undefined> {
    const { pair, alg } = await keys;
    try {
      const { payload } = await jwtVerify(token, pair.publicKey, {
        algorithms: [alg],
        issuer,
        audience: service,
        typ,
        currentDate: new Date(now()),
        requiredClaims: ['exp'],
      });
      return payload;
    } catch {
      return undefined;
    }
  }

  const tokens: TokenService = {
    checkPassword,
    lifetime,
    now,
    async issueAccess(caller, scopes) {
      const access = grant(caller, scopes);
      const claims = caller === undefined ? { access } : { access, sub: caller };
      return { token: await sign(claims, ACCESS_TYPE, lifetime), access };
    },
    issueRefresh: (username) => sign({ sub: username }, REFRESH_TYPE, refreshLifetime),
    async verifyRefresh(token) {
      const payload = await verify(token, REFRESH_TYPE);
      return typeof payload?.sub === 'string' ? payload.sub : undefined;
    },
  };

  function challenge(request: Request, scopes: readonly Scope[], error?: string): string {
    const params: Record<string, string> = {
      realm: options.realm ?? new URL(tokenPath, request.url).href,
      service,
    };
    if (scopes.length > 0) params.scope = scopes.map(formatScope).join(' ');
    if (error) params.error = error;
    return formatChallenge({ scheme: 'Bearer', params });
  }

  async function payloadOf(request: Request): Promise<JWTPayload | undefined> {
    const match = /^bearer\s+([A-Za-z0-9._~+/=-]{1,16384})\s*$/i.exec(
      request.headers.get('authorization') ?? '',
    );
    return match?.[1] ? verify(match[1], ACCESS_TYPE) : undefined;
  }

  async function accessOf(request: Request): Promise<readonly AccessEntry[] | undefined> {
    const payload = await payloadOf(request);
    return payload && accessClaim(payload.access);
  }

  return {
    challenge: formatChallenge({
      scheme: 'Bearer',
      params: { realm: options.realm ?? tokenPath, service },
    }),
    async authenticate(request) {
      return (await accessOf(request)) !== undefined;
    },
    async identify(request) {
      const payload = await payloadOf(request);
      return typeof payload?.sub === 'string' ? payload.sub : undefined;
    },
    async authorize(request, scopes): Promise<AuthRefusal | undefined> {
      const hasToken = request.headers.has('authorization');
      const access = await accessOf(request);
      if (!access) {
        return {
          code: 'UNAUTHORIZED',
          message: hasToken ? 'The token is invalid or expired' : 'Authentication is required',
          challenge: challenge(request, scopes, hasToken ? 'invalid_token' : undefined),
        };
      }
      const verdicts = scopes.map((scope) => coverage(access, scope));
      if (verdicts.includes('denied')) {
        return {
          code: 'DENIED',
          message: `The token does not grant ${scopes.map(formatScope).join(' ')}`,
          challenge: challenge(request, scopes, 'insufficient_scope'),
        };
      }
      if (verdicts.includes('unasked')) {
        return {
          code: 'UNAUTHORIZED',
          message: `The token does not name ${scopes.map(formatScope).join(' ')}`,
          challenge: challenge(request, scopes, 'insufficient_scope'),
        };
      }
      return undefined;
    },
    async serve(request) {
      if (new URL(request.url).pathname !== tokenPath) return undefined;
      return serveTokenEndpoint(request, { service, tokens });
    },
  };
}

function accessClaim(value: unknown): AccessEntry[] | undefined {
  if (!Array.isArray(value)) return value === undefined ? [] : undefined;
  const entries: AccessEntry[] = [];
  for (const item of value) {
    const { type, name, actions } = (item ?? {}) as Record<string, unknown>;
    if (typeof type !== 'string' || typeof name !== 'string' || !Array.isArray(actions))
      return undefined;
    entries.push({
      type,
      name,
      actions: actions.filter((a): a is string => typeof a === 'string'),
    });
  }
  return entries;
}

function checkKeys(pair: CryptoKeyPair): { pair: CryptoKeyPair; alg: string } {
  const algorithm = pair.privateKey.algorithm as {
    name: string;
    namedCurve?: string;
    hash?: { name: string };
  };
  if (algorithm.name === 'ECDSA' && algorithm.namedCurve === 'P-256') return { pair, alg: 'ES256' };
  if (algorithm.name === 'RSASSA-PKCS1-v1_5' && algorithm.hash?.name === 'SHA-256')
    return { pair, alg: 'RS256' };
  throw new OciError(
    'OPTION_INVALID',
    `keys must be ECDSA P-256 (ES256) or RSASSA-PKCS1-v1_5 SHA-256 (RS256), got ${algorithm.name}`,
  );
}

function seconds(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new OciError(
      'OPTION_INVALID',
      `${name} must be a number of seconds above 0, got ${value}`,
    );
  }
  return Math.ceil(value);
}
