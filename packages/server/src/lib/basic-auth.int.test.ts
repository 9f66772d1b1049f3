import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { staticCredentials } from '@ocikit/auth';
import { smallImage } from '@ocikit/contracts';
import { digestBytes, isOciError, OciError, streamFromBytes } from '@ocikit/digest';
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

describe('Basic auth with per-repository grants (htpasswdAuth grants)', () => {
  const reader = { username: 'reader', password: 'read only' };
  let ruled: RunningRegistry;

  beforeAll(async () => {
    const lines = await Promise.all(
      [user, reader].map((u) => run('htpasswd', ['-Bbn', u.username, u.password])),
    );
    ruled = await listen(
      createRegistryHandler({
        auth: htpasswdAuth(lines.map((line) => line.stdout).join(''), {
          grants: [
            { repositories: 'team/*', actions: ['pull', 'push', 'delete'], users: ['pusher'] },
            { repositories: 'shared/*', actions: ['pull', 'push'], users: 'authenticated' },
            { repositories: '*', actions: ['pull'], users: 'authenticated' },
          ],
        }),
      }),
    );
  });
  afterAll(async () => {
    await ruled.close();
  });

  function ruledRepository(name: string, credentials: typeof user): Repository {
    const transport = new Transport({
      credentials: staticCredentials({ [ruled.host]: credentials }),
    });
    return new Repository(`${ruled.host}/${name}`, { transport });
  }

  it('lets a granted user push, a pull-only user pull, and answers the pull-only user 403 DENIED with the spec body on push', async () => {
    const image = smallImage(1500);
    const pusher = ruledRepository('team/app', user);
    for (const blob of image.blobs)
      await pusher.pushBlob(blob.descriptor, streamFromBytes(blob.bytes));
    await pusher.putManifest(image.manifest, { tags: ['v1'] });
    const pulled = await ruledRepository('team/app', reader).fetchManifest('v1');
    expect(pulled.bytes).toEqual(image.manifest.bytes);

    const refused = await ruledRepository('team/app', reader)
      .putManifest(image.manifest, { tags: ['v2'] })
      .catch((error: unknown) => error);
    expect(isOciError(refused, 'DENIED')).toBe(true);

    const basic = `Basic ${btoa(`${reader.username}:${reader.password}`)}`;
    const raw = await fetch(`${ruled.url.href}v2/team/app/blobs/uploads/`, {
      method: 'POST',
      headers: { authorization: basic },
    });
    expect(raw.status).toBe(403);
    const body = (await raw.json()) as { errors: { code: string; message: string }[] };
    expect(body.errors[0]?.code).toBe('DENIED');

    const [first] = image.blobs;
    if (!first) throw new OciError('UNKNOWN', 'The test image has no blobs');
    const outside = await ruledRepository('other/app', user)
      .pushBlob(first.descriptor, streamFromBytes(first.bytes))
      .catch((error: unknown) => error);
    expect(isOciError(outside, 'DENIED')).toBe(true);

    const wrong = await fetch(`${ruled.url.href}v2/team/app/manifests/v1`, {
      headers: { authorization: `Basic ${btoa('reader:wrong')}` },
    });
    expect(wrong.status).toBe(401);
    await wrong.body?.cancel();
    const anonymous = await fetch(`${ruled.url.href}v2/team/app/manifests/v1`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic /);
    await anonymous.body?.cancel();
  });

  it("answers 404 BLOB_UPLOAD_UNKNOWN when another user touches an upload session, and the owner's session goes on", async () => {
    const as = (who: typeof user) => ({
      authorization: `Basic ${btoa(`${who.username}:${who.password}`)}`,
    });
    const opened = await fetch(`${ruled.url.href}v2/shared/app/blobs/uploads/`, {
      method: 'POST',
      headers: as(user),
    });
    expect(opened.status).toBe(202);
    const location = new URL(opened.headers.get('location') ?? '', ruled.url).href;
    const bytes = new TextEncoder().encode('owned by pusher');
    const attempts = [
      { method: 'GET' },
      { method: 'PATCH', body: bytes },
      { method: 'PUT', body: bytes },
      { method: 'DELETE' },
    ];
    const codes: string[] = [];
    for (const attempt of attempts) {
      const url =
        attempt.method === 'PUT'
          ? `${location}${location.includes('?') ? '&' : '?'}digest=${digestBytes(bytes)}`
          : location;
      const answer = await fetch(url, { ...attempt, headers: as(reader) });
      const body = (await answer.json()) as { errors: { code: string }[] };
      codes.push(`${attempt.method} ${answer.status} ${body.errors[0]?.code}`);
    }
    expect(codes).toEqual([
      'GET 404 BLOB_UPLOAD_UNKNOWN',
      'PATCH 404 BLOB_UPLOAD_UNKNOWN',
      'PUT 404 BLOB_UPLOAD_UNKNOWN',
      'DELETE 404 BLOB_UPLOAD_UNKNOWN',
    ]);
    const digest = digestBytes(bytes);
    const finished = await fetch(
      `${location}${location.includes('?') ? '&' : '?'}digest=${digest}`,
      {
        method: 'PUT',
        body: bytes,
        headers: as(user),
      },
    );
    expect(finished.status).toBe(201);
    await finished.body?.cancel();
  });
});
