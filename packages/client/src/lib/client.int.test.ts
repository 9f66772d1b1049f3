import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isReferrerLister, pushBytes } from '@ocikit/content';
import { OciLayout } from '@ocikit/layout/fs';
import { createImageManifest, EMPTY_DESCRIPTOR } from '@ocikit/spec';
import {
  type Credentials,
  faultClient,
  getTestbed,
  makeImage,
  makeMultiPlatformImage,
  ociFailure,
  pushImage,
  type RegistryInfo,
  skopeoCopy,
  skopeoInspect,
  type TestNode,
  uniqueRepo,
} from '@ocikit/testbed';
import { FileBlobLocations } from '@ocikit/transfer/fs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { Client, openLocation } from './client.node.ts';

const EMPTY_BYTES = new TextEncoder().encode('{}');

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ocikit-client-test-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A Docker `config.json` in a temp `DOCKER_CONFIG`, holding these logins. */
async function dockerConfig(auths: Record<string, Credentials>): Promise<Record<string, string>> {
  const dir = await tempDir();
  const entries = Object.fromEntries(
    Object.entries(auths).map(([host, { username, password }]) => [
      host,
      { auth: Buffer.from(`${username}:${password}`).toString('base64') },
    ]),
  );
  await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: entries }));
  return { DOCKER_CONFIG: dir, HOME: dir };
}

/** A client that reads only the given environment (no credentials of this machine). */
function client(env: Record<string, string> = {}): Client {
  return new Client({ env: { HOME: '/nonexistent', ...env } });
}

/** Pushes an image to a new repository of a registry, tagged `v1`; returns `host/repo`. */
async function seeded(
  registry: RegistryInfo & { users?: { push: Credentials } },
  node: TestNode,
): Promise<string> {
  const repo = uniqueRepo('client/copy');
  await pushImage(
    { url: registry.url, ...(registry.users ? { credentials: registry.users.push } : {}) },
    repo,
    node,
    { tag: 'v1' },
  );
  return `${registry.host}/${repo}`;
}

describe('Client.copy between location strings', () => {
  it('copies registry → oci: → registry, skopeo reading the layout and the registry', async () => {
    const image = await makeMultiPlatformImage();
    const from = await seeded(getTestbed().anonymous, image);
    const dir = join(await tempDir(), 'layout');
    const ocikit = client();

    const pulled = await ocikit.copy(`docker://${from}:v1`, `oci:${dir}:v1`);
    expect(pulled.digest).toBe(image.manifest.digest);
    expect(pulled.tags).toEqual(['v1']);
    const raw = (await skopeoInspect(`oci:${dir}:v1`, { raw: true })) as { manifests: unknown[] };
    expect(raw.manifests).toHaveLength(2);

    const to = `${getTestbed().anonymous.host}/${uniqueRepo('client/push')}`;
    const pushed = await ocikit.copy(`oci:${dir}:v1`, `${to}:pushed`);
    expect(pushed.digest).toBe(image.manifest.digest);
    const inspected = (await skopeoInspect(`docker://${to}:pushed`, { raw: true })) as {
      manifests: unknown[];
    };
    expect(inspected.manifests).toHaveLength(2);
    expect((await ocikit.resolve(`docker://${to}:pushed`)).digest).toBe(image.manifest.digest);
  });

  it('passes platforms, referrers and progress on to the copy', async () => {
    const index = await makeMultiPlatformImage();
    const from = await seeded(getTestbed().anonymous, index);
    const dir = await tempDir();
    const ocikit = client();
    await ocikit.copy(`${from}:v1`, `oci:${dir}/all:v1`);
    // A signature-like referrer of the index, in the layout.
    const layout = await OciLayout.open(join(dir, 'all'));
    const blob = await pushBytes(layout, new TextEncoder().encode('sig'), 'text/plain');
    const referrer = createImageManifest({
      artifactType: 'application/example.signature',
      config: EMPTY_DESCRIPTOR,
      layers: [blob],
      subject: await layout.resolve('v1'),
    });
    await pushBytes(layout, EMPTY_BYTES, EMPTY_DESCRIPTOR.mediaType);
    await pushBytes(layout, referrer.bytes, referrer.mediaType);

    const events: string[] = [];
    const to = `${getTestbed().anonymous.host}/${uniqueRepo('client/subset')}`;
    const result = await ocikit.copy(`oci:${dir}/all:v1`, `${to}:arm`, {
      platforms: ['linux/arm64'],
      onProgress: (event) => events.push(event.type),
    });
    expect(result.manifests).toBe(2);
    expect(events).toContain('done');
    const inspected = await ocikit.inspect(`${to}:arm`);
    expect(inspected.platforms.map((entry) => entry.platform)).toEqual(['linux/arm64']);

    const whole = await ocikit.copy(`oci:${dir}/all:v1`, `${to}:all`, { referrers: true });
    expect(whole.referrers).toBe(1);
    const opened = await ocikit.open(`${to}:all`);
    const found: string[] = [];
    if (isReferrerLister(opened.target)) {
      for await (const each of opened.target.referrers(await opened.root())) {
        found.push(each.digest);
      }
    }
    await opened.close();
    expect(found).toEqual([referrer.digest]);
  });

  it('copies registry → registry on the same registry by mounting every blob', async () => {
    const image = await makeImage({ seed: 'mount' });
    const from = await seeded(getTestbed().anonymous, image);
    const to = `${getTestbed().anonymous.host}/${uniqueRepo('client/mount')}:m`;
    const result = await client().copy(from.replace(/$/, ':v1'), to);
    expect(result.blobsMounted).toBe(1 + image.layers.length);
    expect(result.blobsCopied).toBe(0);
    expect(result.digest).toBe(image.manifest.digest);
  });

  it('reads the source root with one GET by tag, kept for the copy: no HEAD, no second GET (counted by the proxy)', async () => {
    const image = await makeImage({ seed: 'one-get' });
    const { faults } = getTestbed();
    const repo = uniqueRepo('client/one-get');
    await pushImage({ url: faults.url }, repo, image, { tag: 'v1' });
    const before = (await faultClient(faults.controlUrl).requests(`/v2/${repo}/manifests/`)).length;
    const dir = await tempDir();
    const result = await client().copy(`${faults.host}/${repo}:v1`, `oci:${join(dir, 'out')}:v1`);
    expect(result.digest).toBe(image.manifest.digest);
    const requests = (await faultClient(faults.controlUrl).requests(`/v2/${repo}/manifests/`))
      .slice(before)
      .map((request) => `${request.method} ${request.path}`);
    expect(requests).toEqual([`GET /v2/${repo}/manifests/v1`]);
  });

  it('mounts from where a blob cache file saw the blobs: a layout pushed into a second repository sends no bytes', async () => {
    const image = await makeImage({ seed: 'blob-cache' });
    const dir = await tempDir();
    const cacheFile = join(dir, 'blob-locations.json');
    const layout = `oci:${join(dir, 'layout')}:v1`;
    await client().copy(`${await seeded(getTestbed().anonymous, image)}:v1`, layout);
    const host = getTestbed().anonymous.host;
    const withCache = async () =>
      new Client({
        env: { HOME: '/nonexistent' },
        blobLocations: await FileBlobLocations.open(cacheFile),
      });
    const first = await (await withCache()).copy(
      layout,
      `${host}/${uniqueRepo('client/cache')}:v1`,
    );
    expect(first.blobsCopied).toBe(1 + image.layers.length);
    // A new client (another process) reads where the first copy put the blobs.
    const second = await (await withCache()).copy(
      layout,
      `${host}/${uniqueRepo('client/cache')}:v1`,
    );
    expect(second).toMatchObject({
      blobsMounted: 1 + image.layers.length,
      blobsCopied: 0,
      bytesCopied: 0,
    });
    expect(second.digest).toBe(image.manifest.digest);
    // Without the cache, the same copy sends the bytes again.
    const uncached = await client().copy(layout, `${host}/${uniqueRepo('client/cache')}:v1`);
    expect(uncached.blobsCopied).toBe(1 + image.layers.length);
  });

  it('copies into an oci-archive: that skopeo reads, and out of it into a registry', async () => {
    const image = await makeImage({ seed: 'archive' });
    const from = await seeded(getTestbed().anonymous, image);
    const file = join(await tempDir(), 'image.tar');
    const ocikit = client();

    await ocikit.copy(`${from}:v1`, `oci-archive:${file}:v1`);
    const info = (await skopeoInspect(`oci-archive:${file}:v1`)) as { Digest: string };
    expect(info.Digest).toBe(image.manifest.digest);

    const to = `${getTestbed().anonymous.host}/${uniqueRepo('client/from-archive')}`;
    const result = await ocikit.copy(`oci-archive:${file}:v1`, `docker://${to}:v2`);
    expect(result.digest).toBe(image.manifest.digest);
    expect(await ocikit.tags(`docker://${to}`)).toEqual(['v2']);
  });

  it('copies a docker-archive: written by skopeo into an oci: layout, keeping config and layers', async () => {
    const image = await makeImage({ seed: 'docker-archive', format: 'docker' });
    const from = await seeded(getTestbed().anonymous, image);
    const dir = await tempDir();
    const archive = join(dir, 'docker.tar');
    await skopeoCopy(`docker://${from}:v1`, `docker-archive:${archive}:example.com/app:v1`);

    const ocikit = client();
    const result = await ocikit.copy(
      `docker-archive:${archive}:example.com/app:v1`,
      `oci:${dir}/out`,
    );
    expect(result.tags).toEqual(['v1']);
    const config = (await skopeoInspect(`oci:${dir}/out:v1`, { config: true })) as {
      architecture: string;
    };
    expect(config.architecture).toBe('amd64');
    const inspected = await ocikit.inspect(`oci:${dir}/out:v1`);
    expect(inspected.config?.descriptor.digest).toBe(image.config.digest);
    expect(inspected.layerSizes).toHaveLength(image.layers.length);
  });

  it('copies into a docker-archive: that skopeo reads, naming the image', async () => {
    const image = await makeImage({ seed: 'to-docker-archive' });
    const from = await seeded(getTestbed().anonymous, image);
    const file = join(await tempDir(), 'docker.tar');
    await client().copy(`${from}:v1`, `docker-archive:${file}:example.com/app:v1`);
    const info = (await skopeoInspect(`docker-archive:${file}`)) as { Layers: string[] };
    expect(info.Layers).toHaveLength(image.layers.length); // skopeo lists them by diff_id
    // skopeo finds the image by the name the destination gave it.
    const config = (await skopeoInspect(`docker-archive:${file}:example.com/app:v1`, {
      config: true,
    })) as { os: string };
    expect(config.os).toBe('linux');
  });

  it('leaves no file, and no temp file, when a copy into an oci-archive: fails midway', async () => {
    const image = await makeImage({ seed: 'abort' });
    const from = await seeded(getTestbed().anonymous, image);
    const dir = await tempDir();
    const controller = new AbortController();
    const error = await ociFailure(
      client().copy(`${from}:v1`, `oci-archive:${dir}/image.tar:v1`, {
        signal: controller.signal,
        onProgress: (event) => {
          if (event.type === 'bytes' || event.type === 'done') controller.abort();
        },
      }),
    );
    expect(error.code).toBe('ABORTED');
    expect(await readdir(dir)).toEqual([]);

    const missing = await ociFailure(client().copy(`${from}:nope`, `oci-archive:${dir}/other.tar`));
    expect(missing.code).toBe('MANIFEST_UNKNOWN');
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('Client credentials from a Docker config.json', () => {
  it('copies into the htpasswd and the token registry with the logins of DOCKER_CONFIG', async () => {
    const { basic, token } = getTestbed();
    const image = await makeImage({ seed: 'auth' });
    const from = await seeded(getTestbed().anonymous, image);
    const env = await dockerConfig({
      [basic.host]: basic.users.push,
      [token.host]: token.users.push,
    });
    const ocikit = client(env);
    for (const registry of [basic, token]) {
      const to = `${registry.host}/${uniqueRepo('client/auth')}:v1`;
      const result = await ocikit.copy(`${from}:v1`, to);
      expect(result.digest, registry.host).toBe(image.manifest.digest);
      const info = (await skopeoInspect(`docker://${to}`, { creds: registry.users.push })) as {
        Digest: string;
      };
      expect(info.Digest, registry.host).toBe(image.manifest.digest);
    }
  });

  it('reads REGISTRY_AUTH_FILE and a credential helper named in config.json', async () => {
    const { basic, token } = getTestbed();
    const image = await makeImage({ seed: 'helpers' });
    const basicRepo = await seeded(basic, image);
    const tokenRepo = await seeded(token, image);
    const dir = await tempDir();
    const authFile = join(dir, 'auth.json');
    const { username, password } = basic.users.push;
    const auth = Buffer.from(`${username}:${password}`).toString('base64');
    await writeFile(authFile, JSON.stringify({ auths: { [basic.host]: { auth } } }));
    const fromAuthFile = client({ REGISTRY_AUTH_FILE: authFile });
    expect((await fromAuthFile.resolve(`${basicRepo}:v1`)).digest).toBe(image.manifest.digest);

    const helper = join(dir, 'docker-credential-ocikit-test');
    const answer = JSON.stringify({
      Username: token.users.pull.username,
      Secret: token.users.pull.password,
    });
    await writeFile(helper, `#!/bin/sh\ncat >/dev/null\necho '${answer}'\n`, { mode: 0o755 });
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({ credHelpers: { [token.host]: 'ocikit-test' } }),
    );
    const fromHelper = client({ DOCKER_CONFIG: dir, PATH: `${dir}:${process.env.PATH}` });
    expect((await fromHelper.resolve(`${tokenRepo}:v1`)).digest).toBe(image.manifest.digest);
  });

  it('fails with UNAUTHORIZED for a wrong password in config.json, and anonymously', async () => {
    const { basic } = getTestbed();
    const repo = await seeded(basic, await makeImage({ seed: 'denied' }));
    const wrong = await dockerConfig({
      [basic.host]: { username: basic.users.push.username, password: 'wrong' },
    });
    for (const [label, env] of [
      ['wrong password', wrong],
      ['no login', {}],
    ] as const) {
      const error = await ociFailure(client(env).resolve(`${repo}:v1`));
      expect(error.code, label).toBe('UNAUTHORIZED');
      expect(error.message, label).not.toContain('wrong');
    }
  });
});

describe('Client.inspect, tags, tag and delete', () => {
  it('inspects an index and an image: platforms, config summary, layer sizes, total size', async () => {
    const index = await makeMultiPlatformImage();
    const repo = await seeded(getTestbed().anonymous, index);
    const ocikit = client();
    const top = await ocikit.inspect(`${repo}:v1`);
    expect(top.kind).toBe('index');
    expect(top.digest).toBe(index.manifest.digest);
    expect(top.platforms.map((entry) => entry.platform)).toEqual([
      'linux/amd64',
      'linux/arm64', // the v8 of arm64 is normalized away, as containerd does
    ]);

    const first = index.manifests[0];
    if (first?.kind !== 'image') throw new Error('the test index lists images');
    const image = await ocikit.inspect(`${repo}@${first.manifest.digest}`);
    expect(image.kind).toBe('manifest');
    expect(image.config?.platform).toBe('linux/amd64');
    expect(image.layerSizes).toEqual(first.layers.map((layer) => layer.size));
    expect(image.totalSize).toBe(
      first.manifest.size + first.config.size + first.layers.reduce((sum, l) => sum + l.size, 0),
    );
  });

  it('tags, lists tags, deletes a tag without the image, then the manifest by digest', async () => {
    const image = await makeImage({ seed: 'tags' });
    const repo = await seeded(getTestbed().anonymous, image);
    const ocikit = new Client({ env: { HOME: '/nonexistent' }, untagFallback: true });
    await ocikit.tag(`${repo}:v1`, ['v2', 'stable']);
    expect(await ocikit.tags(repo)).toEqual(['stable', 'v1', 'v2']);

    expect(await ocikit.delete(`${repo}:v2`)).toEqual({ deleted: 'tag', reference: 'v2' });
    expect(await ocikit.tags(repo)).toEqual(['stable', 'v1']);
    expect((await ocikit.resolve(`${repo}:v1`)).digest).toBe(image.manifest.digest);

    const digest = image.manifest.digest;
    expect(await ocikit.delete(`${repo}@${digest}`)).toEqual({
      deleted: 'manifest',
      reference: digest,
    });
    expect((await ociFailure(ocikit.resolve(`${repo}@${digest}`))).code).toBe('MANIFEST_UNKNOWN');
  });

  it('tags and untags in an oci: layout, and refuses to change an archive', async () => {
    const image = await makeImage({ seed: 'layout-tags' });
    const repo = await seeded(getTestbed().anonymous, image);
    const dir = await tempDir();
    const ocikit = client();
    await ocikit.copy(`${repo}:v1`, `oci:${dir}/l:v1`);
    await ocikit.tag(`oci:${dir}/l:v1`, ['example.com/app:v1']);
    expect((await ocikit.tags(`oci:${dir}/l`)).sort()).toEqual(['example.com/app:v1', 'v1']);
    await ocikit.delete(`oci:${dir}/l:v1`);
    expect(await ocikit.tags(`oci:${dir}/l`)).toEqual(['example.com/app:v1']);

    await ocikit.copy(`${repo}:v1`, `oci-archive:${dir}/a.tar:v1`);
    const error = await ociFailure(ocikit.delete(`oci-archive:${dir}/a.tar:v1`));
    expect(error.code).toBe('UNSUPPORTED');
    expect((await stat(`${dir}/a.tar`)).isFile()).toBe(true);
  });
});

describe('Client TLS options', () => {
  it('reaches a registry that wants a client certificate with caFile, certFile and keyFile', async () => {
    const { mtls, anonymous } = getTestbed();
    const image = await makeImage({ seed: 'mtls' });
    const repo = (await seeded(anonymous, image)).slice(anonymous.host.length);
    const files = {
      caFile: join(mtls.certDir, 'ca.crt'),
      certFile: join(mtls.certDir, 'client.cert'),
      keyFile: join(mtls.certDir, 'client.key'),
    };
    const ocikit = new Client({ env: { HOME: '/nonexistent' }, ...files });
    expect((await ocikit.resolve(`${mtls.host}${repo}:v1`)).digest).toBe(image.manifest.digest);
    const opened = await openLocation(`docker://${mtls.host}${repo}:v1`, {
      env: { HOME: '/nonexistent' },
      ...files,
    });
    expect(opened.reference).toBe('v1');
    expect((await opened.root()).digest).toBe(image.manifest.digest);
    await opened.close();

    const withoutCert = new Client({ env: { HOME: '/nonexistent' }, caFile: files.caFile });
    await ociFailure(withoutCert.resolve(`${mtls.host}${repo}:v1`));
  });

  it('reaches an https registry with a self-signed certificate only when its host is insecure', async () => {
    const { redirect, anonymous } = getTestbed();
    const image = await makeImage({ seed: 'insecure' });
    const repo = (await seeded(anonymous, image)).slice(anonymous.host.length);
    const env = await dockerConfig({ [redirect.httpsHost]: redirect.credentials });
    const location = `${redirect.httpsHost}${repo}:v1`;
    const insecure = new Client({ env, insecure: [redirect.httpsHost] });
    expect((await insecure.resolve(location)).digest).toBe(image.manifest.digest);
    await ociFailure(client(env).resolve(location));
  });

  it('refuses a certFile without keyFile and an unreadable caFile at construction', () => {
    const cases: [label: string, make: () => Client, code: string][] = [
      ['cert without key', () => new Client({ certFile: '/nonexistent/c.pem' }), 'OPTION_INVALID'],
      ['missing CA file', () => new Client({ caFile: '/nonexistent/ca.pem' }), 'CONFIG_INVALID'],
      ['concurrency 0', () => new Client({ concurrency: 0 }), 'OPTION_INVALID'],
    ];
    for (const [label, make, code] of cases) {
      expect(make, label).toThrowError(expect.objectContaining({ code }));
    }
  });
});

describe('Client location strings', () => {
  it('refuses bad locations with REFERENCE_INVALID naming the accepted forms', async () => {
    const ocikit = client();
    const cases: [label: string, location: string][] = [
      ['unknown scheme', 's3://bucket/image'],
      ['unsupported skopeo transport', 'containers-storage:alpine'],
      ['upper-case repository', 'docker://Example/App'],
      ['empty oci: path', 'oci:'],
      ['docker-archive with a digest', `docker-archive:x.tar:app@sha256:${'a'.repeat(64)}`],
    ];
    for (const [label, location] of cases) {
      const error = await ociFailure(ocikit.inspect(location));
      expect(error.code, label).toBe('REFERENCE_INVALID');
      expect(error.message, label).toContain('oci-archive:FILE');
      expect(error.message, label).toContain('docker://REF');
    }
    // A bad destination is refused before the (missing) source is opened.
    const copy = await ociFailure(ocikit.copy('oci:/nonexistent/layout:v1', 's3://bucket/x'));
    expect(copy.code).toBe('REFERENCE_INVALID');
  });

  it('says which image to name when an oci: layout holds several and the location names none', async () => {
    const dir = await tempDir();
    const ocikit = client();
    for (const seed of ['first', 'second']) {
      const repo = await seeded(getTestbed().anonymous, await makeImage({ seed }));
      await ocikit.copy(`${repo}:v1`, `oci:${dir}:${seed}`);
    }
    const error = await ociFailure(ocikit.inspect(`oci:${dir}`));
    expect(error.code).toBe('REFERENCE_INVALID');
    expect(error.message).toContain('2 images');
  });
});
