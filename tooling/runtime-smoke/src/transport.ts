import { staticCredentials } from '@ocikit/auth';
import { errorFromResponse, Transport } from '@ocikit/transport';
import { check } from './check.ts';

/**
 * Drives the built transport through a Bearer handshake and an error body
 * against an in-memory server (an injected fetch), so it runs on any runtime
 * without a network.
 */
export async function smokeTransport(): Promise<void> {
  let tokenRequests = 0;
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    const authorization = new Headers(init?.headers).get('authorization');
    if (url.host === 'auth.test') {
      tokenRequests += 1;
      return Response.json({ token: 'T', expires_in: 300 });
    }
    if (authorization !== 'Bearer T') {
      return new Response(null, {
        status: 401,
        headers: {
          'www-authenticate': 'Bearer realm="https://auth.test/token",service="reg.test"',
        },
      });
    }
    if (url.pathname === '/v2/') return new Response('{}');
    return Response.json({ errors: [{ code: 'NAME_UNKNOWN', message: 'nope' }] }, { status: 404 });
  };
  const transport = new Transport({
    fetch,
    credentials: staticCredentials({ 'reg.test': { username: 'u', password: 'p' } }),
  });
  for (let i = 0; i < 3; i += 1) {
    const response = await transport.request({ registry: 'reg.test', path: '/v2/' });
    check(response.status === 200, 'authenticated ping');
    await response.body?.cancel();
  }
  check(tokenRequests === 1, `one token for three calls, got ${tokenRequests}`);
  const missing = await transport.request({ registry: 'reg.test', path: '/v2/x/tags/list' });
  const error = await errorFromResponse(missing, 'List tags');
  check(error.code === 'NAME_UNKNOWN' && error.status === 404, 'error body code');
}
