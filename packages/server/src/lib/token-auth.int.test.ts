import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { staticCredentials } from '@ocikit/auth';
import { smallImage } from '@ocikit/contracts';
import { isOciError, readBytes, streamFromBytes } from '@ocikit/digest';
import { Repository } from '@ocikit/registry';
import { makeImage, skopeoCopy, skopeoInspect, writeOciLayout } from '@ocikit/testbed';
import { Transport } from '@ocikit/transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistryHandler } from './handler.ts';
import { listen, type RunningRegistry } from './node-adapter.node.ts';
import { tokenAuth } from './token-auth.ts';

const run = promisify(execFile);
const pusher = { username: 'pusher', password: 'correct horse' };
const reader = { username: 'reader', password: 'battery staple' };
let server: RunningRegistry;
let dir: string;

beforeAll(async () => {
  // The htpasswd entries come from Apache's htpasswd (bcrypt, -B): an oracle independent of bcryptjs.
  const lines = await Promise.all(
    [pusher, reader].map(async (user) => {
      const { stdout } = await run('htpasswd', ['-Bbn', user.username, user.password]);
      return stdout.trim();
    }),
  );
  const auth = tokenAuth({
    htpasswd: lines.join('\n'),
    grants: [
      { repositories: 'open/*', actions: ['pull'], users: 'anyone' },
      { repositories: '*', actions: ['pull'], users: 'authenticated' },
      { repositories: '*', actions: ['push', 'delete'], users: ['pusher'] },
    ],
  });
  server = await listen(createRegistryHandler({ auth }));
  dir = await mkdtemp(join(tmpdir(), 'ocikit-server-token-'));
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function repository(name: string, credentials?: typeof pusher): Repository {
  const transport = new Transport(
    credentials ? { credentials: staticCredentials({ [server.host]: credentials }) } : {},
  );
  return new Repository(`${server.host}/${name}`, { transport });
}

describe('token auth with the built-in issuer, over node:http', () => {
  it('runs the Bearer handshake of @ocikit/transport end to end: push with a password, anonymous pull on open/*, push denied for a pull-only user', async () => {
    const image = smallImage(3000);
    const repo = repository('open/app', pusher);
    for (const blob of image.blobs) {
      await repo.pushBlob(blob.descriptor, streamFromBytes(blob.bytes));
    }
    await repo.putManifest(image.manifest, { tags: ['v1'] });

    const anonymous = repository('open/app');
    expect((await anonymous.fetchManifest('v1')).bytes).toEqual(image.manifest.bytes);
    const layer = image.blobs[0];
    if (!layer) throw new Error('the image has no blob');
    const pulled = await readBytes(await anonymous.fetch(layer.descriptor), {
      maxBytes: layer.descriptor.size,
    });
    expect(pulled).toEqual(layer.bytes);

    const hidden = await repository('closed/app')
      .resolve('v1')
      .catch((e: unknown) => e);
    expect(isOciError(hidden, 'DENIED')).toBe(true);

    const denied = await repository('open/app', reader)
      .putManifest(image.manifest, { tags: ['v2'] })
      .catch((e: unknown) => e);
    expect(isOciError(denied, 'DENIED')).toBe(true);
    const wrong = await repository('open/app', { ...pusher, password: 'wrong' })
      .resolve('v1')
      .catch((e: unknown) => e);
    expect(isOciError(wrong, 'UNAUTHORIZED')).toBe(true);
  });

  it('takes a skopeo copy in with --dest-creds, copies it out with --src-creds, and refuses a pull-only user', async () => {
    const image = await makeImage({ seed: 'server-token-auth' });
    const source = join(dir, 'layout');
    await writeOciLayout(source, [{ node: image, tag: 'v1' }]);
    const remote = `docker://${server.host}/team/skopeo:v1`;
    await expect(skopeoCopy(`oci:${source}:v1`, remote, { destCreds: reader })).rejects.toThrow(
      /denied|403|unauthorized/i,
    );
    await skopeoCopy(`oci:${source}:v1`, remote, { destCreds: pusher });
    const inspected = (await skopeoInspect(remote, { creds: reader })) as { Digest: string };
    expect(inspected.Digest).toBe(image.manifest.digest);
    const out = join(dir, 'out');
    await skopeoCopy(remote, `oci:${out}:v1`, { srcCreds: reader });
    await expect(skopeoInspect(remote)).rejects.toThrow(/denied|403|unauthorized/i);
  });
});

it('names the address the client connected to as the realm, not a Host header it sent', async () => {
  const challenge = await new Promise<string | undefined>((resolve, reject) => {
    const sent = request(
      `${server.url.href}v2/`,
      { headers: { host: 'attacker.example:443' } },
      (answer) => {
        answer.resume();
        resolve(answer.headers['www-authenticate']);
      },
    );
    sent.on('error', reject);
    sent.end();
  });
  expect(challenge).toContain(`realm="${server.url.href}token"`);
});
