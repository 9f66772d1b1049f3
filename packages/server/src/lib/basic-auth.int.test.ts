import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { staticCredentials } from '@ocikit/auth';
import { smallImage } from '@ocikit/contracts';
import { isOciError, streamFromBytes } from '@ocikit/digest';
import { Repository } from '@ocikit/registry';
import { makeImage, skopeoCopy, skopeoInspect, writeOciLayout } from '@ocikit/testbed';
import { Transport } from '@ocikit/transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { htpasswdAuth } from './basic-auth.ts';
import { createRegistryHandler } from './handler.ts';
import { listen, type RunningRegistry } from './node-adapter.node.ts';

const run = promisify(execFile);
const user = { username: 'pusher', password: 'correct horse' };
let server: RunningRegistry;
let dir: string;

beforeAll(async () => {
  // The htpasswd file comes from Apache's htpasswd (bcrypt, -B): an oracle independent of bcryptjs.
  const { stdout } = await run('htpasswd', ['-Bbn', user.username, user.password]);
  server = await listen(createRegistryHandler({ auth: htpasswdAuth(stdout) }));
  dir = await mkdtemp(join(tmpdir(), 'ocikit-server-auth-'));
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function repository(credentials?: typeof user): Repository {
  const transport = new Transport(
    credentials ? { credentials: staticCredentials({ [server.host]: credentials }) } : {},
  );
  return new Repository(`${server.host}/private/app`, { transport });
}

describe('Basic auth from an htpasswd file made by Apache htpasswd -B', () => {
  it('lets the registry client push and pull with the password, and refuses it without', async () => {
    const image = smallImage(2000);
    const repo = repository(user);
    for (const blob of image.blobs)
      await repo.pushBlob(blob.descriptor, streamFromBytes(blob.bytes));
    await repo.putManifest(image.manifest, { tags: ['v1'] });
    expect((await repo.fetchManifest('v1')).bytes).toEqual(image.manifest.bytes);

    const anonymous = await repository()
      .resolve('v1')
      .catch((error: unknown) => error);
    expect(isOciError(anonymous, 'UNAUTHORIZED')).toBe(true);
    const wrong = await repository({ ...user, password: 'wrong' })
      .resolve('v1')
      .catch((error: unknown) => error);
    expect(isOciError(wrong, 'UNAUTHORIZED')).toBe(true);
  });

  it('takes a skopeo copy with --dest-creds and refuses one without', async () => {
    const image = await makeImage({ seed: 'server-basic-auth' });
    const source = join(dir, 'layout');
    await writeOciLayout(source, [{ node: image, tag: 'v1' }]);
    const remote = `docker://${server.host}/private/skopeo:v1`;
    await expect(skopeoCopy(`oci:${source}:v1`, remote)).rejects.toThrow(/unauthorized|401/i);
    await skopeoCopy(`oci:${source}:v1`, remote, { destCreds: user });
    const inspected = (await skopeoInspect(remote, { creds: user })) as { Digest: string };
    expect(inspected.Digest).toBe(image.manifest.digest);
  });
});
