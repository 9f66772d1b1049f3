import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { streamFromBytes } from '@ocikit/digest';
import { createImageManifest, EMPTY_DESCRIPTOR } from '@ocikit/spec';
import {
  getTestbed,
  makeImage,
  ociFailure,
  pushImage,
  type RegistryInfo,
  skopeoInspect,
  type TestNode,
  uniqueRepo,
  writeDockerConfig,
} from '@ocikit/testbed';
import { describe, expect, it, onTestFinished } from 'vitest';
import { Artifacts } from './artifacts.node.ts';
import { Client } from './client.node.ts';

const encode = (text: string) => new TextEncoder().encode(text);

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ocikit-client-test-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function client(): Client {
  return new Client({ env: { HOME: '/nonexistent' } });
}

/** Pushes an image to a new repository of the anonymous registry, tagged `v1`; returns `host/repo`. */
async function seeded(node: TestNode, registry: RegistryInfo = getTestbed().anonymous) {
  const repo = uniqueRepo('client/registry');
  await pushImage({ url: registry.url }, repo, node, { tag: 'v1' });
  return `${registry.host}/${repo}`;
}

describe('Client manifests on the real registry', () => {
  it('puts manifest bytes under a tag (media type from the document), heads and deletes them by digest', async () => {
    const image = await makeImage({ seed: 'client-put' });
    const repo = await seeded(image);
    const ocikit = client();

    const put = await ocikit.putManifest(`${repo}:copy`, image.manifest.bytes);
    expect(put).toEqual({
      mediaType: image.manifest.mediaType,
      digest: image.manifest.digest,
      size: image.manifest.size,
    });
    expect(((await skopeoInspect(`docker://${repo}:copy`)) as { Digest: string }).Digest).toBe(
      image.manifest.digest,
    );
    expect(await ocikit.resolve(`${repo}:copy`)).toEqual(put);

    expect(
      await ociFailure(ocikit.deleteManifest(`${repo}:copy`)),
      'a tag is refused without dereferenceTag',
    ).toMatchObject({ code: 'REFERENCE_INVALID' });
    expect(await ocikit.resolve(`${repo}:copy`)).toEqual(put);
    const deleted = await ocikit.deleteManifest(`${repo}@${image.manifest.digest}`);
    expect(deleted.digest).toBe(image.manifest.digest);
    for (const tag of ['v1', 'copy']) {
      expect(await ociFailure(ocikit.resolve(`${repo}:${tag}`))).toMatchObject({
        code: 'MANIFEST_UNKNOWN',
      });
    }
  });

  it('deletes the manifest behind a tag with dereferenceTag', async () => {
    const image = await makeImage({ seed: 'client-delete-tag' });
    const repo = await seeded(image);
    const deleted = await client().deleteManifest(`${repo}:v1`, { dereferenceTag: true });
    expect(deleted.digest).toBe(image.manifest.digest);
    expect(await ociFailure(client().resolve(`${repo}@${image.manifest.digest}`))).toMatchObject({
      code: 'MANIFEST_UNKNOWN',
    });
  });

  it('refuses bytes that are no manifest, a conflicting media type, and a location naming another digest; nothing is pushed', async () => {
    const image = await makeImage({ seed: 'client-put-bad' });
    const repo = await seeded(image);
    const ocikit = client();
    const other = 'sha256:0000000000000000000000000000000000000000000000000000000000000000';
    const cases = [
      { label: 'not JSON', run: () => ocikit.putManifest(`${repo}:bad`, encode('not json')) },
      { label: 'no manifest', run: () => ocikit.putManifest(`${repo}:bad`, encode('{"a":1}')) },
      {
        label: 'media type conflict',
        run: () =>
          ocikit.putManifest(`${repo}:bad`, image.manifest.bytes, {
            mediaType: 'application/vnd.oci.image.index.v1+json',
          }),
      },
      {
        label: 'other digest',
        run: () => ocikit.putManifest(`${repo}@${other}`, image.manifest.bytes),
      },
    ];
    for (const { label, run } of cases) {
      const failure = await ociFailure(run());
      expect(['MANIFEST_INVALID', 'UNSUPPORTED_MEDIA_TYPE', 'DIGEST_MISMATCH'], label).toContain(
        failure.code,
      );
    }
    expect(await ociFailure(ocikit.resolve(`${repo}:bad`))).toMatchObject({
      code: 'MANIFEST_UNKNOWN',
    });
  });
});

describe('Client blobs on the real registry', () => {
  it('pushes a blob from a file and from a stream, heads it, refuses a wrong digest, deletes it', async () => {
    const repo = `${getTestbed().anonymous.host}/${uniqueRepo('client/blobs')}`;
    const ocikit = client();
    const bytes = encode(`blob of ${repo}`);
    const file = join(await tempDir(), 'blob');
    await writeFile(file, bytes);

    const fromFile = await ocikit.pushBlob(repo, file);
    expect(fromFile.size).toBe(bytes.byteLength);
    const fromStream = await ocikit.pushBlob(repo, streamFromBytes(encode('streamed')));
    expect(fromStream.size).toBe(8);
    const head = await ocikit.statBlob(`${repo}@${fromFile.digest}`);
    expect(head).toMatchObject({ digest: fromFile.digest, size: bytes.byteLength });

    const other = await ocikit
      .pushBlob(repo, streamFromBytes(encode('other')), {
        digest: fromStream.digest,
      })
      .catch((error: unknown) => error);
    expect(other).toMatchObject({ code: 'DIGEST_MISMATCH' });

    expect(await ocikit.deleteBlob(`${repo}@${fromFile.digest}`)).toBe(fromFile.digest);
    expect(await ociFailure(ocikit.statBlob(`${repo}@${fromFile.digest}`))).toMatchObject({
      code: 'BLOB_UNKNOWN',
    });
    expect(await ociFailure(ocikit.statBlob(`${repo}:v1`))).toMatchObject({
      code: 'REFERENCE_INVALID',
    });
    expect(await ociFailure(ocikit.pushBlob(`${repo}:v1`, file))).toMatchObject({
      code: 'REFERENCE_INVALID',
    });
    expect(await ociFailure(ocikit.statBlob(`oci:${file}@${fromFile.digest}`))).toMatchObject({
      code: expect.stringMatching(/UNSUPPORTED|LAYOUT_INVALID|REFERENCE_INVALID/),
    });
  });

  it('mounts a blob across repositories of one registry, and copies it to another registry', async () => {
    const { anonymous, basic } = getTestbed();
    const from = `${anonymous.host}/${uniqueRepo('client/mount-from')}`;
    const ocikit = client();
    const blob = await ocikit.pushBlob(from, streamFromBytes(encode('to mount')));

    const same = `${anonymous.host}/${uniqueRepo('client/mount-to')}`;
    const mounted = await ocikit.mountBlob(`${from}@${blob.digest}`, same);
    expect(mounted).toMatchObject({ mounted: true, descriptor: { digest: blob.digest } });
    expect((await ocikit.statBlob(`${same}@${blob.digest}`)).size).toBe(blob.size);

    const dir = await tempDir();
    await writeDockerConfig(dir, { [basic.host]: basic.users.push });
    const withLogin = new Client({ env: { DOCKER_CONFIG: dir, HOME: dir } });
    const elsewhere = `${basic.host}/${uniqueRepo('client/mount-other')}`;
    const copied = await withLogin.mountBlob(`${from}@${blob.digest}`, elsewhere);
    expect(copied.mounted).toBe(false);
    expect((await withLogin.statBlob(`${elsewhere}@${blob.digest}`)).size).toBe(blob.size);

    expect(
      await ociFailure(ocikit.mountBlob(`${from}@${copied.descriptor.digest}`, `${same}:tag`)),
    ).toMatchObject({ code: 'REFERENCE_INVALID' });
  });
});

describe('Client catalog, and manifests put as referrers, on the real registry', () => {
  it('lists repositories across pages', async () => {
    const image = await makeImage({ seed: 'client-catalog' });
    const repo = await seeded(image);
    const name = repo.slice(repo.indexOf('/') + 1);
    const all = await client().repositories(getTestbed().anonymous.host, { pageSize: 2 });
    expect(all).toContain(name);
    expect(new Set(all).size).toBe(all.length);
    const after = await client().repositories(getTestbed().anonymous.host, { last: name });
    expect(after).not.toContain(name);
  });

  it('indexes manifests put with a subject as referrers, found again as a tree (Artifacts.discover)', async () => {
    const image = await makeImage({ seed: 'client-referrers' });
    const repo = await seeded(image);
    const ocikit = client();
    await ocikit.pushBlob(repo, streamFromBytes(encode('{}')));
    const artifact = async (artifactType: string, subject: typeof EMPTY_DESCRIPTOR) => {
      const layer = await ocikit.pushBlob(repo, streamFromBytes(encode(artifactType)), {
        mediaType: 'text/plain',
      });
      const manifest = createImageManifest({
        artifactType,
        config: EMPTY_DESCRIPTOR,
        layers: [layer],
        subject,
      });
      return ocikit.putManifest(`${repo}@${manifest.digest}`, manifest.bytes);
    };
    const subject = await ocikit.resolve(`${repo}:v1`);
    const sbom = await artifact('application/example.sbom', subject);
    const signature = await artifact('application/example.signature', sbom);

    const tree = await new Artifacts(ocikit).discover(`${repo}:v1`);
    expect(tree.subject.digest).toBe(image.manifest.digest);
    expect(tree.referrers).toHaveLength(1);
    expect(tree.referrers[0]?.descriptor).toMatchObject({
      digest: sbom.digest,
      artifactType: 'application/example.sbom',
    });
    expect(tree.referrers[0]?.referrers.map((node) => node.descriptor.digest)).toEqual([
      signature.digest,
    ]);
    const filtered = await new Artifacts(ocikit).discover(`${repo}:v1`, {
      artifactType: 'application/example.signature',
    });
    expect(filtered.referrers).toEqual([]);
  });
});

describe('Client copy dryRun and force on the real registry', () => {
  it('plans a copy without writing (registry, missing layout, existing layout left byte-identical), then force sends blobs that exist', async () => {
    const image = await makeImage({ seed: 'client-dry-run' });
    const from = `${await seeded(image)}:v1`;
    const ocikit = client();
    const to = `${getTestbed().anonymous.host}/${uniqueRepo('client/dry-run')}:v1`;
    const blobs = [image.config, ...image.layers];
    const bytes = blobs.reduce((sum, blob) => sum + blob.size, 0);

    const planned = await ocikit.copy(from, to, { dryRun: true });
    expect(planned).toMatchObject({
      blobsCopied: blobs.length,
      bytesCopied: bytes,
      blobsMounted: 0,
    });
    expect(await ociFailure(ocikit.resolve(to))).toMatchObject({ code: 'MANIFEST_UNKNOWN' });
    const dir = join(await tempDir(), 'never');
    const toLayout = await ocikit.copy(from, `oci:${dir}:v1`, { dryRun: true });
    expect(toLayout.bytesCopied).toBe(bytes);
    expect(existsSync(dir)).toBe(false);

    await ocikit.copy(from, to);
    const again = await ocikit.copy(from, to, { dryRun: true });
    expect(again).toMatchObject({ blobsCopied: 0, bytesCopied: 0 });
    const forced = await ocikit.copy(from, to, { force: true });
    expect(forced).toMatchObject({ blobsCopied: blobs.length, blobsMounted: 0, blobsSkipped: 0 });
    expect(forced.bytesCopied).toBe(bytes);

    const layout = join(await tempDir(), 'layout');
    await ocikit.copy(from, `oci:${layout}:v1`);
    const before = await readFile(join(layout, 'index.json'));
    const files = await readdir(layout, { recursive: true });
    const plannedInto = await ocikit.copy(from, `oci:${layout}:v2`, { dryRun: true, force: true });
    expect(plannedInto.blobsCopied).toBe(blobs.length);
    expect(await readFile(join(layout, 'index.json'))).toEqual(before);
    expect(await readdir(layout, { recursive: true })).toEqual(files);
  });
});
