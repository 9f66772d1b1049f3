import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  makeImage,
  makeMultiPlatformImage,
  opensslCertificate,
  randomLayer,
  skopeo,
  skopeoInspect,
  umoci,
  writeOciLayout,
} from '@ocikit/testbed';
import { describe, expect, it } from 'vitest';
import { ocikit, ocikitServe, tempDir } from './lib/ocikit-process.testing.ts';

/** A layout made by the test, holding an image tagged v1; returns its `oci:` location. */
async function layoutWith(seed: string): Promise<{ location: string; digest: string }> {
  const image = await makeImage({ seed });
  const dir = join(await tempDir(), 'source');
  await writeOciLayout(dir, [{ node: image, tag: 'v1' }]);
  return { location: `oci:${dir}:v1`, digest: image.manifest.digest };
}

/**
 * `ocikit serve --memory` with an htpasswd file of these users (made by
 * Apache's htpasswd -B) and a rules file of these grants, given to `flag`.
 */
async function serveWithRules(
  flag: '--token-rules' | '--access-rules',
  users: Record<string, string>,
  grants: readonly object[],
) {
  const dir = await tempDir();
  const htpasswd = join(dir, 'htpasswd');
  const lines = Object.entries(users).map(([user, password]) =>
    execFileSync('htpasswd', ['-Bbn', user, password], { encoding: 'utf8' }),
  );
  await writeFile(htpasswd, lines.join(''));
  const rules = join(dir, 'rules.json');
  await writeFile(rules, JSON.stringify({ grants }));
  const server = await ocikitServe([
    '--memory',
    '--port',
    '0',
    '--htpasswd',
    htpasswd,
    flag,
    rules,
  ]);
  return { dir, server };
}

describe('ocikit serve (the built binary)', () => {
  it('serves a directory: copy pushes in, skopeo inspects over HTTP, skopeo and umoci read the layout written under it, -v logs each request, SIGTERM exits 0', async () => {
    const index = await makeMultiPlatformImage();
    const source = join(await tempDir(), 'source');
    await writeOciLayout(source, [{ node: index, tag: 'v1' }]);
    const root = await tempDir();
    const server = await ocikitServe([root, '--port', '0', '-v']);

    const pushed = await ocikit(['copy', `oci:${source}:v1`, `${server.host}/team/app:v1`]);
    expect(pushed.code, pushed.stderr).toBe(0);
    const served = (await skopeoInspect(`docker://${server.host}/team/app:v1`, { raw: true })) as {
      manifests: unknown[];
    };
    expect(served.manifests).toHaveLength(index.manifests.length);

    const inLayout = (await skopeoInspect(`oci:${join(root, 'team/app')}:v1`, { raw: true })) as {
      manifests: unknown[];
    };
    expect(inLayout.manifests).toHaveLength(index.manifests.length);
    const layouts = await umoci(['ls', '--layout', join(root, 'team/app')]);
    expect(layouts.stdout.trim()).toBe('v1');

    expect(server.stderr()).toMatch(
      /"method":"PUT","path":"\/v2\/team\/app\/manifests\/v1","status":201/,
    );
    const stopped = await server.stop('SIGTERM');
    expect(stopped.code).toBe(0);
    expect(stopped.ms, 'exits promptly').toBeLessThan(3000);
  });

  it('serves memory: ocikit copy pushes in and pulls back the same digest; SIGINT exits 0', async () => {
    const { location, digest } = await layoutWith('cli-serve-memory');
    const server = await ocikitServe(['--memory', '--port', '0']);
    const pushed = await ocikit(['copy', location, `${server.host}/demo:v1`]);
    expect(pushed.code, pushed.stderr).toBe(0);
    const back = join(await tempDir(), 'back');
    const pulled = await ocikit(['copy', `${server.host}/demo:v1`, `oci:${back}:v1`]);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.stdout).toBe(`${digest}\n`);
    expect((await server.stop('SIGINT')).code).toBe(0);
  });

  it('with --memory-limit refuses a push beyond it (exit 4, DENIED) and takes one within it; a bad size is a usage error', async () => {
    const server = await ocikitServe(['--memory', '--memory-limit', '256KiB', '--port', '0']);
    const small = await layoutWith('serve-limit-small');
    expect((await ocikit(['copy', small.location, `${server.host}/small:v1`])).code).toBe(0);
    const big = await makeImage({ layers: [await randomLayer({ size: 512 * 1024 })] });
    const dir = join(await tempDir(), 'big');
    await writeOciLayout(dir, [{ node: big, tag: 'v1' }]);
    const refused = await ocikit(['copy', `oci:${dir}:v1`, `${server.host}/big:v1`]);
    expect([refused.code, refused.stderr]).toEqual([
      4,
      expect.stringMatching(/^DENIED: .*over its 262144-byte limit/m),
    ]);
    expect((await ocikit(['digest', `${server.host}/small:v1`])).stdout.trim()).toBe(small.digest);

    const badSize = await ocikit(['serve', '--memory', '--memory-limit', 'lots']);
    expect([badSize.code, badSize.stderr]).toEqual([2, expect.stringContaining('not a size')]);
    const withDir = await ocikit(['serve', await tempDir(), '--memory-limit', '1GiB']);
    expect([withDir.code, withDir.stderr]).toEqual([2, expect.stringContaining('--memory-limit')]);
  });

  it('with --read-only refuses a push with exit code 1 (UNSUPPORTED) and serves what the directory holds', async () => {
    const { location, digest } = await layoutWith('cli-serve-read-only');
    const root = await tempDir();
    const writable = await ocikitServe([root, '--port', '0']);
    expect((await ocikit(['copy', location, `${writable.host}/kept:v1`])).code).toBe(0);
    await writable.stop('SIGTERM');

    const server = await ocikitServe([root, '--port', '0', '--read-only']);
    const refused = await ocikit(['copy', location, `${server.host}/other:v1`]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^UNSUPPORTED: .*read-only/m);
    const read = await ocikit(['digest', `${server.host}/kept:v1`]);
    expect(read.stdout).toBe(`${digest}\n`);
    expect((await server.stop('SIGTERM')).code).toBe(0);
  });

  it('with --htpasswd (a file of htpasswd -B) refuses anonymous pushes (exit 4) and takes them after ocikit login', async () => {
    const { location } = await layoutWith('cli-serve-htpasswd');
    const dir = await tempDir();
    const htpasswd = join(dir, 'htpasswd');
    await writeFile(htpasswd, execFileSync('htpasswd', ['-Bbn', 'alice', 'wonderland']));
    const server = await ocikitServe(['--memory', '--port', '0', '--htpasswd', htpasswd]);

    const anonymous = await ocikit(['copy', location, `${server.host}/app:v1`]);
    expect(anonymous.code, anonymous.stderr).toBe(4);
    expect(anonymous.stderr).toContain(`ocikit login ${server.host}`);
    const env = { DOCKER_CONFIG: dir };
    const login = await ocikit(['login', server.host, '-u', 'alice', '--password-stdin'], {
      env,
      input: 'wonderland\n',
    });
    expect(login.code, login.stderr).toBe(0);
    const pushed = await ocikit(['copy', location, `${server.host}/app:v1`], { env });
    expect(pushed.code, pushed.stderr).toBe(0);
    await server.stop('SIGTERM');
  });

  it('with --token-rules issues tokens by its grants: anyone pulls public/*, only alice pushes', async () => {
    const { location, digest } = await layoutWith('cli-serve-token');
    const { dir, server } = await serveWithRules('--token-rules', { alice: 'wonderland' }, [
      { repositories: 'public/*', actions: ['pull'], users: 'anyone' },
      { repositories: '*', actions: ['pull', 'push'], users: ['alice'] },
    ]);
    const anonymous = await ocikit(['copy', location, `${server.host}/public/app:v1`]);
    expect(anonymous.code, anonymous.stderr).toBe(4);
    const env = { DOCKER_CONFIG: dir };
    await ocikit(['login', server.host, '-u', 'alice', '--password-stdin'], {
      env,
      input: 'wonderland\n',
    });
    const pushed = await ocikit(['copy', location, `${server.host}/public/app:v1`], { env });
    expect(pushed.code, pushed.stderr).toBe(0);
    const pulled = await ocikit(['digest', `${server.host}/public/app:v1`]);
    expect(pulled.stdout, pulled.stderr).toBe(`${digest}\n`);
    await server.stop('SIGTERM');
  });

  it('with --htpasswd and --access-rules lets alice push team/*, and refuses bob with DENIED (exit 4)', async () => {
    const { location, digest } = await layoutWith('cli-serve-access-rules');
    const { server } = await serveWithRules(
      '--access-rules',
      { alice: 'wonderland', bob: 'builder' },
      [
        { repositories: 'team/*', actions: ['pull', 'push'], users: ['alice'] },
        { repositories: '*', actions: ['pull'], users: 'authenticated' },
      ],
    );
    const login = async (user: string, password: string) => {
      const config = await tempDir();
      await ocikit(['login', server.host, '-u', user, '--password-stdin'], {
        env: { DOCKER_CONFIG: config },
        input: `${password}\n`,
      });
      return { DOCKER_CONFIG: config };
    };
    const alice = await login('alice', 'wonderland');
    const bob = await login('bob', 'builder');
    const pushed = await ocikit(['copy', location, `${server.host}/team/app:v1`], { env: alice });
    expect(pushed.code, pushed.stderr).toBe(0);
    const pulled = await ocikit(['digest', `${server.host}/team/app:v1`], { env: bob });
    expect(pulled.stdout, pulled.stderr).toBe(`${digest}\n`);
    const refused = await ocikit(['copy', location, `${server.host}/team/bob:v1`], { env: bob });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/^DENIED: /m);
    await server.stop('SIGTERM');
  });

  it('with --tls-cert and --tls-key (made by openssl) serves https: ocikit copy with --ca-file and skopeo with --dest-cert-dir/--src-cert-dir push and pull, TLS verified', async () => {
    const certDir = await tempDir();
    const { certFile, keyFile } = await opensslCertificate(certDir);
    const server = await ocikitServe([
      '--memory',
      '--port',
      '0',
      '--tls-cert',
      certFile,
      '--tls-key',
      keyFile,
    ]);
    expect(server.stderr()).toContain(`at https://${server.host}/`);
    const { location, digest } = await layoutWith('cli-serve-tls');
    const pushed = await ocikit(['copy', '--ca-file', certFile, location, `${server.host}/tls:v1`]);
    expect(pushed.code, pushed.stderr).toBe(0);
    const back = join(await tempDir(), 'back');
    await skopeo([
      'copy',
      '--src-cert-dir',
      certDir,
      `docker://${server.host}/tls:v1`,
      `oci:${back}:v1`,
    ]);
    const pulledIndex = JSON.parse(await readFile(join(back, 'index.json'), 'utf8')) as {
      manifests: { digest: string }[];
    };
    expect(pulledIndex.manifests.map((entry) => entry.digest)).toEqual([digest]);
    await skopeo([
      'copy',
      '--dest-cert-dir',
      certDir,
      `oci:${back}:v1`,
      `docker://${server.host}/tls:v2`,
    ]);
    const pulled = await ocikit(['digest', '--ca-file', certFile, `${server.host}/tls:v2`]);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.stdout).toBe(`${digest}\n`);
    const untrusted = await ocikit(['digest', `${server.host}/tls:v2`]);
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toMatch(/^NETWORK_ERROR: .*--ca-file FILE/);
    const skopeoUntrusted = await skopeo(['inspect', `docker://${server.host}/tls:v2`]).catch(
      (error: unknown) => String(error),
    );
    expect(skopeoUntrusted).toMatch(/certificate signed by unknown authority/);
    await server.stop('SIGTERM');
  });

  it('refuses --tls-cert without --tls-key as a usage error (exit 2)', async () => {
    const { certFile } = await opensslCertificate(await tempDir());
    const alone = await ocikit(['serve', '--memory', '--tls-cert', certFile]);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/^OPTION_INVALID: Give both --tls-cert and --tls-key/);
  });

  it('fails with NETWORK_ERROR and exit code 1 when its port is taken', async () => {
    const first = await ocikitServe(['--memory', '--port', '0']);
    const second = await ocikit([
      'serve',
      '--memory',
      '--port',
      first.host.split(':')[1] as string,
    ]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/^NETWORK_ERROR: .*EADDRINUSE — choose another --port/);
    await first.stop('SIGTERM');
  });

  it('refuses a directory together with --memory, and neither, as usage errors (exit 2)', async () => {
    const both = await ocikit(['serve', await tempDir(), '--memory']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^OPTION_INVALID: /);
    const neither = await ocikit(['serve']);
    expect(neither.code).toBe(2);
    const badPort = await ocikit(['serve', '--memory', '--port', '70000']);
    expect(badPort.code).toBe(2);
  });
});
