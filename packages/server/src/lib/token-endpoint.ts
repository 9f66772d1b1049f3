import { formatScope, parseScope, type Scope } from '@ocikit/auth';
import { isOciError, OciError, readBytes } from '@ocikit/digest';
import { basicCredential } from './basic-auth.ts';
import type { TokenService } from './token-auth.ts';
import type { Caller } from './token-grants.ts';

/** The largest OAuth2 form body read, in bytes. */
const MAX_FORM_BYTES = 64 * 1024;

/**
 * Serves the token endpoint: `GET` with Basic credentials or none
 * (anonymous; `offline_token=true` adds a refresh token), and the OAuth2
 * `POST` `password` and `refresh_token` grants (`client_id` required,
 * `access_type=offline` adds a refresh token). Bad credentials are
 * `401 UNAUTHORIZED`; a caller is never refused a token, only given less
 * access than it asked for.
 *
 * @param request - a request to the token path
 * @param context - the service name and the token service
 * @returns the token response
 * @throws {OciError} `UNAUTHORIZED`, `UNSUPPORTED` (400 for a bad request, 405 for a bad method)
 * @see https://distribution.github.io/distribution/spec/auth/token/
 * @see https://distribution.github.io/distribution/spec/auth/oauth/
 */
export async function serveTokenEndpoint(
  request: Request,
  context: { service: string; tokens: TokenService },
): Promise<Response> {
  const { tokens } = context;
  if (request.method === 'GET') {
    const url = new URL(request.url);
    checkService(url.searchParams.get('service'), context.service);
    const scopes = scopesOf(url.searchParams.getAll('scope'));
    const caller = await basicCaller(request, tokens);
    const { token } = await tokens.issueAccess(caller, scopes);
    const offline = caller !== undefined && url.searchParams.get('offline_token') === 'true';
    return tokenResponse(tokens, {
      token,
      access_token: token,
      ...(offline ? { refresh_token: await tokens.issueRefresh(caller) } : {}),
    });
  }
  if (request.method !== 'POST') {
    throw new OciError('UNSUPPORTED', `${request.method} is not supported on the token endpoint`);
  }
  const form = new URLSearchParams(
    new TextDecoder().decode(
      await readBytes(request.body ?? new ReadableStream(), { maxBytes: MAX_FORM_BYTES }),
    ),
  );
  checkService(form.get('service'), context.service);
  if (!form.get('client_id')) throw badRequest('client_id is required');
  const scopes = scopesOf([form.get('scope') ?? '']);
  const caller = await grantCaller(form, tokens);
  const { token } = await tokens.issueAccess(caller, scopes);
  const offline = form.get('access_type') === 'offline';
  return tokenResponse(tokens, {
    access_token: token,
    scope: scopes.map(formatScope).join(' '),
    ...(offline ? { refresh_token: await tokens.issueRefresh(caller) } : {}),
  });
}

async function basicCaller(request: Request, tokens: TokenService): Promise<Caller> {
  const header = request.headers.get('authorization');
  if (header === null) return undefined;
  const credential = basicCredential(header);
  if (!credential || !(await tokens.checkPassword(credential.username, credential.password))) {
    throw new OciError('UNAUTHORIZED', 'The user name or password is wrong');
  }
  return credential.username;
}

async function grantCaller(form: URLSearchParams, tokens: TokenService): Promise<string> {
  const grant = form.get('grant_type');
  if (grant === 'password') {
    const username = form.get('username') ?? '';
    if (await tokens.checkPassword(username, form.get('password') ?? '')) return username;
    throw new OciError('UNAUTHORIZED', 'The user name or password is wrong');
  }
  if (grant === 'refresh_token') {
    const user = await tokens.verifyRefresh(form.get('refresh_token') ?? '');
    if (user !== undefined) return user;
    throw new OciError('UNAUTHORIZED', 'The refresh token is invalid or expired');
  }
  throw badRequest(`grant_type "${String(grant).slice(0, 40)}" is not supported`);
}

function scopesOf(values: readonly string[]): Scope[] {
  const scopes: Scope[] = [];
  for (const text of values.flatMap((value) => value.split(' ')).filter(Boolean)) {
    try {
      scopes.push(parseScope(text));
    } catch (error) {
      if (isOciError(error)) throw badRequest(`Invalid scope "${text.slice(0, 300)}"`);
      throw error;
    }
  }
  return scopes;
}

function checkService(asked: string | null, service: string): void {
  if (asked !== null && asked !== service) {
    throw badRequest(`This token endpoint serves "${service}", not "${asked.slice(0, 100)}"`);
  }
}

function badRequest(message: string): OciError {
  return new OciError('UNSUPPORTED', message, { status: 400 });
}

function tokenResponse(tokens: TokenService, body: Record<string, string>): Response {
  const issued = new Date(Math.floor(tokens.now() / 1000) * 1000).toISOString();
  return new Response(JSON.stringify({ ...body, expires_in: tokens.lifetime, issued_at: issued }), {
    status: 200,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  });
}
