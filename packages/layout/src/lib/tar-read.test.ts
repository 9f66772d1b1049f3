import { digestBytes, readBytes, streamFromBytes } from '@ocikit/digest';
import { errorCode } from '@ocikit/testbed';
import { describe, expect, it } from 'vitest';
import {
  BLOB,
  BLOB_DIGEST,
  badArchives,
  MANIFEST_DESCRIPTOR,
  validEntries,
} from './bad-archives.testing.ts';
import { paxData, rawTar } from './raw-tar.testing.ts';
import { readLayoutArchive } from './tar-read.ts';

/** Reads an archive as a consumer would: every blob body to its end. */
async function readAll(stream: ReadableStream<Uint8Array>) {
  const seen: { kind: string; path: string; bytes: Uint8Array }[] = [];
  for await (const entry of readLayoutArchive(stream)) {
    const bytes =
      entry.kind === 'blob'
        ? await readBytes(entry.body, { maxBytes: entry.descriptor.size })
        : entry.bytes;
    seen.push({ kind: entry.kind, path: entry.path, bytes });
  }
  return seen;
}

/** A copy of `bytes` as a view at a non-zero offset of a larger buffer. */
function offsetView(bytes: Uint8Array): Uint8Array {
  const buffer = new Uint8Array(bytes.byteLength + 13);
  buffer.set(bytes, 13);
  return buffer.subarray(13);
}

describe('readLayoutArchive', () => {
  it('yields the files and verified blobs of a layout archive, at every chunk size', async () => {
    const archive = rawTar(validEntries());
    const expected = await readAll(streamFromBytes(archive));
    expect(expected.map((entry) => [entry.kind, entry.path])).toEqual([
      ['blob', `blobs/sha256/${BLOB_DIGEST.slice(7)}`],
      ['blob', expect.stringMatching(/^blobs\/sha256\//)],
      ['blob', `blobs/sha256/${MANIFEST_DESCRIPTOR.digest.slice(7)}`],
      ['index', 'index.json'],
      ['oci-layout', 'oci-layout'],
    ]);
    expect(expected[0]?.bytes).toEqual(BLOB);
    const sizes = [1, 2, 3, 7, 100, 511, 512, 513, 1000, 1024, 1536, 4096, archive.byteLength];
    for (const size of sizes) {
      expect(
        await readAll(streamFromBytes(offsetView(archive), size)),
        `chunks of ${size}`,
      ).toEqual(expected);
    }
  });

  it('reads gzip archives, long names (PAX and GNU) and a ./ prefix', async () => {
    const long = `blobs/sha512/${digestBytes('', 'sha512').slice(7)}`;
    const empty256 = digestBytes('').slice(7);
    const cases: [label: string, archive: Uint8Array, path: string][] = [
      [
        'PAX path',
        rawTar([
          ...validEntries(),
          { name: 'PaxHeader/blob', type: 'x', content: paxData({ path: long }) },
          { name: 'ignored-name', content: '' },
        ]),
        long,
      ],
      [
        'GNU long name',
        rawTar([
          ...validEntries(),
          { name: '././@LongLink', type: 'L', content: `${long}\0` },
          { name: long.slice(0, 99), content: '' },
        ]),
        long,
      ],
      [
        'ustar prefix',
        rawTar([...validEntries(), { name: empty256, prefix: 'blobs/sha256', content: '' }]),
        `blobs/sha256/${empty256}`,
      ],
      [
        './ prefix',
        rawTar(validEntries().map((entry) => ({ ...entry, name: `./${entry.name}` }))),
        'index.json',
      ],
    ];
    for (const [label, archive, path] of cases) {
      const paths = (await readAll(streamFromBytes(archive))).map((entry) => entry.path);
      expect(paths, label).toContain(path);
    }
    const gzip = new Response(
      streamFromBytes(rawTar(validEntries())).pipeThrough(
        new CompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>,
      ),
    ).body as ReadableStream<Uint8Array>;
    expect((await readAll(gzip)).map((entry) => entry.kind)).toContain('index');
  });

  it('fails every broken archive with its code', async () => {
    for (const { label, bytes, code } of badArchives()) {
      expect(await errorCode(readAll(streamFromBytes(bytes, 700))), label).toBe(code);
    }
  });

  it('fails with the source error, not a tar error, when the source breaks', async () => {
    const failure = new Error('connection reset');
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(rawTar(validEntries()).subarray(0, 2000));
        controller.error(failure);
      },
    });
    await expect(readAll(source)).rejects.toBe(failure);
  });

  it('skips what the consumer leaves unread, and stops when asked', async () => {
    const kinds: string[] = [];
    for await (const entry of readLayoutArchive(streamFromBytes(rawTar(validEntries()), 100))) {
      kinds.push(entry.kind);
    }
    expect(kinds).toEqual(['blob', 'blob', 'blob', 'index', 'oci-layout']);
    let cancelled = false;
    const archive = rawTar(validEntries());
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(archive.slice(0, 512 * 4));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const entry of readLayoutArchive(source)) {
      expect(entry.kind).toBe('blob');
      break;
    }
    expect(cancelled).toBe(true);
    const signal = AbortSignal.abort();
    const aborted = (async () => {
      for await (const _ of readLayoutArchive(streamFromBytes(archive), { signal })) {
        // never reached
      }
    })();
    expect(await errorCode(aborted)).toBe('ABORTED');
  });
});
