import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  getTestbed,
  makeImage,
  skopeoInspect,
  tarLayer,
  umoci,
  uniqueRepo,
  writeOciLayout,
} from '@ocikit/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStandalone, httpsImage, ocikit, tempDir } from './lib/ocikit-process.testing.ts';

describe('the standalone ocikit executable (bun build --compile of the bundle)', () => {
  let dir: string;
  let program: string[];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocikit-standalone-'));
    program = [await buildStandalone(dir)];
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('runs on its own (an environment of only PATH and HOME): --version, --help, and version names Bun', async () => {
    const version = await ocikit(['--version'], { program });
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    const help = await ocikit(['--help'], { program });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: ocikit');
    expect(help.stdout).toContain('blob');
    const json = JSON.parse((await ocikit(['version', '--format', 'json'], { program })).stdout);
    expect(json).toMatchObject({
      version: version.stdout.trim(),
      runtime: { name: 'Bun', version: expect.stringMatching(/^\d+\./) },
    });
  });

  it('copies oci: → oci: → the registry → oci:, every digest the same; umoci and skopeo read what it wrote', async () => {
    const image = await makeImage({
      seed: 'cli-standalone',
      layers: [await tarLayer({ 'hello.txt': 'from the standalone executable\n' })],
    });
    const work = await tempDir();
    await writeOciLayout(join(work, 'source'), [{ node: image, tag: 'v1' }]);

    const local = await ocikit(
      ['copy', `oci:${work}/source:v1`, `oci:${work}/copy:v1`, '--format', 'json'],
      { program },
    );
    expect(local.code, local.stderr).toBe(0);
    expect(JSON.parse(local.stdout)).toMatchObject({
      digest: image.manifest.digest,
      blobsCopied: 2,
    });
    const stat = JSON.parse((await umoci(['stat', '--image', `${work}/copy:v1`, '--json'])).stdout);
    expect(stat.history).toBeDefined();

    const registry = getTestbed().anonymous;
    const repo = `${registry.host}/${uniqueRepo('cli/standalone')}`;
    const pushed = await ocikit(['copy', `oci:${work}/copy:v1`, `${repo}:v1`], { program });
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(((await skopeoInspect(`docker://${repo}:v1`)) as { Digest: string }).Digest).toBe(
      image.manifest.digest,
    );
    const tags = await ocikit(['tag', 'ls', repo], { program });
    expect(tags.stdout).toBe('v1\n');
    const pulled = await ocikit(['copy', `${repo}:v1`, `oci:${work}/pulled:v1`], { program });
    expect(pulled.code, pulled.stderr).toBe(0);
    expect((await ocikit(['digest', `oci:${work}/pulled:v1`], { program })).stdout).toBe(
      `${image.manifest.digest}\n`,
    );
  });

  it("reaches an https registry with a private CA by --ca-file (undici on Bun's TLS), and refuses it without", async () => {
    const { ref, digest, caFile, env } = await httpsImage('cli-standalone-tls');

    const trusted = await ocikit(['digest', ref, '--ca-file', caFile], { env, program });
    expect(trusted.code, trusted.stderr).toBe(0);
    expect(trusted.stdout).toBe(`${digest}\n`);
    const untrusted = await ocikit(['digest', ref], { env, program });
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toMatch(/--ca-file FILE or --insecure 127\.0\.0\.1:\d+/);
  });
});
