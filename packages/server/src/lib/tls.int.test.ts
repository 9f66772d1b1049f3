import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { staticCredentials } from '@ocikit/auth';
import { smallImage } from '@ocikit/contracts';
import { isOciError, streamFromBytes } from '@ocikit/digest';
import { Registry, Repository } from '@ocikit/registry';
import { makeImage, opensslCertificate, skopeo, writeOciLayout } from '@ocikit/testbed';
import { createNodeTransport } from '@ocikit/transport/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistryHandler } from './handler.ts';
import { listen, type RunningRegistry } from './node-adapter.node.ts';
import { tokenAuth } from './token-auth.ts';

const run = promisify(execFile);
const pusher = { username: 'pusher', password: 'correct horse' };
let server: RunningRegistry;
let dir: string;
let ca: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocikit-server-tls-'));
  const certificate = await opensslCertificate(dir);
  ca = certificate.certPem;
  const { stdout } = await run('htpasswd', ['-Bbn', '-C', '4', pusher.username, pusher.password]);
  const auth = tokenAuth({
    htpasswd: stdout,
    grants: [{ repositories: '*', actions: ['pull', 'push'], users: [pusher.username] }],
  });
  server = await listen(createRegistryHandler({ auth }), {
    tls: { cert: ca, key: certificate.keyPem },
  });
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** A transport that trusts only the test's CA for the server (no insecure fallback). */
function transport(trusted: string | undefined) {
  return createNodeTransport({
    hosts: { [server.host]: { insecure: false, ...(trusted ? { ca: trusted } : {}) } },
    credentials: staticCredentials({ [server.host]: pusher }),
  });
}

describe('listen with tls: HTTPS from a certificate and key made by openssl', () => {
  it('serves https, names an https token realm, and takes a push and pull from a client trusting the CA', async () => {
    expect(server.url.protocol).toBe('https:');
    const registry = new Registry(server.host, { transport: transport(ca) });
    const ping = await registry.ping();
    expect(ping.challenges[0]?.params.realm).toBe(`https://${server.host}/token`);
    const repo = new Repository(`${server.host}/tls/app`, { transport: transport(ca) });
    const image = smallImage(1500);
    for (const blob of image.blobs) {
      await repo.pushBlob(blob.descriptor, streamFromBytes(blob.bytes));
    }
    await repo.putManifest(image.manifest, { tags: ['v1'] });
    expect((await repo.fetchManifest('v1')).bytes).toEqual(image.manifest.bytes);

    const untrusted = await new Repository(`${server.host}/tls/app`, {
      transport: transport(undefined),
    })
      .resolve('v1')
      .catch((error: unknown) => error);
    expect(isOciError(untrusted, 'NETWORK_ERROR'), String(untrusted)).toBe(true);
    expect(String(untrusted)).toContain('SELF_SIGNED_CERT');
  });

  it('takes a skopeo push and pull with --dest-cert-dir and --src-cert-dir (TLS verified)', async () => {
    const image = await makeImage({ seed: 'server-tls-skopeo' });
    const layout = join(dir, 'layout');
    await writeOciLayout(layout, [{ node: image, tag: 'v1' }]);
    const creds = `${pusher.username}:${pusher.password}`;
    const target = `docker://${server.host}/tls/skopeo:v1`;
    await skopeo(
      ['copy', '--dest-cert-dir', dir, '--dest-creds', creds, `oci:${layout}:v1`, target],
      { secrets: [pusher.password] },
    );
    const back = join(dir, 'back');
    await skopeo(['copy', '--src-cert-dir', dir, '--src-creds', creds, target, `oci:${back}:v1`], {
      secrets: [pusher.password],
    });
    const index = JSON.parse(await readFile(join(back, 'index.json'), 'utf8')) as {
      manifests: { digest: string }[];
    };
    expect(index.manifests.map((entry) => entry.digest)).toEqual([image.manifest.digest]);
    const refused = await skopeo(['inspect', '--creds', creds, target], {
      secrets: [pusher.password],
    }).catch((error: unknown) => error);
    expect(String(refused)).toMatch(/certificate/);
  });
});
