import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmod,
  lstat,
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
import { gunzipSync, gzipSync } from 'node:zlib';
import { pushBytes } from '@ocikit/content';
import { OciLayout } from '@ocikit/layout/fs';
import { referrersTag } from '@ocikit/registry';
import { Annotation, createImageManifest, EMPTY_DESCRIPTOR, MediaType } from '@ocikit/spec';
import {
  fetchBlob,
  fetchManifest,
  getOcikitPeers,
  getTestbed,
  makeImage,
  ociFailure,
  pushImage,
  skopeoInspect,
  tempDirs,
  uniqueRepo,
} from '@ocikit/testbed';
import { describe, expect, it } from 'vitest';
import { Artifacts } from './artifacts.node.ts';
import { Client } from './client.node.ts';

const run = promisify(execFile);

const tempDir = tempDirs('ocikit-artifacts-test-');

function artifacts(): Artifacts {
  return new Artifacts(new Client({ env: { HOME: '/nonexistent' } }));
}

/** An artifact in a new layout whose layers carry these titles; returns its `oci:` location. */
async function layoutArtifact(titles: readonly string[]): Promise<string> {
  const dir = join(await tempDir(), 'layout');
  const layout = await OciLayout.open(dir, { create: true });
  const layers = [];
  for (const [index, title] of titles.entries()) {
    const layer = await pushBytes(
      layout,
      new TextEncoder().encode(`file ${index}\n`),
      'text/plain',
    );
    layers.push({ ...layer, annotations: { [Annotation.Title]: title } });
  }
  await pushBytes(layout, new TextEncoder().encode('{}'), MediaType.OciEmpty);
  const manifest = createImageManifest({
    artifactType: 'application/vnd.example.hostile',
    config: EMPTY_DESCRIPTOR,
    layers,
  });
  await pushBytes(layout, manifest.bytes, manifest.mediaType);
  await layout.tag(manifest.descriptor, 'v1');
  return `oci:${dir}:v1`;
}

describe('Artifacts against distribution', () => {
  it('pushes files as oras does (empty config, titles, default artifactType, created) and pulls them back bit-exact', async () => {
    const { anonymous } = getTestbed();
    const dir = await tempDir();
    const big = randomBytes(3 * 1024 * 1024 + 17);
    await writeFile(join(dir, 'data.bin'), big);
    await writeFile(join(dir, 'notes.md'), '# notes\n');
    const repo = uniqueRepo('client/artifact');
    const location = `${anonymous.host}/${repo}:v1`;

    const pushed = await artifacts().push(
      location,
      [
        { path: join(dir, 'data.bin') },
        { path: join(dir, 'notes.md'), mediaType: 'text/markdown' },
      ],
      { now: () => new Date('2026-12-04T10:00:00.123Z'), annotations: { team: 'a' } },
    );
    expect(pushed.tags).toEqual(['v1']);
    const manifest = JSON.parse(
      new TextDecoder().decode((await fetchManifest({ url: anonymous.url }, repo, 'v1')).bytes),
    );
    expect(manifest).toEqual({
      schemaVersion: 2,
      mediaType: MediaType.OciImageManifest,
      artifactType: 'application/vnd.unknown.artifact.v1',
      config: EMPTY_DESCRIPTOR,
      layers: [
        {
          mediaType: 'application/vnd.oci.image.layer.v1.tar',
          digest: pushed.layers[0]?.digest,
          size: big.byteLength,
          annotations: { [Annotation.Title]: 'data.bin' },
        },
        {
          mediaType: 'text/markdown',
          digest: pushed.layers[1]?.digest,
          size: 8,
          annotations: { [Annotation.Title]: 'notes.md' },
        },
      ],
      annotations: { [Annotation.Created]: '2026-12-04T10:00:00Z', team: 'a' },
    });

    const out = join(await tempDir(), 'out');
    const pulled = await artifacts().pull(location, out);
    expect(pulled.descriptor.digest).toBe(pushed.descriptor.digest);
    expect(pulled.files.map((file) => file.title)).toEqual(['data.bin', 'notes.md']);
    expect(Buffer.compare(await readFile(join(out, 'data.bin')), big)).toBe(0);
    expect(await readFile(join(out, 'notes.md'), 'utf8')).toBe('# notes\n');
    expect((await readdir(out)).sort(), 'no temp file is left').toEqual(['data.bin', 'notes.md']);
  });

  it('attaches to an image on a registry without the referrers API through the sha256-<hex> tag, and discovers referrers of referrers', async () => {
    const { anonymous } = getTestbed();
    const repo = uniqueRepo('client/attach');
    const image = await makeImage({ seed: 'attach-subject' });
    await pushImage({ url: anonymous.url }, repo, image, { tag: 'v1' });
    const dir = await tempDir();
    await writeFile(join(dir, 'sbom.json'), '{"spdxVersion":"SPDX-2.3"}');
    await writeFile(join(dir, 'sig.bundle'), 'signature');
    const subject = `${anonymous.host}/${repo}:v1`;

    const sbom = await artifacts().attach(subject, [{ path: join(dir, 'sbom.json') }], {
      artifactType: 'application/spdx+json',
    });
    expect(sbom.subject?.digest).toBe(image.manifest.digest);
    expect(sbom.tags).toEqual([]);
    const signature = await artifacts().attach(
      `${anonymous.host}/${repo}@${sbom.descriptor.digest}`,
      [{ path: join(dir, 'sig.bundle') }],
      { artifactType: 'application/vnd.example.signature' },
    );

    const fallback = await fetchManifest(
      { url: anonymous.url },
      repo,
      referrersTag(image.manifest.digest),
    );
    const index = JSON.parse(new TextDecoder().decode(fallback.bytes));
    expect(index.manifests.map((entry: { digest: string }) => entry.digest)).toEqual([
      sbom.descriptor.digest,
    ]);
    expect(index.manifests[0].artifactType).toBe('application/spdx+json');

    const found = await artifacts().discover(subject);
    expect(found.subject.digest).toBe(image.manifest.digest);
    expect(found.referrers.map((node) => node.descriptor.digest)).toEqual([sbom.descriptor.digest]);
    expect(found.referrers[0]?.referrers.map((node) => node.descriptor.digest)).toEqual([
      signature.descriptor.digest,
    ]);
    const shallow = await artifacts().discover(subject, { depth: 1 });
    expect(shallow.referrers[0]?.referrers).toEqual([]);
    const filtered = await artifacts().discover(subject, { artifactType: 'text/other' });
    expect(filtered.referrers).toEqual([]);
  });

  it('refuses an attach without an artifact type or to an archive, a bad created date, a missing file and a digest destination, pushing nothing', async () => {
    const { anonymous } = getTestbed();
    const dir = await tempDir();
    await writeFile(join(dir, 'a.txt'), 'a');
    const files = [{ path: join(dir, 'a.txt') }];
    const repo = uniqueRepo('client/refused');
    expect(
      (
        await ociFailure(
          artifacts().attach(`${anonymous.host}/${repo}:v1`, files, { artifactType: '' }),
        )
      ).code,
    ).toBe('OPTION_INVALID');
    expect(
      (
        await ociFailure(
          artifacts().attach(`oci-archive:${dir}/x.tar`, files, { artifactType: 'a/b' }),
        )
      ).code,
    ).toBe('UNSUPPORTED');
    const badDate = artifacts().push(`${anonymous.host}/${repo}:v1`, files, {
      annotations: { [Annotation.Created]: 'yesterday' },
    });
    expect((await ociFailure(badDate)).code).toBe('OPTION_INVALID');
    expect(
      (await ociFailure(artifacts().push(`oci:${dir}/l:v1`, [{ path: join(dir, 'missing') }])))
        .code,
    ).toBe('PATH_INVALID');
    await expect(lstat(join(dir, 'l')), 'no layout was created').rejects.toThrow();
    const byDigest = artifacts().push(`${anonymous.host}/${repo}@sha256:${'a'.repeat(64)}`, files);
    expect((await ociFailure(byDigest)).code).toBe('REFERENCE_INVALID');
    const missing = fetchManifest({ url: anonymous.url }, repo, 'v1');
    await expect(missing).rejects.toThrow(/404/);
  });
});

describe('Artifacts with directories', () => {
  it('pushes a directory tree to distribution and to the ocikit server as one tar+gzip layer with oras annotations (skopeo shows them, GNU tar lists the blob, the same tree gives the same digest) and pulls it back into the same tree', async () => {
    const dir = await tempDir();
    const tree = join(dir, 'site');
    await mkdir(join(tree, 'assets', 'img'), { recursive: true });
    await writeFile(join(tree, 'index.html'), '<h1>hi</h1>\n');
    await writeFile(join(tree, 'deploy.sh'), '#!/bin/sh\necho deploy\n');
    await chmod(join(tree, 'deploy.sh'), 0o755);
    await writeFile(join(tree, 'assets', 'img', 'logo.bin'), randomBytes(300 * 1024));
    await symlink('assets/img/logo.bin', join(tree, 'logo'));
    await writeFile(join(dir, 'notes.txt'), 'notes\n');
    for (const [peer, registry] of [
      ['distribution', getTestbed().anonymous],
      ['ocikit server', getOcikitPeers().anonymous],
    ] as const) {
      const repo = uniqueRepo('client/artifact-dir');
      const pushed = await artifacts().push(`${registry.host}/${repo}:v1`, [
        { path: tree },
        { path: join(dir, 'notes.txt') },
      ]);
      const [layer] = pushed.layers;
      expect(layer?.mediaType, peer).toBe('application/vnd.oci.image.layer.v1.tar+gzip');
      expect(layer?.annotations, peer).toEqual({
        [Annotation.Title]: 'site',
        'io.deis.oras.content.digest': expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
        'io.deis.oras.content.unpack': 'true',
      });
      const raw = (await skopeoInspect(`docker://${registry.host}/${repo}:v1`, {
        raw: true,
      })) as { layers: { digest: string; annotations: Record<string, string> }[] };
      expect(raw.layers[0], peer).toEqual(layer);
      const blob = join(dir, `${peer}.tgz`);
      await writeFile(blob, await fetchBlob({ url: registry.url }, repo, layer?.digest ?? ''));
      const { stdout } = await run('tar', ['-tzf', blob]);
      expect(stdout.trim().split('\n'), peer).toEqual([
        'site/',
        'site/assets/',
        'site/assets/img/',
        'site/assets/img/logo.bin',
        'site/deploy.sh',
        'site/index.html',
        'site/logo',
      ]);
      const again = await artifacts().push(`${registry.host}/${repo}:v2`, [{ path: tree }]);
      expect(again.layers[0]?.digest, `${peer}: reproducible`).toBe(layer?.digest);

      const out = join(dir, `out-${peer.replace(' ', '-')}`);
      const pulled = await artifacts().pull(`${registry.host}/${repo}:v1`, out);
      expect(
        pulled.files.map((file) => [file.title, file.kind]),
        peer,
      ).toEqual([
        ['site', 'directory'],
        ['notes.txt', 'file'],
      ]);
      const diff = await run('diff', ['-r', '--no-dereference', tree, join(out, 'site')]);
      expect(diff.stdout, peer).toBe('');
      expect((await stat(join(out, 'site', 'deploy.sh'))).mode & 0o777).toBe(0o755);
      expect((await stat(join(out, 'site', 'index.html'))).mode & 0o777).toBe(0o644);
      expect(await readlink(join(out, 'site', 'logo'))).toBe('assets/img/logo.bin');
      expect((await readdir(out)).sort(), 'no temp directory is left').toEqual([
        'notes.txt',
        'site',
      ]);
      const twice = await ociFailure(artifacts().pull(`${registry.host}/${repo}:v1`, out));
      expect(twice.code, `${peer}: a directory already there is not replaced`).toBe('PATH_INVALID');
    }
  });

  it('fails the pull of a directory layer whose blob was forged (valid tar+gzip, same size) with DIGEST_MISMATCH, leaving nothing behind', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'tree'));
    await writeFile(join(dir, 'tree', 'a.txt'), 'a');
    const layoutDir = join(dir, 'layout');
    const pushed = await artifacts().push(`oci:${layoutDir}:v1`, [{ path: join(dir, 'tree') }]);
    const digest = pushed.layers[0]?.digest ?? '';
    const blobPath = join(layoutDir, 'blobs', 'sha256', digest.slice(7));
    const blob = await readFile(blobPath);
    const tar = gunzipSync(blob);
    tar[tar.indexOf('a', 1024)] = 'b'.charCodeAt(0);
    const forged = gzipSync(tar);
    expect(forged.byteLength, 'a forged blob of the same size').toBe(blob.byteLength);
    await chmod(blobPath, 0o644);
    await writeFile(blobPath, forged);
    const out = join(dir, 'out');
    const error = await ociFailure(artifacts().pull(`oci:${layoutDir}:v1`, out));
    expect(error.code).toBe('DIGEST_MISMATCH');
    expect(await readdir(out), 'neither the directory nor a temp directory').toEqual([]);
  });

  it('refuses to push a directory holding a link that climbs out, pushing nothing', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'tree'));
    await symlink('../../etc/passwd', join(dir, 'tree', 'passwd'));
    const { anonymous } = getTestbed();
    const repo = uniqueRepo('client/artifact-dir-refused');
    const error = await ociFailure(
      artifacts().push(`${anonymous.host}/${repo}:v1`, [{ path: join(dir, 'tree') }]),
    );
    expect(error.code).toBe('PATH_INVALID');
    expect(error.message).toContain('passwd');
    await expect(fetchManifest({ url: anonymous.url }, repo, 'v1')).rejects.toThrow(/404/);
  });
});

describe('Artifacts.pull with hostile titles', () => {
  it('refuses absolute, climbing, repeated and clashing titles before writing any file', async () => {
    for (const titles of [
      ['ok.txt', '/tmp/evil'],
      ['ok.txt', '../evil'],
      ['ok.txt', 'a/../../evil'],
      ['ok.txt', 'ok.txt'],
      ['ok.txt', 'ok.txt/inner'],
    ]) {
      const location = await layoutArtifact(titles);
      const out = join(await tempDir(), 'out');
      const error = await ociFailure(artifacts().pull(location, out));
      expect(error.code, titles.join(' ')).toBe('PATH_INVALID');
      expect(error.message, titles.join(' ')).toContain(titles[1]);
      const written = await readdir(out).catch(() => []);
      expect(written, titles.join(' ')).toEqual([]);
    }
  });

  it('refuses a title that passes through or lands on a symbolic link in the output directory', async () => {
    const outside = await tempDir();
    for (const [title, setup] of [
      ['link/x.txt', (out: string) => symlink(outside, join(out, 'link'))],
      [
        'target.txt',
        (out: string) => symlink(join(outside, 'target.txt'), join(out, 'target.txt')),
      ],
      ['file/x.txt', (out: string) => writeFile(join(out, 'file'), 'a file, not a directory')],
    ] as const) {
      const location = await layoutArtifact(['first.txt', title]);
      const out = join(await tempDir(), 'out');
      await mkdir(out);
      await setup(out);
      const error = await ociFailure(artifacts().pull(location, out));
      expect(error.code, title).toBe('PATH_INVALID');
      expect(await readdir(outside), title).toEqual([]);
      await expect(lstat(join(out, 'first.txt')), title).rejects.toThrow();
    }
  });

  it('fails with PATH_INVALID, not a bare errno error, when the output directory is a file', async () => {
    const location = await layoutArtifact(['a.txt']);
    const file = join(await tempDir(), 'file');
    await writeFile(file, 'in the way');
    const error = await ociFailure(artifacts().pull(location, file));
    expect(error.code).toBe('PATH_INVALID');
    expect(error.message).toContain(file);
  });

  it('skips layers without a title, and writes nested titles into directories it creates', async () => {
    const location = await layoutArtifact(['docs/guide/readme.md', 'top.txt']);
    const out = join(await tempDir(), 'out');
    const pulled = await artifacts().pull(location, out);
    expect(pulled.files.map((file) => file.path)).toEqual([
      join(out, 'docs/guide/readme.md'),
      join(out, 'top.txt'),
    ]);
    expect(await readFile(join(out, 'docs/guide/readme.md'), 'utf8')).toBe('file 0\n');
  });

  it('pulls many files in parallel, and a layer that does not match its digest fails the pull with DIGEST_MISMATCH, leaving only whole, verified files', async () => {
    const titles = Array.from({ length: 12 }, (_, index) => `file-${index}.txt`);
    const location = await layoutArtifact(titles);
    const whole = join(await tempDir(), 'whole');
    const pulled = await artifacts().pull(location, whole, { concurrency: 3 });
    expect(pulled.files.map((file) => file.title)).toEqual(titles);
    for (const [index, title] of titles.entries()) {
      expect(await readFile(join(whole, title), 'utf8')).toBe(`file ${index}\n`);
    }

    const dir = location.slice('oci:'.length, -':v1'.length);
    const root = await (await OciLayout.open(dir)).resolve('v1');
    const manifest = JSON.parse(
      await readFile(join(dir, 'blobs/sha256', root.digest.slice(7)), 'utf8'),
    );
    const corrupt = manifest.layers[5] as { digest: string };
    await writeFile(join(dir, 'blobs/sha256', corrupt.digest.slice(7)), 'FILE 5\n');
    const out = join(await tempDir(), 'out');
    const error = await ociFailure(artifacts().pull(location, out, { concurrency: 3 }));
    expect(error.code).toBe('DIGEST_MISMATCH');
    const left = await readdir(out);
    expect(left).not.toContain('file-5.txt');
    for (const name of left) {
      expect(name, 'no temp file is left').toMatch(/^file-\d+\.txt$/);
      const index = Number(name.slice(5, -4));
      expect(await readFile(join(out, name), 'utf8')).toBe(`file ${index}\n`);
    }
    expect((await ociFailure(artifacts().pull(location, out, { concurrency: 0 }))).code).toBe(
      'OPTION_INVALID',
    );
  });
});
