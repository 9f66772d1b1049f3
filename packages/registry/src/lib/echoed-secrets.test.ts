import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { staticCredentials } from '@ocikit/auth';
import { ociFailure } from '@ocikit/testbed';
import { Transport } from '@ocikit/transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Repository } from './repository.ts';

const CREDENTIALS = { username: 'alice', password: 'echo-me-Secret-7a1b' };
const BASIC = Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString('base64');

/**
 * A real registry on 127.0.0.1 with Basic auth that answers every
 * authenticated manifest request 404, echoing the `Authorization` header in
 * a `Warning` and in the error body's message and detail.
 */
let server: Server;
let host: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const authorization = request.headers.authorization;
    if (authorization === undefined) {
      response.writeHead(401, { 'www-authenticate': 'Basic realm="echo"' }).end();
      return;
    }
    response.writeHead(404, {
      'content-type': 'application/json',
      warning: `299 - "you sent ${authorization}"`,
    });
    response.end(
      JSON.stringify({
        errors: [
          {
            code: 'MANIFEST_UNKNOWN',
            message: `no manifest for ${authorization}`,
            detail: { authorization },
          },
        ],
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('a registry that echoes the Authorization header', () => {
  it('gets it redacted from the error of a manifest request and from its warnings', async () => {
    const warnings: string[] = [];
    const repository = new Repository(
      { registry: host, repository: 'ns/app' },
      {
        transport: new Transport({
          hosts: { [host]: { plainHttp: true } },
          credentials: staticCredentials({ [host]: CREDENTIALS }),
        }),
        onWarning: (warning) => warnings.push(warning),
      },
    );
    const error = await ociFailure(repository.getManifest('v1'));
    expect(error.code).toBe('MANIFEST_UNKNOWN');
    expect(warnings).toEqual(['you sent Basic <redacted>']);
    for (const text of [
      error.message,
      String(error.stack),
      inspect(error, { depth: Number.POSITIVE_INFINITY }),
      JSON.stringify(error),
      ...repository.warnings,
    ]) {
      expect(text).not.toContain(BASIC);
      expect(text).not.toContain(CREDENTIALS.password);
    }
  });
});
