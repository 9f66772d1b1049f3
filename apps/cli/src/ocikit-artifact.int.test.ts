import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmod,
  mkdir,
  readdir,
  readFile,
  readlink,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@ocikit/client';
import { pushBytes } from '@ocikit/content';
import { Annotation, createImageManifest, EMPTY_DESCRIPTOR, MediaType } from '@ocikit/spec';
import {
  fetchManifest,
  getOcikitPeers,
  getTestbed,
  makeImage,
  pushImage,
  skopeoInspect,
  umoci,
  uniqueRepo,
  writeDockerArchive,
} from '@ocikit/testbed';
import { describe, expect, it } from 'vitest';
import { ocikit, tempDir } from './lib/ocikit-process.testing.ts';

const run = promisify(execFile);

/** Pushes an artifact whose layers carry these titles to a new repository; returns its location. */
async function artifactWithTitles(titles: readonly string[]): Promise<string> {
  const location = `${getTestbed().anonymous.host}/${uniqueRepo('cli/hostile')}:v1`;
  const opened = await new Client({ env: { HOME: '/nonexistent' } }).open(location, {
    mode: 'write',
  });
  try {
    const layers = [];
    for (const [index, title] of titles.entries()) {
      const bytes = new TextEncoder().encode(`layer ${index}\n`);
      const layer = await pushBytes(opened.target, bytes, 'text/plain');
      layers.push({ ...layer, annotations: { [Annotation.Title]: title } });
    }
    await pushBytes(opened.target, new TextEncoder().encode('{}'), MediaType.OciEmpty);
    const manifest = createImageManifest({
      artifactType: 'application/vnd.example.hostile',
      config: EMPTY_DESCRIPTOR,
      layers,
    });
    await opened.target.push(manifest.descriptor, manifest.bytes);
    await opened.target.tag(manifest.descriptor, 'v1');
  } finally {
    await opened.close();
  }
  return location;
}

describe('ocikit artifact (the built binary)', () => {
  it('pushes files to the registry as oras does and pulls them back bit-exact, with the documented JSON', async () => {
    const { anonymous } = getTestbed();
    const dir = await tempDir();
    const big = randomBytes(2 * 1024 * 1024 + 3);
    await writeFile(join(dir, 'model.bin'), big);
    await writeFile(join(dir, 'README.md'), '# model\n');
    const repo = uniqueRepo('cli/artifact');
    const location = `${anonymous.host}/${repo}:v1`;

    const pushed = await ocikit([
      'artifact',
      'push',
      location,
      join(dir, 'model.bin'),
      `${join(dir, 'README.md')}:text/markdown`,
      '--artifact-type',
      'application/vnd.example.model.v1',
      '--annotation',
      'org.opencontainers.image.created=2026-12-04T00:00:00Z',
      '--format',
      'json',
    ]);
    expect(pushed.code, pushed.stderr).toBe(0);
    const result = JSON.parse(pushed.stdout);
    expect(Object.keys(result).sort()).toEqual(
      ['artifactType', 'digest', 'layers', 'mediaType', 'name', 'size', 'subject', 'tags'].sort(),
    );
    expect(result.tags).toEqual(['v1']);
    expect(result.layers.map((layer: { title: string }) => layer.title)).toEqual([
      'model.bin',
      'README.md',
    ]);
    for (const layer of result.layers) {
      expect(pushed.stderr, 'one progress line per file').toContain(`copied  blob ${layer.digest}`);
    }
    const manifest = JSON.parse(
      new TextDecoder().decode((await fetchManifest({ url: anonymous.url }, repo, 'v1')).bytes),
    );
    expect(manifest.config).toEqual(EMPTY_DESCRIPTOR);
    expect(manifest.artifactType).toBe('application/vnd.example.model.v1');
    expect(manifest.layers[1]).toMatchObject({
      mediaType: 'text/markdown',
      annotations: { [Annotation.Title]: 'README.md' },
    });
    expect(manifest.annotations).toEqual({ [Annotation.Created]: '2026-12-04T00:00:00Z' });

    const out = join(await tempDir(), 'out');
    const pulled = await ocikit(['artifact', 'pull', location, '-o', out]);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.stdout).toBe(`${join(out, 'model.bin')}\n${join(out, 'README.md')}\n`);
    expect(Buffer.compare(await readFile(join(out, 'model.bin')), big)).toBe(0);
    expect(await readFile(join(out, 'README.md'), 'utf8')).toBe('# model\n');

    const json = await ocikit(['artifact', 'pull', location, '-o', out, '--format', 'json']);
    expect(Object.keys(JSON.parse(json.stdout)).sort()).toEqual(
      ['artifactType', 'digest', 'files', 'mediaType', 'name', 'skipped'].sort(),
    );
    const missing = await ocikit(['artifact', 'pull', `${anonymous.host}/${repo}:nope`, '-o', out]);
    expect(missing.code, missing.stderr).toBe(3);
  });

  it('attaches an SBOM and a signature of it, and discovers both as a tree, a table and JSON', async () => {
    const { anonymous } = getTestbed();
    const repo = uniqueRepo('cli/attach');
    const image = await makeImage({ seed: 'cli-attach' });
    await pushImage({ url: anonymous.url }, repo, image, { tag: 'v1' });
    const dir = await tempDir();
    await writeFile(join(dir, 'sbom.json'), '{}');
    await writeFile(join(dir, 'sig'), 'signed');
    const subject = `${anonymous.host}/${repo}:v1`;

    const refused = await ocikit(['artifact', 'attach', subject, join(dir, 'sbom.json')]);
    expect(refused.code, 'no --artifact-type').toBe(2);
    const sbom = await ocikit([
      'artifact',
      'attach',
      subject,
      `${join(dir, 'sbom.json')}:application/spdx+json`,
      '--artifact-type',
      'application/spdx+json',
    ]);
    expect(sbom.code, sbom.stderr).toBe(0);
    const sbomDigest = sbom.stdout.trim();
    const signature = await ocikit([
      'artifact',
      'attach',
      `${anonymous.host}/${repo}@${sbomDigest}`,
      join(dir, 'sig'),
      '--artifact-type',
      'application/vnd.example.signature',
    ]);
    expect(signature.code, signature.stderr).toBe(0);
    const signatureDigest = signature.stdout.trim();

    const tree = await ocikit(['artifact', 'discover', subject]);
    expect(tree.code, tree.stderr).toBe(0);
    expect(tree.stdout).toBe(
      `${subject}@${image.manifest.digest}\n` +
        `└── application/spdx+json  ${sbomDigest}\n` +
        `    └── application/vnd.example.signature  ${signatureDigest}\n`,
    );
    const json = JSON.parse(
      (await ocikit(['artifact', 'discover', subject, '--format', 'json'])).stdout,
    );
    expect(json.subject.digest).toBe(image.manifest.digest);
    expect(json.referrers[0]).toMatchObject({
      digest: sbomDigest,
      artifactType: 'application/spdx+json',
      referrers: [{ digest: signatureDigest, artifactType: 'application/vnd.example.signature' }],
    });
    const table = await ocikit(['artifact', 'discover', subject, '--format', 'table']);
    expect(table.stdout.split('\n')[0]).toMatch(/^DIGEST\s+ARTIFACT TYPE\s+SIZE\s+SUBJECT$/);
    expect(table.stdout).toContain(signatureDigest);
    const filtered = await ocikit([
      'artifact',
      'discover',
      subject,
      '--artifact-type',
      'application/vnd.example.other',
    ]);
    expect(filtered.stdout).toBe(`${subject}@${image.manifest.digest}\n`);
  });

  it('pushes a directory to the ocikit server as one tar+gzip layer (JSON shows its title and media type, skopeo its oras annotations), pulls it back into the same tree, and refuses a FIFO inside with PATH_INVALID (exit 1)', async () => {
    const { anonymous } = getOcikitPeers();
    const dir = await tempDir();
    const tree = join(dir, 'bundle');
    await mkdir(join(tree, 'bin'), { recursive: true });
    await writeFile(join(tree, 'bin', 'tool'), '#!/bin/sh\necho tool\n');
    await chmod(join(tree, 'bin', 'tool'), 0o755);
    await writeFile(join(tree, 'config.yaml'), 'a: 1\n');
    await symlink('bin/tool', join(tree, 'tool'));
    const location = `${anonymous.host}/${uniqueRepo('cli/artifact-dir')}:v1`;

    const pushed = await ocikit(['artifact', 'push', location, tree, '--format', 'json']);
    expect(pushed.code, pushed.stderr).toBe(0);
    const [layer] = JSON.parse(pushed.stdout).layers;
    expect(layer).toMatchObject({
      title: 'bundle',
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    });
    const raw = (await skopeoInspect(`docker://${location}`, { raw: true })) as {
      layers: { annotations: Record<string, string> }[];
    };
    expect(raw.layers[0]?.annotations).toMatchObject({
      'org.opencontainers.image.title': 'bundle',
      'io.deis.oras.content.unpack': 'true',
    });

    const out = join(dir, 'out');
    const pulled = await ocikit(['artifact', 'pull', location, '-o', out]);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.stdout).toBe(`${join(out, 'bundle')}\n`);
    expect(pulled.stderr).toContain('(0 files, 1 directories)');
    const diff = await run('diff', ['-r', '--no-dereference', tree, join(out, 'bundle')]);
    expect(diff.stdout).toBe('');
    expect((await stat(join(out, 'bundle', 'bin', 'tool'))).mode & 0o777).toBe(0o755);
    expect(await readlink(join(out, 'bundle', 'tool'))).toBe('bin/tool');

    await run('mkfifo', [join(tree, 'pipe')]);
    const refused = await ocikit(['artifact', 'push', location.replace(':v1', ':v2'), tree]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^PATH_INVALID: Cannot pack ".*pipe"/m);
  });

  it('refuses absolute and climbing titles with PATH_INVALID (exit 1) before creating even the output directory', async () => {
    for (const hostile of ['/etc/passwd', '../escape.txt', 'a/../../escape.txt']) {
      const location = await artifactWithTitles(['fine.txt', hostile]);
      const parent = await tempDir();
      const out = join(parent, 'out');
      const pulled = await ocikit(['artifact', 'pull', location, '-o', out]);
      expect(pulled.code, hostile).toBe(1);
      expect(pulled.stderr, hostile).toMatch(/^PATH_INVALID: Layer title ".*" is refused/m);
      expect(await readdir(parent), `${hostile}: not even the output directory`).toEqual([]);
    }
  });
});

describe('ocikit layout (the built binary)', () => {
  it('imports a docker save archive that umoci and skopeo then read, lists it, exports it, and collects garbage', async () => {
    const image = await makeImage({ seed: 'cli-layout' });
    const dir = await tempDir();
    await writeDockerArchive(image, join(dir, 'docker.tar'), 'example.com/app:v1');
    const layout = join(dir, 'layout');

    const imported = await ocikit([
      'layout',
      'import',
      join(dir, 'docker.tar'),
      layout,
      '--format',
      'json',
    ]);
    expect(imported.code, imported.stderr).toBe(0);
    const result = JSON.parse(imported.stdout);
    expect(result.format).toBe('docker-archive');
    expect(result.images[0].tags).toEqual(['v1']);
    expect((await umoci(['ls', '--layout', layout])).stdout.trim()).toBe('v1');
    const config = (await skopeoInspect(`oci:${layout}:v1`, { config: true })) as {
      rootfs: { diff_ids: string[] };
    };
    const original = JSON.parse(new TextDecoder().decode(image.config.bytes));
    expect(config.rootfs.diff_ids).toEqual(original.rootfs.diff_ids);

    const listed = JSON.parse((await ocikit(['layout', 'ls', layout, '--format', 'json'])).stdout);
    expect(listed.manifests).toEqual([
      expect.objectContaining({
        tag: 'v1',
        digest: result.images[0].digest,
        kind: 'manifest',
        platforms: ['linux/amd64'],
      }),
    ]);
    const table = await ocikit(['layout', 'ls', layout]);
    expect(table.stdout).toMatch(/^v1\s+sha256:\S+\s+manifest\s+linux\/amd64\s+/m);

    const exported = await ocikit(['layout', 'export', layout, join(dir, 'export.tar')]);
    expect(exported.code, exported.stderr).toBe(0);
    const fromArchive = (await skopeoInspect(`oci-archive:${dir}/export.tar:v1`)) as {
      Digest: string;
    };
    expect(fromArchive.Digest).toBe(result.images[0].digest);
    const again = await ocikit(['layout', 'import', join(dir, 'export.tar'), join(dir, 'again')]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe(`${result.images[0].digest}  v1\n`);
    expect(
      again.stderr.match(/^copied {2}blob sha256:/gm),
      'progress of an oci-archive import',
    ).toHaveLength(2);
    expect((await umoci(['ls', '--layout', join(dir, 'again')])).stdout.trim()).toBe('v1');

    const clean = await ocikit(['layout', 'gc', layout]);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toBe('');
    expect(clean.stderr).toContain('Freed 0 B in 0 blobs');
    await ocikit(['tag', 'rm', `oci:${layout}:v1`]);
    const dry = await ocikit(['layout', 'gc', layout, '--dry-run', '--format', 'json']);
    const plan = JSON.parse(dry.stdout);
    expect(plan.dryRun).toBe(true);
    expect(plan.removed).toHaveLength(3);
    expect(dry.stderr).toContain('Would free');
    const gc = await ocikit(['layout', 'gc', layout]);
    expect(gc.stdout.trim().split('\n')).toHaveLength(3);
    const blobs = await readdir(join(layout, 'blobs', 'sha256'));
    expect(blobs).toEqual([]);
  });

  it('fails layout import of a file that is no archive with TAR_INVALID (exit 1) and creates no layout', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'junk.tar'), 'not a tar at all');
    const run = await ocikit(['layout', 'import', join(dir, 'junk.tar'), join(dir, 'layout')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^TAR_INVALID: /m);
    expect((await readdir(dir)).sort()).toEqual(['junk.tar']);
  });
});
