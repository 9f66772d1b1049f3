import { createHash } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  faultClient,
  getTestbed,
  makeImage,
  makeMultiPlatformImage,
  pushImage,
  type RegistryInfo,
  randomLayer,
  skopeoInspect,
  type TestNode,
  tarLayer,
  umoci,
  uniqueRepo,
  writeOciLayout,
} from '@ocikit/testbed';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  httpsImage,
  ocikit,
  ocikitInTerminal,
  ocikitRunning,
  tempDir,
} from './lib/ocikit-process.testing.ts';

/** Pushes an image to a new repository of the anonymous registry, tagged `v1`; returns `host/repo`. */
async function seeded(node: TestNode, registry: RegistryInfo = getTestbed().anonymous) {
  const repo = uniqueRepo('cli/e2e');
  const users = (registry as { users?: { push: { username: string; password: string } } }).users;
  await pushImage(
    { url: registry.url, ...(users ? { credentials: users.push } : {}) },
    repo,
    node,
    { tag: 'v1' },
  );
  return `${registry.host}/${repo}`;
}

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

describe('ocikit copy (the built binary)', () => {
  it('copies registry → oci: → registry; umoci and skopeo read what it wrote; stdout is the digest', async () => {
    const image = await makeImage({ seed: 'cli-copy' });
    const from = await seeded(image);
    const dir = join(await tempDir(), 'layout');

    const pulled = await ocikit(['copy', `docker://${from}:v1`, `oci:${dir}:v1`]);
    expect(pulled.stderr).toContain('Copied');
    expect(pulled.code).toBe(0);
    expect(pulled.stdout).toBe(`${image.manifest.digest}\n`);
    const stat = JSON.parse((await umoci(['stat', '--image', `${dir}:v1`, '--json'])).stdout);
    expect(stat.history).toBeDefined();
    const inLayout = (await skopeoInspect(`oci:${dir}:v1`)) as { Digest: string };
    expect(inLayout.Digest).toBe(image.manifest.digest);

    const to = `${getTestbed().anonymous.host}/${uniqueRepo('cli/e2e-push')}:v2`;
    const pushed = await ocikit(['cp', `oci:${dir}:v1`, to]);
    expect(pushed.code).toBe(0);
    const inRegistry = (await skopeoInspect(`docker://${to}`)) as { Digest: string };
    expect(inRegistry.Digest).toBe(image.manifest.digest);
  });

  it("copies registry → oci-archive: → docker-archive: in skopeo's syntax; skopeo reads both files", async () => {
    const image = await makeImage({ seed: 'cli-archives' });
    const from = await seeded(image);
    const dir = await tempDir();

    const oci = await ocikit(['copy', `docker://${from}:v1`, `oci-archive:${dir}/app.tar:v1`]);
    expect(oci.code, oci.stderr).toBe(0);
    const inOci = (await skopeoInspect(`oci-archive:${dir}/app.tar:v1`)) as { Digest: string };
    expect(inOci.Digest).toBe(image.manifest.digest);

    const docker = await ocikit([
      'copy',
      `oci-archive:${dir}/app.tar:v1`,
      `docker-archive:${dir}/docker.tar:example.com/app:v1`,
    ]);
    expect(docker.code, docker.stderr).toBe(0);
    const inDocker = (await skopeoInspect(`docker-archive:${dir}/docker.tar`)) as {
      Layers: string[];
    };
    const config = JSON.parse(new TextDecoder().decode(image.config.bytes)) as {
      rootfs: { diff_ids: string[] };
    };
    expect(inDocker.Layers, 'a docker archive holds the uncompressed layers').toEqual(
      config.rootfs.diff_ids,
    );
  });

  it('prints the documented JSON result with --format json and one stderr line per blob when stderr is no terminal', async () => {
    const index = await makeMultiPlatformImage();
    const from = await seeded(index);
    const dir = join(await tempDir(), 'layout');

    const run = await ocikit([
      'copy',
      `${from}:v1`,
      `oci:${dir}:v1`,
      '--platform',
      'linux/arm64',
      '--format',
      'json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(Object.keys(result).sort()).toEqual(
      [
        'blobsCopied',
        'blobsMounted',
        'blobsSkipped',
        'bytesCopied',
        'bytesResumed',
        'destination',
        'digest',
        'dryRun',
        'foreignSkipped',
        'manifests',
        'mediaType',
        'referrers',
        'size',
        'source',
        'sourceDigest',
        'tags',
      ].sort(),
    );
    expect(result.sourceDigest).toBe(index.manifest.digest);
    expect(result.tags).toEqual(['v1']);
    expect(result.blobsCopied).toBe(2);
    expect(run.stderr.match(/^copied {2}blob sha256:/gm)).toHaveLength(2);
    const raw = (await skopeoInspect(`oci:${dir}:v1`, { raw: true })) as { manifests: unknown[] };
    expect(raw.manifests).toHaveLength(1);

    const quiet = await ocikit(['copy', `${from}:v1`, `oci:${dir}:v1`, '--quiet']);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
  });
});

describe('ocikit copy --parallel-ranges (the built binary)', () => {
  it('fetches a 65 MiB layer as 8 MiB Range requests (counted by the proxy) into a layout umoci reads, the layer whole', async () => {
    const { faults } = getTestbed();
    const layer = await randomLayer({ size: 65 * 1024 * 1024, seed: 'cli-parallel-ranges' });
    const image = await makeImage({ seed: 'cli-parallel-ranges', layers: [layer] });
    const repo = uniqueRepo('cli/parallel-ranges');
    await pushImage({ url: faults.url }, repo, image, { tag: 'v1' });
    const dir = await tempDir();
    const run = await ocikit([
      'copy',
      `${faults.host}/${repo}:v1`,
      `oci:${join(dir, 'layout')}:v1`,
      '--parallel-ranges',
      '4',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const gets = (await faultClient(faults.controlUrl).requests(`/blobs/${layer.digest}`)).filter(
      (request) => request.method === 'GET',
    );
    expect(gets).toHaveLength(Math.ceil(layer.size / (8 * 1024 * 1024)));
    const file = join(dir, 'layout', 'blobs', 'sha256', layer.digest.slice('sha256:'.length));
    const bytes = await readFile(file);
    expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`).toBe(layer.digest);
    await umoci(['stat', '--image', `${join(dir, 'layout')}:v1`]); // fails on a broken layout
  });
});

describe('ocikit copy interrupted (the built binary)', () => {
  it('stops a copy into an oci: layout on SIGINT (exit 130) or SIGTERM (exit 143), leaving no tag and only whole, verified blobs under their names (aborted ingests stay as hidden dot-files to resume from)', async () => {
    const { faults } = getTestbed();
    for (const [signal, exitCode] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      const image = await makeImage({
        seed: `cli-interrupt-${signal}`,
        layers: [await tarLayer({ 'a.txt': 'first\n' }), await tarLayer({ 'b.txt': 'second\n' })],
      });
      const repo = uniqueRepo('cli/e2e-interrupt');
      await pushImage({ url: faults.url }, repo, image, { tag: 'v1' });
      const slow = image.layers[1]?.digest as string;
      const delay = await faultClient(faults.controlUrl).add({
        method: 'GET',
        path: `/v2/${repo}/blobs/${slow}`,
        fault: { type: 'delay', ms: 8000 },
      });
      onTestFinished(() => delay.remove());
      const dir = join(await tempDir(), 'layout');

      const copy = await ocikitRunning(['copy', `${faults.host}/${repo}:v1`, `oci:${dir}:v1`]);
      const deadline = Date.now() + 20_000;
      while ((await delay.hits()) === 0) {
        if (Date.now() > deadline) {
          throw new Error(`The copy never asked for ${slow}: ${copy.stderr()}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const stopped = await copy.stop(signal);
      expect(stopped.code, `${signal}: ${copy.stderr()}`).toBe(exitCode);
      expect(stopped.ms, `${signal}: the request in flight is aborted, not awaited`).toBeLessThan(
        4000,
      );
      expect(copy.stderr(), signal).toContain(`Interrupted (${signal})`);

      const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8').catch(() => '{}'));
      expect(index.manifests ?? [], `${signal}: no manifest is tagged`).toEqual([]);
      const files = await readdir(dir, { recursive: true, withFileTypes: true });
      const blobs = files.filter(
        (entry) =>
          entry.isFile() && entry.parentPath.endsWith('sha256') && !entry.name.startsWith('.'),
      );
      expect(
        blobs.map((entry) => `sha256:${entry.name}`),
        signal,
      ).not.toContain(slow);
      for (const blob of blobs) {
        expect(sha256(await readFile(join(blob.parentPath, blob.name))), blob.name).toBe(
          `sha256:${blob.name}`,
        );
      }
      const others = files.filter(
        (entry) => entry.isFile() && !entry.parentPath.endsWith('sha256'),
      );
      for (const other of others) expect(['index.json', 'oci-layout']).toContain(other.name);
    }
  });
});

describe('ocikit copy --resume-uploads killed midway (the built binary)', () => {
  it('continues the half-sent layer after SIGKILL from the offset the registry kept: the rerun sends fewer bytes than the layer (PATCHes counted by the proxy)', async () => {
    const { faults } = getTestbed();
    const layer = await randomLayer({ size: 40 * 1024 * 1024, seed: 'cli-resume-uploads' });
    const image = await makeImage({ seed: 'cli-resume-uploads', layers: [layer] });
    const dir = await tempDir();
    const layout = join(dir, 'layout');
    await writeOciLayout(layout, [{ node: image, tag: 'v1' }]);
    const repo = uniqueRepo('cli/resume-uploads');
    const uploads = `/v2/${repo}/blobs/uploads/`;
    // Each chunk waits a second at the proxy: the copy is killed between two.
    const slow = await faultClient(faults.controlUrl).add({
      method: 'PATCH',
      path: uploads,
      times: 'always',
      fault: { type: 'delay', ms: 1000 },
    });
    onTestFinished(() => slow.remove());
    const env = { XDG_CACHE_HOME: join(dir, 'cache') };
    const args = ['copy', `oci:${layout}:v1`, `${faults.host}/${repo}:v1`, '--resume-uploads'];
    const first = await ocikitRunning(args, { env });
    const patched = async () =>
      (await faultClient(faults.controlUrl).requests(uploads)).filter(
        (r) => r.method === 'PATCH' && r.status === 202,
      ).length;
    const deadline = Date.now() + 30_000;
    while ((await patched()) < 2) {
      if (Date.now() > deadline) throw new Error(`No two chunks went: ${first.stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await first.stop('SIGKILL');
    await slow.remove();
    const before = await patched();

    const rerun = await ocikit([...args, '--format', 'json'], { env });
    expect(rerun.code, rerun.stderr).toBe(0);
    const result = JSON.parse(rerun.stdout) as { bytesResumed: number; bytesCopied: number };
    expect(result.bytesResumed).toBeGreaterThanOrEqual(8 * 1024 * 1024);
    expect(result.bytesCopied).toBeLessThan(layer.size);
    const chunks = Math.ceil(layer.size / (8 * 1024 * 1024));
    expect((await patched()) - before).toBeLessThan(chunks);
    const inRegistry = (await skopeoInspect(`docker://${faults.host}/${repo}:v1`)) as {
      Digest: string;
    };
    expect(inRegistry.Digest).toBe(image.manifest.digest);
  });
});

describe('ocikit copy progress in a real terminal (tmux)', () => {
  it('draws one row per blob (copied, skipped, mounted) and one total line, then the summary', async () => {
    const layer = await tarLayer({ 'shared.txt': 'one layer in two images\n' });
    const one = await makeImage({ seed: 'cli-tty-1', layers: [layer] });
    const other = await makeImage({ seed: 'cli-tty-2', layers: [layer] });
    const first = await seeded(one);
    const second = await seeded(other);
    const dir = join(await tempDir(), 'layout');

    const copied = await ocikitInTerminal(['copy', `${first}:v1`, `oci:${dir}:one`]);
    expect(copied.code, copied.screen).toBe(0);
    expect(copied.screen.match(/✓.* sha256:[0-9a-f]{12} {2}copied/g), copied.screen).toHaveLength(
      2,
    );
    expect(
      copied.screen.match(/ total .* · 2 copied · 0 skipped · 0 mounted · 1 manifests/g),
    ).toHaveLength(1);
    expect(copied.screen).toMatch(/Copied .* → .* sha256:[0-9a-f]{64} \(2 blobs copied/);
    expect(copied.screen).toContain('\u001b[32m✓');

    const skipped = await ocikitInTerminal(['copy', `${second}:v1`, `oci:${dir}:other`], {
      NO_COLOR: '1',
    });
    expect(skipped.code, skipped.screen).toBe(0);
    expect(
      skipped.screen.match(/= sha256:[0-9a-f]{12} {2}skipped \(exists\)/g),
      skipped.screen,
    ).toHaveLength(1);
    expect(skipped.screen.match(/✓ sha256:[0-9a-f]{12} {2}copied/g), skipped.screen).toHaveLength(
      1,
    );
    expect(skipped.screen).toContain(' · 1 copied · 1 skipped · 0 mounted · 1 manifests');
    expect(skipped.screen).not.toContain('\u001b[32m');

    const to = `${getTestbed().anonymous.host}/${uniqueRepo('cli/e2e-mount')}:v1`;
    const mounted = await ocikitInTerminal(['copy', `${first}:v1`, to]);
    expect(mounted.code, mounted.screen).toBe(0);
    expect(
      mounted.screen.match(/↪.* sha256:[0-9a-f]{12} {2}mounted/g),
      mounted.screen,
    ).toHaveLength(2);
  });

  it('shows nothing of the progress display when the copy fails before it starts', async () => {
    const dir = await tempDir();
    const run = await ocikitInTerminal(['copy', `oci:${dir}/missing:v1`, `oci:${dir}/out:v1`]);
    expect(run.code).toBe(1);
    expect(run.screen).toContain('LAYOUT_INVALID: ');
    expect(run.screen).not.toContain('total');
  });
});

describe('ocikit --debug (the built binary)', () => {
  it('prints each request and response on stderr with the credentials redacted', async () => {
    const { basic } = getTestbed();
    const from = await seeded(await makeImage({ seed: 'cli-debug' }), basic);
    const config = await tempDir();
    const { username, password } = basic.users.push;
    const auth = Buffer.from(`${username}:${password}`).toString('base64');
    await writeFile(
      join(config, 'config.json'),
      JSON.stringify({ auths: { [basic.host]: { auth } } }),
    );

    const run = await ocikit(['digest', `${from}:v1`, '--debug'], {
      env: { DOCKER_CONFIG: config },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^> (HEAD|GET) http:\/\/127\.0\.0\.1:\d+\/v2\//m);
    expect(run.stderr).toMatch(/^< 200 (HEAD|GET) /m);
    expect(run.stderr).toMatch(/authorization: (Basic|Bearer) <redacted>/i);
    expect(run.stderr).not.toContain(password);
    expect(run.stderr).not.toContain(auth);
  });
});

describe('ocikit TLS flags (the built binary)', () => {
  it('reaches an https registry with a private CA by --ca-file or --insecure, and fails without either', async () => {
    const { ref, digest, caFile, env } = await httpsImage('cli-tls');
    const host = ref.slice(0, ref.indexOf('/'));

    const trusted = await ocikit(['digest', ref, '--ca-file', caFile], { env });
    expect(trusted.code, trusted.stderr).toBe(0);
    expect(trusted.stdout).toBe(`${digest}\n`);
    const insecure = await ocikit(['digest', ref, '--insecure', host], { env });
    expect(insecure.code, insecure.stderr).toBe(0);
    expect(insecure.stdout).toBe(`${digest}\n`);

    const untrusted = await ocikit(['digest', ref], { env });
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr.trim().split('\n')).toHaveLength(1);
    expect(untrusted.stderr).toMatch(
      /^[A-Z_]+: .* — .*--ca-file FILE or --insecure 127\.0\.0\.1:\d+/,
    );
  });
});

describe('ocikit inspect, digest and manifest get (the built binary)', () => {
  it('prints the documented JSON shapes of an index and of an image, and the exact manifest bytes', async () => {
    const index = await makeMultiPlatformImage();
    const ref = `${await seeded(index)}:v1`;

    const digest = await ocikit(['digest', ref]);
    expect(digest.stdout).toBe(`${index.manifest.digest}\n`);
    const digestJson = JSON.parse((await ocikit(['digest', ref, '--format', 'json'])).stdout);
    expect(digestJson).toEqual({
      digest: index.manifest.digest,
      mediaType: index.manifest.mediaType,
      size: index.manifest.bytes.length,
    });

    const inspected = JSON.parse((await ocikit(['inspect', ref, '--format', 'json'])).stdout);
    expect(inspected).toMatchObject({
      digest: index.manifest.digest,
      kind: 'index',
      config: null,
      layers: [],
    });
    expect(inspected.platforms.map((entry: { platform: string }) => entry.platform).sort()).toEqual(
      ['linux/amd64', 'linux/arm64'],
    );

    const child = inspected.platforms[0].digest as string;
    const repo = ref.slice(0, ref.lastIndexOf(':'));
    const image = JSON.parse(
      (await ocikit(['inspect', `${repo}@${child}`, '--format', 'json'])).stdout,
    );
    expect(image).toMatchObject({ digest: child, kind: 'manifest' });
    expect(Object.keys(image.config).sort()).toEqual(
      ['created', 'digest', 'history', 'labels', 'mediaType', 'platform', 'size'].sort(),
    );
    expect(image.layers.length).toBeGreaterThan(0);

    const table = await ocikit(['inspect', ref]);
    expect(table.stdout).toContain('Platforms:');
    expect(table.stdout).toContain('linux/arm64');

    const platforms = await ocikit(['platforms', ref]);
    expect(platforms.stdout.split('\n').filter(Boolean).sort()).toEqual([
      'linux/amd64',
      'linux/arm64',
    ]);
    expect(JSON.parse((await ocikit(['platforms', ref, '--format', 'json'])).stdout)).toMatchObject(
      {
        digest: index.manifest.digest,
        platforms: expect.arrayContaining([
          { platform: 'linux/arm64', digest: expect.any(String) },
        ]),
      },
    );
    const config = await ocikit(['config', `${repo}@${child}`]);
    expect(sha256(config.stdoutBytes)).toBe(image.config.digest);
    const ofIndex = await ocikit(['config', ref]);
    expect(ofIndex.code).toBe(1);
    expect(ofIndex.stderr).toMatch(/^UNSUPPORTED_MEDIA_TYPE: .*an index/);

    const bytes = await ocikit(['manifest', 'get', ref]);
    expect(sha256(bytes.stdoutBytes)).toBe(index.manifest.digest);
  });

  it('writes a blob named by digest to stdout, verified (blob get)', async () => {
    const image = await makeImage({ seed: 'cli-blob' });
    const repo = await seeded(image);
    const layer = image.layers[0];
    if (layer === undefined) throw new Error('the test image has a layer');
    const run = await ocikit(['blob', 'get', `${repo}@${layer.digest}`]);
    expect(run.code, run.stderr).toBe(0);
    expect(sha256(run.stdoutBytes)).toBe(layer.digest);
  });
});

describe('ocikit tag (the built binary)', () => {
  it('lists tags, adds tags, and tag rm removes only the tag while the image stays', async () => {
    const image = await makeImage({ seed: 'cli-tags' });
    const repo = await seeded(image);

    expect((await ocikit(['tag', 'add', `${repo}:v1`, 'v1.0', 'old'])).code).toBe(0);
    const listed = await ocikit(['tag', 'ls', repo]);
    expect(listed.stdout.split('\n').filter(Boolean).sort()).toEqual(['old', 'v1', 'v1.0']);
    expect(JSON.parse((await ocikit(['tag', 'ls', repo, '--format', 'json'])).stdout)).toEqual({
      name: repo,
      tags: expect.arrayContaining(['old', 'v1', 'v1.0']),
    });

    const removed = await ocikit(['tag', 'rm', `${repo}:old`]);
    expect(removed.code, removed.stderr).toBe(0);
    expect((await ocikit(['tag', 'ls', repo])).stdout.split('\n').filter(Boolean).sort()).toEqual([
      'v1',
      'v1.0',
    ]);
    expect((await ocikit(['digest', `${repo}:v1`])).stdout).toBe(`${image.manifest.digest}\n`);

    const byDigest = await ocikit(['tag', 'rm', `${repo}@${image.manifest.digest}`]);
    expect(byDigest.code).toBe(2);
    expect(byDigest.stderr).toMatch(/^REFERENCE_INVALID: .*never deletes an image/);
    expect((await ocikit(['digest', `${repo}:v1`])).code).toBe(0);
  });
});

describe('ocikit login and logout (the built binary)', () => {
  it('login → copy from the htpasswd and token registries → logout, leaving config.json as docker does, mode 0600', async () => {
    const { basic, token } = getTestbed();
    for (const [label, registry, user] of [
      ['htpasswd', basic, basic.users.push],
      ['token', token, token.users.push],
    ] as const) {
      const image = await makeImage({ seed: `cli-login-${label}` });
      const from = await seeded(image, registry);
      const config = await tempDir();
      const env = { DOCKER_CONFIG: config };
      await writeFile(join(config, 'config.json'), JSON.stringify({ currentContext: 'kept' }));

      const anonymous = await ocikit(['digest', `${from}:v1`], { env });
      expect(anonymous.code, label).toBe(4);
      expect(anonymous.stderr, label).toContain(`run "ocikit login ${registry.host}"`);

      const login = await ocikit(
        ['login', registry.host, '-u', user.username, '--password-stdin'],
        { env, input: `${user.password}\n` },
      );
      expect(login.code, `${label}: ${login.stderr}`).toBe(0);
      const file = join(config, 'config.json');
      expect((await stat(file)).mode & 0o777, label).toBe(0o600);
      const written = JSON.parse(await readFile(file, 'utf8'));
      expect(written, label).toEqual({
        currentContext: 'kept',
        auths: {
          [registry.host]: {
            auth: Buffer.from(`${user.username}:${user.password}`).toString('base64'),
          },
        },
      });
      expect(login.stdout + login.stderr, label).not.toContain(user.password);

      const dir = join(await tempDir(), 'layout');
      const copied = await ocikit(['copy', `${from}:v1`, `oci:${dir}:v1`], { env });
      expect(copied.code, `${label}: ${copied.stderr}`).toBe(0);
      expect(copied.stdout, label).toBe(`${image.manifest.digest}\n`);

      expect((await ocikit(['logout', registry.host], { env })).code, label).toBe(0);
      expect(JSON.parse(await readFile(file, 'utf8')), label).toEqual({
        currentContext: 'kept',
        auths: {},
      });
      expect((await ocikit(['digest', `${from}:v1`], { env })).code, label).toBe(4);
    }
  });

  it('asks for the user name and the hidden password on a terminal, as docker login does', async () => {
    const { basic } = getTestbed();
    const config = await tempDir();
    const { username, password } = basic.users.push;
    const run = await ocikitInTerminal(['login', basic.host], { DOCKER_CONFIG: config }, [
      ['Username:', username],
      ['Password:', password],
    ]);
    expect(run.code, run.screen).toBe(0);
    expect(run.screen).toContain(`Username: ${username}`);
    expect(run.screen).not.toContain(password);
    const written = JSON.parse(await readFile(join(config, 'config.json'), 'utf8'));
    expect(written.auths[basic.host].auth).toBe(
      Buffer.from(`${username}:${password}`).toString('base64'),
    );
  });

  it('exits 4 with UNAUTHORIZED and the login advice for wrong credentials', async () => {
    const { basic } = getTestbed();
    const from = await seeded(await makeImage({ seed: 'cli-wrong' }), basic);
    const config = await tempDir();
    const env = { DOCKER_CONFIG: config };
    const login = await ocikit(['login', basic.host, '-u', 'nobody', '--password-stdin'], {
      env,
      input: 'wrong-password',
    });
    expect(login.code).toBe(0);
    const run = await ocikit(['copy', `${from}:v1`, `oci:${join(config, 'out')}:v1`], { env });
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(
      /^UNAUTHORIZED: .*HTTP 401.* — run "ocikit login 127\.0\.0\.1:\d+"/m,
    );
    expect(run.stderr).not.toContain('wrong-password');
  });
});

describe('ocikit on bad input (the built binary)', () => {
  it('says what failed in one line, with the documented exit code', async () => {
    const dir = await tempDir();
    const registry = getTestbed().anonymous.host;
    const cases: [string, string[], number, RegExp][] = [
      [
        'malformed reference',
        ['copy', 'foo::bar', `oci:${dir}/x:v1`],
        2,
        /^REFERENCE_INVALID: .*foo::bar/,
      ],
      [
        'unknown flag',
        ['copy', '--bogus', 'a', 'b'],
        2,
        /^USAGE: unknown option '--bogus' — run "ocikit copy --help"/,
      ],
      ['unknown command', ['frobnicate'], 2, /^USAGE: unknown command 'frobnicate'/],
      ['missing argument', ['tag', 'ls'], 2, /^USAGE: missing required argument 'repository'/],
      ['bad --format', ['digest', 'x', '--format', 'yaml'], 2, /^USAGE: .*yaml/],
      [
        'bad --concurrency',
        ['copy', 'a', 'b', '--concurrency', '0'],
        2,
        /^USAGE: .*not an integer ≥ 1/,
      ],
      ['missing layout', ['inspect', `oci:${dir}/missing:v1`], 1, /^LAYOUT_INVALID: .*missing/],
      [
        'missing --ca-file',
        ['digest', `${registry}/x:v1`, '--ca-file', `${dir}/none.pem`],
        1,
        /^CONFIG_INVALID: .*none\.pem/,
      ],
      [
        'unknown repository',
        ['digest', `${registry}/${uniqueRepo('cli/none')}:v1`],
        3,
        /^(MANIFEST|NAME)_UNKNOWN: /,
      ],
      [
        'login without password',
        ['login', registry, '-u', 'me'],
        2,
        /^OPTION_INVALID: .*--password-stdin/,
      ],
    ];
    for (const [label, args, code, message] of cases) {
      const run = await ocikit(args);
      expect(run.code, `${label}: ${run.stderr}`).toBe(code);
      expect(run.stderr, label).toMatch(message);
      expect(run.stderr.trim().split('\n'), label).toHaveLength(1);
      expect(run.stdout, label).toBe('');
    }
  });

  it('prints help with examples for every command, and the version', async () => {
    const commands = [
      [],
      ['copy'],
      ['inspect'],
      ['digest'],
      ['config'],
      ['platforms'],
      ['manifest', 'get'],
      ['tag', 'ls'],
      ['tag', 'add'],
      ['tag', 'rm'],
      ['blob', 'get'],
      ['login'],
      ['logout'],
      ['version'],
    ];
    for (const command of commands) {
      const run = await ocikit([...command, '--help']);
      expect(run.code, command.join(' ')).toBe(0);
      expect(run.stdout, command.join(' ')).toMatch(/Examples:\n {2}\$ .*ocikit /);
    }
    const version = await ocikit(['--version']);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(JSON.parse((await ocikit(['version', '--format', 'json'])).stdout)).toEqual({
      version: version.stdout.trim(),
      node: process.versions.node,
      runtime: { name: 'Node.js', version: process.versions.node },
    });
  });
});
