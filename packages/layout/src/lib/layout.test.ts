import { execFile, spawn } from 'node:child_process';
import {
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  truncate,
  writeFile,
} from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { fetchBytes, pushBytes } from '@ocikit/content';
import { acquireFileLock } from '@ocikit/content/fs';
import {
  artifactFor,
  type Blob,
  chunked,
  describeTarget,
  mkfifo,
  multiPlatformImage,
  releaseFifos,
  smallImage,
  type TestImage,
} from '@ocikit/contracts';
import { digestBytes, isOciError, streamFromBytes } from '@ocikit/digest';
import { type Descriptor, MediaType } from '@ocikit/spec';
import { collect, errorCode } from '@ocikit/testbed';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OciArchive } from './archive-file.node.ts';
import { extractArchive } from './extract.node.ts';
import { INDEX_LOCK_FILE, OciLayout } from './layout.node.ts';

const REF = 'org.opencontainers.image.ref.name';
const CTR = 'io.containerd.image.name';

async function pushImage(layout: OciLayout, image: TestImage = smallImage()): Promise<TestImage> {
  for (const blob of image.blobs) await layout.push(blob.descriptor, chunked(blob.bytes));
  await layout.push(image.manifest.descriptor, streamFromBytes(image.manifest.bytes));
  return image;
}

async function indexJson(
  root: string,
): Promise<{ manifests: Descriptor[]; [key: string]: unknown }> {
  return JSON.parse(await readFile(join(root, 'index.json'), 'utf8'));
}

describeTarget(
  'OciLayout',
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ocikit-layout-contract-'));
    const root = join(dir, 'layout');
    return {
      subject: await OciLayout.open(root, { create: true, fsync: false }),
      cleanup: () => rm(dir, { recursive: true, force: true }),
      filesystem: { root, index: join(root, 'index.json') },
    };
  },
  { tagLister: true, referrerLister: true, untagger: true, deleter: true, filesystem: true },
);

describe('OciLayout', () => {
  let dir: string;
  let root: string;
  let layout: OciLayout;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocikit-layout-'));
    root = join(dir, 'layout');
    layout = await OciLayout.open(root, { create: true, fsync: false });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the files of an OCI layout', async () => {
    expect((await readdir(root)).sort()).toEqual(['blobs', 'index.json', 'oci-layout']);
    expect(JSON.parse(await readFile(join(root, 'oci-layout'), 'utf8'))).toEqual({
      imageLayoutVersion: '1.0.0',
    });
    expect(await indexJson(root)).toEqual({
      schemaVersion: 2,
      mediaType: MediaType.OciImageIndex,
      manifests: [],
    });
    const again = await OciLayout.open(root, { create: true });
    expect(again.root).toBe(resolve(root));
  });

  it('leaves no half-made layout when create fails midway', async () => {
    const cases: [string, string | undefined, (path: string) => Promise<unknown>][] = [
      [
        'a directory where index.json.lock goes',
        'PATH_INVALID',
        (path) => mkdir(join(path, INDEX_LOCK_FILE), { recursive: true }),
      ],
      [
        'a directory where index.json goes',
        undefined,
        (path) => mkdir(join(path, 'index.json'), { recursive: true }),
      ],
      [
        'index.json.lock held by a live writer',
        'LOCK_TIMEOUT',
        async (path) => {
          await mkdir(path);
          return acquireFileLock(join(path, INDEX_LOCK_FILE));
        },
      ],
    ];
    for (const [index, [label, code, prepare]] of cases.entries()) {
      const path = join(dir, `half-${index}`);
      const held = await prepare(path);
      const before = await readdir(path);
      const error = await OciLayout.open(path, { create: true, lockTimeoutMs: 0 }).catch(
        (e: unknown) => e,
      );
      expect(error, label).toBeInstanceOf(Error);
      if (code) expect(isOciError(error) && error.code, `${label}: ${error}`).toBe(code);
      expect(await readdir(path), label).toEqual(before);
      if (code === 'LOCK_TIMEOUT') {
        expect((error as Error).message, label).toContain(join(path, INDEX_LOCK_FILE));
        expect((error as Error).message, label).toContain(`pid ${process.pid}`);
        await (held as Awaited<ReturnType<typeof acquireFileLock>>).release();
      }
    }
    // Aborted once the directories are made: they go again, the parent stays.
    let checks = 0;
    const signal = AbortSignal.abort();
    Object.defineProperty(signal, 'aborted', { get: () => checks++ > 0 });
    const fresh = join(dir, 'fresh', 'deeper', 'layout');
    expect(await errorCode(OciLayout.open(fresh, { create: true, signal }))).toBe('ABORTED');
    expect(checks).toBeGreaterThan(1);
    expect(await readdir(dir)).not.toContain('fresh');
  });

  it('refuses what is not a layout with LAYOUT_INVALID naming the path, writing nothing', async () => {
    const cases: [string, (path: string) => Promise<void>][] = [
      ['a missing directory', async () => {}],
      ['a file', (path) => writeFile(path, 'x')],
      ['an empty directory', (path) => mkdir(path)],
      [
        'no oci-layout',
        async (path) => {
          await mkdir(join(path, 'blobs'), { recursive: true });
          await writeFile(join(path, 'index.json'), '{"schemaVersion":2,"manifests":[]}');
        },
      ],
      [
        'a wrong layout version',
        async (path) => {
          await mkdir(join(path, 'blobs'), { recursive: true });
          await writeFile(join(path, 'oci-layout'), '{"imageLayoutVersion":"2.0.0"}');
          await writeFile(join(path, 'index.json'), '{"schemaVersion":2,"manifests":[]}');
        },
      ],
      [
        'oci-layout not JSON',
        async (path) => {
          await mkdir(join(path, 'blobs'), { recursive: true });
          await writeFile(join(path, 'oci-layout'), 'nope');
        },
      ],
      [
        'no blobs directory',
        async (path) => {
          await mkdir(path);
          await writeFile(join(path, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
          await writeFile(join(path, 'index.json'), '{"schemaVersion":2,"manifests":[]}');
        },
      ],
      [
        'no index.json',
        async (path) => {
          await mkdir(join(path, 'blobs'), { recursive: true });
          await writeFile(join(path, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
        },
      ],
      [
        'a broken index.json',
        async (path) => {
          await mkdir(join(path, 'blobs'), { recursive: true });
          await writeFile(join(path, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
          await writeFile(join(path, 'index.json'), '{"schemaVersion":2,"manifests":[{}]}');
        },
      ],
    ];
    for (const [index, [label, prepare]] of cases.entries()) {
      const path = join(dir, `case-${index}`);
      await prepare(path);
      const before = await listing(path);
      const error = await OciLayout.open(path).catch((caught: unknown) => caught);
      expect(isOciError(error, 'LAYOUT_INVALID'), `${label}: ${error}`).toBe(true);
      expect((error as Error).message, label).toContain(path);
      if (index === 0 || index === 2) {
        expect((error as Error).message, label).toContain('{ create: true }');
      }
      expect(await listing(path), label).toEqual(before);
    }
    expect(await errorCode(OciLayout.open(join(dir, 'case-8'), { create: true }))).toBe(
      'LAYOUT_INVALID',
    );
  });

  it('checks maxIndexSize before reading index.json, with SIZE_EXCEEDED', async () => {
    // Sparse: 2.5 GiB on disk costs nothing, and is more than one Node buffer holds.
    await truncate(join(root, 'index.json'), 2.5 * 1024 ** 3);
    const error = await OciLayout.open(root, { maxIndexSize: 1024 * 1024 }).catch(
      (caught: unknown) => caught,
    );
    expect(isOciError(error, 'SIZE_EXCEEDED'), String(error)).toBe(true);
    expect((error as Error).message).toContain('index.json');
    expect((error as Error).message).toContain(String(1024 * 1024));
  });

  it('refuses an index.json nested deeper than it can write back, with LAYOUT_INVALID', async () => {
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    await writeFile(
      join(root, 'index.json'),
      `{"schemaVersion":2,"mediaType":"${MediaType.OciImageIndex}","manifests":[],"x":${deep}}`,
    );
    expect(await errorCode(OciLayout.open(root))).toBe('LAYOUT_INVALID');
    const image = await pushImage(layout);
    expect(await errorCode(layout.tag(image.manifest.descriptor, 'v1'))).toBe('LAYOUT_INVALID');
  });

  it('refuses a blobs directory that is a symbolic link', async () => {
    const elsewhere = join(dir, 'elsewhere');
    await mkdir(elsewhere);
    await rm(join(root, 'blobs'), { recursive: true });
    await symlink(elsewhere, join(root, 'blobs'));
    expect(await errorCode(OciLayout.open(root))).toBe('LAYOUT_INVALID');
  });

  it('checks its options', async () => {
    const cases: [string, Parameters<typeof OciLayout.open>[1]][] = [
      ['create and readOnly', { create: true, readOnly: true }],
      ['a negative lock timeout', { lockTimeoutMs: -1 }],
      ['an image name with a tag', { imageName: 'app:v1' }],
    ];
    for (const [label, options] of cases) {
      expect(await errorCode(OciLayout.open(root, options)), label).toBe('OPTION_INVALID');
    }
  });

  it('refuses every write when opened read-only', async () => {
    const image = await pushImage(layout);
    await layout.tag(image.manifest.descriptor, 'v1');
    const readOnly = await OciLayout.open(root, { readOnly: true });
    const [config] = smallImage().blobs as [Blob];
    const writes: [string, Promise<unknown>][] = [
      ['push', readOnly.push(config.descriptor, chunked(config.bytes))],
      ['tag', readOnly.tag(image.manifest.descriptor, 'v2')],
      ['untag', readOnly.untag('v1')],
      ['delete', readOnly.delete(image.manifest.descriptor)],
      ['gc', readOnly.gc()],
    ];
    for (const [label, write] of writes) expect(await errorCode(write), label).toBe('DENIED');
    expect((await readOnly.resolve('v1')).digest).toBe(image.manifest.digest);
  });

  it('never duplicates an index.json entry, and moves tags by replacing their entry', async () => {
    const [first, second] = [await pushImage(layout), await pushImage(layout)];
    for (let i = 0; i < 3; i++) await layout.tag(first.manifest.descriptor, 'v1');
    await layout.tag(first.manifest.descriptor, 'latest');
    await layout.push(first.manifest.descriptor, streamFromBytes(first.manifest.bytes));
    expect((await indexJson(root)).manifests.map((entry) => entry.annotations?.[REF])).toEqual([
      'v1',
      'latest',
    ]);
    await layout.tag(second.manifest.descriptor, 'v1');
    const entries = (await indexJson(root)).manifests;
    expect(entries.map((entry) => [entry.annotations?.[REF], entry.digest])).toEqual([
      ['latest', first.manifest.digest],
      ['v1', second.manifest.digest],
    ]);
    expect(await collect(layout.tags())).toEqual(['latest', 'v1']);
  });

  it('writes io.containerd.image.name from the layout or the tag option', async () => {
    const named = await OciLayout.open(root, { imageName: 'example.com/app' });
    const image = await pushImage(named);
    await named.tag(image.manifest.descriptor, 'v1');
    await named.tag(image.manifest.descriptor, 'v2', { imageName: 'alpine' });
    await layout.tag(image.manifest.descriptor, 'plain');
    expect((await indexJson(root)).manifests.map((entry) => entry.annotations)).toEqual([
      { [CTR]: 'example.com/app:v1', [REF]: 'v1' },
      { [CTR]: 'docker.io/library/alpine:v2', [REF]: 'v2' },
      { [REF]: 'plain' },
    ]);
    expect(await errorCode(named.tag(image.manifest.descriptor, 'example.com/x:v1'))).toBe(
      'OPTION_INVALID',
    );
    expect(await errorCode(layout.tag(image.manifest.descriptor, 'v3', { imageName: 'Bad' }))).toBe(
      'OPTION_INVALID',
    );
  });

  it('reads tags that other tools wrote, and keeps what it does not own', async () => {
    const [a, b] = [await pushImage(layout), await pushImage(layout)];
    const foreign = {
      schemaVersion: 2,
      'com.example.extra': [1, 2],
      manifests: [
        {
          ...a.manifest.descriptor,
          annotations: { [CTR]: 'docker.io/library/x:1', 'com.example.k': 'v' },
        },
        {
          ...b.manifest.descriptor,
          annotations: { [REF]: 'example.com/app:v1' },
          'x-unknown': true,
        },
      ],
    };
    await writeFile(join(root, 'index.json'), JSON.stringify(foreign));
    expect(await collect(layout.tags())).toEqual(['1', 'example.com/app:v1']);
    expect((await layout.resolve('1')).digest).toBe(a.manifest.digest);
    expect((await layout.resolve('example.com/app:v1')).digest).toBe(b.manifest.digest);
    await layout.tag(a.manifest.descriptor, 'new');
    const written = await indexJson(root);
    expect(written['com.example.extra']).toEqual([1, 2]);
    expect(written.manifests.slice(0, 2)).toEqual(foreign.manifests);
  });

  it('resolves tags without annotations, digests of unlisted manifests, and refuses other blobs', async () => {
    const image = await pushImage(layout);
    const [config, layer] = image.blobs as [Blob, Blob];
    const { index } = multiPlatformImage();
    await layout.tag(image.manifest.descriptor, 'v1');
    expect(await layout.resolve('v1')).toEqual(image.manifest.descriptor);
    expect(await layout.resolve(image.manifest.digest)).toEqual(image.manifest.descriptor);
    expect(await errorCode(layout.resolve(layer.descriptor.digest))).toBe('MANIFEST_UNKNOWN');
    expect(await errorCode(layout.resolve(config.descriptor.digest))).toBe('MANIFEST_UNKNOWN');
    expect(await errorCode(layout.resolve(index.digest))).toBe('MANIFEST_UNKNOWN');
    expect(await errorCode(layout.tag(index.descriptor, 'multi'))).toBe('MANIFEST_UNKNOWN');
    expect(await errorCode(layout.tag(layer.descriptor, 'layer'))).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('keeps referrers as untagged entries, through untag and gc', async () => {
    const image = await pushImage(layout);
    await layout.tag(image.manifest.descriptor, 'v1');
    const signature = await pushImage(
      layout,
      artifactFor(image.manifest.descriptor, 'application/vnd.example.sig'),
    );
    const sbom = await pushImage(
      layout,
      artifactFor(image.manifest.descriptor, 'application/vnd.example.sbom'),
    );
    const entries = (await indexJson(root)).manifests;
    expect(entries.map((entry) => entry.digest)).toEqual([
      image.manifest.digest,
      signature.manifest.digest,
      sbom.manifest.digest,
    ]);
    expect(entries[1]).toEqual(signature.manifest.descriptor);
    await layout.tag(signature.manifest.descriptor, 'sig');
    await layout.untag('sig');
    expect((await indexJson(root)).manifests.map((entry) => entry.digest)).toContain(
      signature.manifest.digest,
    );
    await layout.untag('v1');
    const result = await layout.gc();
    expect(result.removed.map((blob) => blob.digest)).not.toContain(image.manifest.digest);
    const referrers = await collect(layout.referrers(image.manifest.descriptor));
    expect(referrers.map((referrer) => referrer.digest).sort()).toEqual(
      [signature.manifest.digest, sbom.manifest.digest].sort(),
    );
    expect(await errorCode(layout.untag('v1'))).toBe('MANIFEST_UNKNOWN');
  });

  it('finds referrers nested in an index that other tools wrote', async () => {
    const image = await pushImage(layout);
    const signature = artifactFor(image.manifest.descriptor, 'application/vnd.example.sig');
    for (const blob of signature.blobs) await layout.push(blob.descriptor, chunked(blob.bytes));
    await writeFile(
      join(root, 'blobs', 'sha256', signature.manifest.digest.slice(7)),
      signature.manifest.bytes,
    );
    const { createImageIndex } = await import('@ocikit/spec');
    const holder = createImageIndex({ manifests: [signature.manifest.descriptor] });
    await pushBytes(layout, holder.bytes, holder.mediaType);
    await layout.tag(holder.descriptor, 'holder');
    const referrers = await collect(layout.referrers(image.manifest.descriptor));
    expect(referrers.map((referrer) => referrer.digest)).toEqual([signature.manifest.digest]);
  });

  it('deletes a manifest with its entries, and gc removes what nothing reaches', async () => {
    const keep = await pushImage(layout);
    const drop = await pushImage(layout);
    await layout.tag(keep.manifest.descriptor, 'keep');
    await layout.tag(drop.manifest.descriptor, 'drop');
    await layout.tag(drop.manifest.descriptor, 'drop2');
    await layout.delete(drop.manifest.descriptor);
    expect(await collect(layout.tags())).toEqual(['keep']);
    expect(await errorCode(layout.delete(drop.manifest.descriptor))).toBe('MANIFEST_UNKNOWN');
    await writeFile(join(root, '.index.json.deadbeef0000.tmp'), 'half');
    const dry = await layout.gc({ dryRun: true, staleWriteMs: 0 });
    // The two images share their config; only the dropped layer is garbage.
    expect(dry.removed.map((blob) => blob.digest)).toEqual([drop.blobs[1]?.descriptor.digest]);
    expect(dry.staleWrites).toBe(1);
    const done = await layout.gc({ staleWriteMs: 0 });
    expect(done.kept).toBe(3);
    expect(await readdir(root)).not.toContain('.index.json.deadbeef0000.tmp');
    expect(await layout.exists(drop.blobs[1]?.descriptor as Descriptor)).toBe(false);
    expect(await fetchBytes(layout, keep.manifest.descriptor)).toEqual(keep.manifest.bytes);
  });

  it('takes bytes for a push, and says a push of wrong bytes was a push into this layout', async () => {
    const image = smallImage();
    for (const blob of image.blobs) await layout.push(blob.descriptor, blob.bytes);
    await layout.push(image.manifest.descriptor, image.manifest.bytes);
    await layout.tag(image.manifest.descriptor, 'v1');
    expect(await fetchBytes(layout, await layout.resolve('v1'))).toEqual(image.manifest.bytes);
    const [config] = image.blobs as [Blob];
    const cases: [string, Descriptor, Uint8Array][] = [
      ['blob', config.descriptor, config.bytes],
      ['manifest', image.manifest.descriptor, image.manifest.bytes],
    ];
    for (const [label, descriptor, bytes] of cases) {
      const wrong = { ...descriptor, digest: digestBytes(new TextEncoder().encode(label)) };
      const error = await layout.push(wrong, bytes).catch((caught: unknown) => caught);
      expect(isOciError(error, 'DIGEST_MISMATCH'), `${label}: ${error}`).toBe(true);
      expect((error as Error).message, label).toContain(
        `Cannot push ${wrong.digest} to "${resolve(root)}"`,
      );
    }
  });

  it('refuses a manifest that does not parse, and keeps none of it', async () => {
    const bytes = new TextEncoder().encode('{"schemaVersion":2,"layers":"nope"}');
    expect(await errorCode(pushBytes(layout, bytes, MediaType.OciImageManifest))).toBe(
      'MANIFEST_INVALID',
    );
    expect(await listing(join(root, 'blobs'))).toEqual([]);
  });

  it('resumes an interrupted blob push', async () => {
    const image = smallImage(100_000);
    const [, layer] = image.blobs as [Blob, Blob];
    let sent = false;
    const broken = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) controller.error(new Error('reset'));
        else controller.enqueue(layer.bytes.subarray(0, 4096));
        sent = true;
      },
    });
    await expect(layout.push(layer.descriptor, broken)).rejects.toThrow('reset');
    expect(await layout.resumeOffset(layer.descriptor)).toBe(4096);
    await layout.pushFrom(layer.descriptor, streamFromBytes(layer.bytes.subarray(4096)), {
      offset: 4096,
    });
    expect(await layout.exists(layer.descriptor)).toBe(true);
    expect(
      await errorCode(
        layout.pushFrom(image.manifest.descriptor, streamFromBytes(image.manifest.bytes), {
          offset: 1,
        }),
      ),
    ).toBe('BLOB_UPLOAD_INVALID');
  });

  it('writes its archive atomically, and the archive reads back the same', async () => {
    const image = await pushImage(layout);
    await layout.tag(image.manifest.descriptor, 'v1');
    const file = join(dir, 'out', 'image.tar');
    await mkdir(join(dir, 'out'));
    await layout.writeArchive(file);
    await layout.writeArchive(file);
    expect(await readdir(join(dir, 'out'))).toEqual(['image.tar']);
    const first = await readFile(file);
    await layout.writeArchive(join(dir, 'out', 'again.tar'));
    expect(Buffer.compare(first, await readFile(join(dir, 'out', 'again.tar')))).toBe(0);
    const archive = await OciArchive.open(file);
    expect(await archive.resolve('v1')).toEqual(image.manifest.descriptor);
    await archive.close();
    const { createReadStream } = await import('node:fs');
    const { Readable } = await import('node:stream');
    const copy = await extractArchive(
      Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>,
      join(dir, 'copy'),
      { fsync: false },
    );
    expect(await readFile(join(dir, 'copy', 'index.json'))).toEqual(
      await readFile(join(root, 'index.json')),
    );
    expect(await fetchBytes(copy, image.manifest.descriptor)).toEqual(image.manifest.bytes);
    const failed = await errorCode(
      layout.writeArchive(join(dir, 'out', 'x.tar'), { signal: AbortSignal.abort() }),
    );
    expect(failed).toBe('ABORTED');
    expect((await readdir(join(dir, 'out'))).sort()).toEqual(['again.tar', 'image.tar']);
  });

  it('archives and collects a layout with a FIFO in place of a blob, without blocking', async () => {
    const image = await pushImage(layout);
    await layout.tag(image.manifest.descriptor, 'v1');
    const fifo = join(root, 'blobs', 'sha256', 'f'.repeat(64));
    await mkfifo(fifo);
    try {
      const archive = join(dir, 'image.tar');
      await layout.writeArchive(archive);
      const read = await OciArchive.open(archive);
      expect(await read.resolve('v1')).toEqual(image.manifest.descriptor);
      await read.close();
      const result = await layout.gc();
      expect(result.removed).toEqual([]);
    } finally {
      await releaseFifos([fifo]);
    }
  });

  it('takes over the index.json lock of a writer that died', async () => {
    const image = await pushImage(layout);
    await writeFile(
      join(root, INDEX_LOCK_FILE),
      JSON.stringify({ pid: 2 ** 22 + 1, host: hostname(), at: 0 }),
    );
    await layout.tag(image.manifest.descriptor, 'v1');
    await expect(stat(join(root, INDEX_LOCK_FILE))).rejects.toMatchObject({ code: 'ENOENT' });
    const held = await acquireFileLock(join(root, INDEX_LOCK_FILE));
    const impatient = await OciLayout.open(root, { lockTimeoutMs: 0 });
    const error = await impatient.tag(image.manifest.descriptor, 'v2').catch((e: unknown) => e);
    expect(isOciError(error) && error.code).toBe('LOCK_TIMEOUT');
    expect((error as Error).message).toContain(join(root, INDEX_LOCK_FILE));
    expect((error as Error).message).toContain(`pid ${process.pid}`);
    await held.release();
  });

  it('tags at once into a layout whose index.json lock records no owner', async () => {
    const image = await pushImage(layout);
    await writeFile(join(root, INDEX_LOCK_FILE), '');
    const impatient = await OciLayout.open(root, { lockTimeoutMs: 0 });
    await impatient.tag(image.manifest.descriptor, 'v1');
    expect(await collect(impatient.tags())).toEqual(['v1']);
    expect(await readdir(root)).not.toContain(INDEX_LOCK_FILE);
  });

  it('keeps every confirmed tag when separate instances in one process race to take over a dead writer lock', async () => {
    const image = await pushImage(layout);
    const writers = await Promise.all(
      Array.from({ length: 6 }, () => OciLayout.open(root, { fsync: false })),
    );
    const confirmed: string[] = [];
    for (let trial = 0; trial < 50; trial++) {
      await writeFile(join(root, INDEX_LOCK_FILE), deadWriterLock());
      await Promise.all(
        writers.map(async (writer, i) => {
          await writer.tag(image.manifest.descriptor, `t${trial}-w${i}`);
          confirmed.push(`t${trial}-w${i}`);
        }),
      );
    }
    expect((await collect(layout.tags())).sort()).toEqual(confirmed.sort());
    expect(await readdir(root)).not.toContain(INDEX_LOCK_FILE);
  }, 30_000);

  it('keeps every confirmed tag when processes race to take over a dead writer lock', async () => {
    const image = await pushImage(layout);
    const script = await writeLayoutScript(
      join(dir, 'round-tagger.mts'),
      `import { createInterface } from 'node:readline';
const [prefix, descriptor] = args;
process.stdout.write('ready\\n');
for await (const round of createInterface({ input: process.stdin })) {
  await layout.tag(JSON.parse(descriptor), prefix + round);
  process.stdout.write('tagged ' + round + '\\n');
}`,
    );
    const writers = Array.from({ length: 6 }, (_, i) =>
      lineProcess(
        TSX,
        tsxArgs(script, [root, `p${i}-`, JSON.stringify(image.manifest.descriptor)]),
      ),
    );
    await Promise.all(writers.map((writer) => writer.next('ready')));
    const rounds = 8;
    for (let round = 0; round < rounds; round++) {
      await writeFile(join(root, INDEX_LOCK_FILE), deadWriterLock());
      for (const writer of writers) writer.send(`${round}`);
      await Promise.all(writers.map((writer) => writer.next(`tagged ${round}`)));
    }
    await Promise.all(writers.map((writer) => writer.end()));
    expect(await collect(layout.tags())).toHaveLength(rounds * writers.length);
    expect(await readdir(root)).not.toContain(INDEX_LOCK_FILE);
  }, 60_000);

  it('loses no tag when processes tag into one layout at once', async () => {
    const image = await pushImage(layout);
    const script = await writeLayoutScript(
      join(dir, 'tagger.mts'),
      `const [prefix, count, descriptor] = args;
for (let i = 0; i < Number(count); i++) await layout.tag(JSON.parse(descriptor), prefix + i);`,
    );
    const run = promisify(execFile);
    const writers = ['a', 'b', 'c'];
    const perWriter = 30;
    await Promise.all([
      ...writers.map((prefix) =>
        run(
          TSX,
          tsxArgs(script, [
            root,
            prefix,
            String(perWriter),
            JSON.stringify(image.manifest.descriptor),
          ]),
        ),
      ),
      (async () => {
        for (let i = 0; i < perWriter; i++) await layout.tag(image.manifest.descriptor, `main${i}`);
      })(),
    ]);
    const tags = await collect(layout.tags());
    expect(tags).toHaveLength((writers.length + 1) * perWriter);
    const entries = (await indexJson(root)).manifests;
    expect(entries).toHaveLength(tags.length);
    expect(await readdir(root)).not.toContain(INDEX_LOCK_FILE);
  }, 60_000);
});

/** Writes a script for {@link TSX} that opens the layout at its first argument as `layout`, the rest in `args`, then runs `body`. */
async function writeLayoutScript(path: string, body: string): Promise<string> {
  await writeFile(
    path,
    `import { OciLayout } from ${JSON.stringify(resolve(import.meta.dirname, 'layout.node.ts'))};
const [root, ...args] = process.argv.slice(2);
const layout = await OciLayout.open(root, { fsync: false });
${body}
`,
  );
  return path;
}

const TSX = resolve(import.meta.dirname, '../../../../node_modules/.bin/tsx');

/** The arguments of {@link TSX} that run `script` with the sources' path aliases. */
function tsxArgs(script: string, args: string[]): string[] {
  return [
    '--tsconfig',
    resolve(import.meta.dirname, '../../../../tsconfig.base.json'),
    script,
    ...args,
  ];
}

/** A lock file left by a writer that died: a pid above Linux's largest `pid_max` on this host. */
function deadWriterLock(): string {
  return JSON.stringify({ pid: 2 ** 22 + 1, host: hostname(), at: 0 });
}

/** A child process spoken to by lines: `send` one, wait for the `next` one. */
function lineProcess(command: string, args: string[]) {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = new Promise((done, fail) => {
    child.on('error', fail);
    child.on('exit', done);
  });
  return {
    async next(expected: string) {
      const line = await lines.next();
      expect(line.value).toBe(expected);
    },
    send(line: string) {
      child.stdin.write(`${line}\n`);
    },
    async end() {
      child.stdin.end();
      expect(await exited).toBe(0);
    },
  };
}

/** Every file under a directory, relative, sorted (missing directory: none). */
async function listing(path: string): Promise<string[]> {
  try {
    return (await readdir(path, { recursive: true })).sort();
  } catch {
    return ['<absent>'];
  }
}
