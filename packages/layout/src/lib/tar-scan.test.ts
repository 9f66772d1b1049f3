import { readBytes, streamFromBytes } from '@ocikit/digest';
import { errorCode } from '@ocikit/testbed';
import { createTarDecoder, packTar } from 'modern-tar';
import { describe, expect, it } from 'vitest';
import { paxData, rawHeader, rawTar } from './raw-tar.testing.ts';
import { type ScannedEntry, scanTar } from './tar-scan.ts';

function scan(bytes: Uint8Array) {
  return scanTar(
    async (position, length) => bytes.subarray(position, position + length),
    bytes.byteLength,
  );
}

/** The oracle: what modern-tar's decoder reads, as name, type, size and data. */
async function decode(bytes: Uint8Array) {
  const out: { name: string; type: string; size: number; data: Uint8Array }[] = [];
  const reader = streamFromBytes(bytes)
    .pipeThrough(createTarDecoder({ strict: true }))
    .getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    const { header, body } = next.value;
    const data = await readBytes(body, { maxBytes: header.size });
    out.push({ name: header.name, type: header.type ?? 'file', size: header.size, data });
  }
  return out;
}

function located(bytes: Uint8Array, entries: ScannedEntry[]) {
  return entries.map((entry) => ({
    name: entry.name,
    type: entry.type,
    size: entry.size,
    data: bytes.slice(entry.offset, entry.offset + entry.size),
  }));
}

describe('scanTar', () => {
  it('locates every entry as the modern-tar decoder reads it', async () => {
    const longName = `blobs/sha512/${'a'.repeat(128)}`;
    const veryLong = `${'d/'.repeat(150)}file`;
    const archives: [string, Uint8Array][] = [
      [
        'modern-tar writer: ustar, prefix split, PAX long names, empty and multi-block files',
        await packTar([
          { header: { name: 'dir/', type: 'directory', size: 0 } },
          { header: { name: 'dir/a.txt', size: 5 }, body: 'hello' },
          { header: { name: 'empty', size: 0 }, body: '' },
          { header: { name: longName, size: 3 }, body: 'abc' },
          { header: { name: veryLong, size: 1300 }, body: new Uint8Array(1300).fill(7) },
          { header: { name: `${'p'.repeat(120)}/name`, size: 1 }, body: 'z' },
          { header: { name: 'link', type: 'symlink', linkname: 'dir/a.txt', size: 0 } },
        ]),
      ],
      [
        'hand-made: GNU long name, PAX size, v7 regular file',
        rawTar([
          { name: '././@LongLink', type: 'L', content: `${longName}\0` },
          { name: 'short', content: 'gnu' },
          {
            name: 'PaxHeader/x',
            type: 'x',
            content: paxData({ path: 'pax-named', comment: 'ok' }),
          },
          { name: 'x', content: 'pax' },
          { name: 'old-style', type: '\0', content: 'v7' },
        ]),
      ],
    ];
    for (const [label, bytes] of archives) {
      expect(located(bytes, await scan(bytes)), label).toEqual(await decode(bytes));
    }
  });

  it('reads GNU base-256 sizes', async () => {
    const header = rawHeader({ name: 'big', size: 0 });
    header.fill(0, 124, 136);
    header[124] = 0x80;
    header[135] = 5;
    header.fill(0x20, 148, 156);
    const sum = header.reduce((total, byte) => total + byte, 0);
    header.set(new TextEncoder().encode(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
    const bytes = new Uint8Array(512 * 2 + 1024);
    bytes.set(header);
    bytes.set(new TextEncoder().encode('12345'), 512);
    const [entry] = await scan(bytes);
    expect(entry).toMatchObject({ name: 'big', size: 5, offset: 512 });
  });

  it('applies only the last of consecutive PAX headers, and the last GNU long name', async () => {
    const bytes = rawTar([
      { name: 'P1', type: 'x', content: paxData({ path: 'first', size: '0' }) },
      { name: 'P2', type: 'x', content: paxData({ mtime: '1' }) },
      { name: 'ustar', content: 'a' },
      { name: 'L1', type: 'L', content: 'long1\0' },
      { name: 'L2', type: 'L', content: 'long2\0' },
      { name: 'short', content: 'b' },
      { name: 'dir/', type: '\0' },
    ]);
    expect((await scan(bytes)).map(({ name, type, size }) => [name, type, size])).toEqual([
      ['ustar', 'file', 1],
      ['long2', 'file', 1],
      ['dir/', 'directory', 0],
    ]);
  });

  it('refuses headers that Go and GNU tar read differently, with TAR_INVALID', async () => {
    const header = (edit: (block: Uint8Array) => void) => {
      const block = rawHeader({ name: 'a' });
      edit(block);
      return Uint8Array.of(...recheck(block), ...new Uint8Array(1024));
    };
    const text = (block: Uint8Array, offset: number, value: string) =>
      block.set(new TextEncoder().encode(value), offset);
    const cases: [string, Uint8Array][] = [
      [
        'a GNU header whose atime does not parse (Go takes it for a prefix)',
        header((block) => {
          text(block, 257, 'ustar  \0');
          text(block, 345, 'dir');
        }),
      ],
      [
        'a star header whose prefix is longer than 130 bytes',
        header((block) => {
          text(block, 345, 'p'.repeat(140));
          text(block, 508, 'tar\0');
        }),
      ],
      ['a name that is not UTF-8', header((block) => block.set([0xff], 0))],
      ['a malformed mode', header((block) => text(block, 100, '9999999'))],
      ['an empty name', rawTar([{ name: '', content: 'x' }])],
      ['a directory with data', rawTar([{ name: 'd', type: '5', content: 'x' }])],
      ['a hard link with data', rawTar([{ name: 'h', type: '1', linkname: 'a', content: 'x' }])],
      ['a file named like a directory, with data', rawTar([{ name: 'd/', content: 'x' }])],
      [
        'a PAX linkpath and a GNU long link',
        rawTar([
          { name: 'K', type: 'K', content: 'one\0' },
          { name: 'x', type: 'x', content: paxData({ linkpath: 'two' }) },
          { name: 's', type: '2', linkname: 'three' },
        ]),
      ],
      [
        'a PAX size that is not a decimal number',
        rawTar([{ name: 'x', type: 'x', content: paxData({ size: '0x10' }) }, { name: 'a' }]),
      ],
      [
        'a PAX record length that is not decimal',
        rawTar([{ name: 'x', type: 'x', content: '0x9 a=b\n' }, { name: 'a' }]),
      ],
      [
        'a GNU sparse PAX map',
        rawTar([
          { name: 'x', type: 'x', content: paxData({ 'GNU.sparse.map': '0,1' }) },
          { name: 'a' },
        ]),
      ],
    ];
    for (const [label, bytes] of cases) {
      expect(await errorCode(scan(bytes)), label).toBe('TAR_INVALID');
    }
  });

  it('fails malformed archives with TAR_INVALID', async () => {
    const good = rawTar([{ name: 'a', content: 'x'.repeat(600) }]);
    const badNumber = rawHeader({ name: 'a' });
    badNumber.set(new TextEncoder().encode('9'), 124);
    const loneZero = rawTar([{ name: 'a' }, { name: 'b' }]);
    loneZero.fill(0, 0, 512);
    const cases: [string, Uint8Array][] = [
      ['cut in the data', good.subarray(0, 700)],
      ['cut in a header', good.subarray(0, 100)],
      ['no end marker', good.subarray(0, 1536)],
      ['one zero block then data', loneZero],
      ['bad checksum', rawTar([{ name: 'a', badChecksum: true }])],
      ['bad number', Uint8Array.of(...recheck(badNumber), ...new Uint8Array(1024))],
      ['unknown type', rawTar([{ name: 'a', type: 'S' }])],
      [
        'global PAX path',
        rawTar([{ name: 'g', type: 'g', content: paxData({ path: 'x' }) }, { name: 'a' }]),
      ],
      ['malformed PAX', rawTar([{ name: 'x', type: 'x', content: '99 path=a\n' }, { name: 'a' }])],
      [
        'PAX header with no entry',
        rawTar([{ name: 'x', type: 'x', content: paxData({ path: 'a' }) }]),
      ],
      ['huge long name', rawTar([{ name: 'L', type: 'L', size: 2 * 1024 * 1024 }])],
    ];
    for (const [label, bytes] of cases) {
      expect(await errorCode(scan(bytes)), label).toBe('TAR_INVALID');
    }
  });
});

/** Recomputes a header's checksum after a field was changed. */
function recheck(header: Uint8Array): Uint8Array {
  header.fill(0x20, 148, 156);
  const sum = header.reduce((total, byte) => total + byte, 0);
  header.set(new TextEncoder().encode(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
  return header;
}
