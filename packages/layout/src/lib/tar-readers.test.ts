// The readers of layout archives must read one archive the same way: the
// in-place reader (OciArchive, over scanTar) and the streaming one
// (extractArchive, over readLayoutArchive), and, for what they accept, GNU
// tar (Debian's, a third and independent reader). Hostile archives first,
// then randomly mutated ones from a seeded PRNG.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fetchBytes } from '@ocikit/content';
import { concatBytes, digestBytes, isOciError, streamFromBytes } from '@ocikit/digest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OciArchive } from './archive-file.node.ts';
import {
  consecutivePaxArchive,
  indexTagging,
  MANIFEST_B_DESCRIPTOR,
  MANIFEST_DESCRIPTOR,
  twoImages,
  validEntries,
} from './bad-archives.testing.ts';
import { extractArchive } from './extract.node.ts';
import { paxData, type RawEntry, rawTar } from './raw-tar.testing.ts';
import { classifyLayoutEntry } from './tar-names.ts';
import { streamSource, TarReader } from './tar-reader.ts';
import { scanTar } from './tar-scan.ts';

const run = promisify(execFile);
const encoder = new TextEncoder();

/** What a reader made of an archive: its refusal, or the index and every blob. */
type Reading =
  | { refused: string }
  | { index: unknown; blobs: Record<string, Uint8Array>; files?: Record<string, Uint8Array> };

function codeOf(error: unknown): string {
  if (isOciError(error)) return error.code;
  throw error;
}

/** Reads through `OciArchive`: open, then the index and every blob the file holds. */
async function viaArchive(file: string, bytes: Uint8Array): Promise<Reading> {
  let archive: OciArchive;
  try {
    archive = await OciArchive.open(file);
  } catch (error) {
    return { refused: codeOf(error) };
  }
  try {
    const entries = await scanTar(
      async (at, length) => bytes.subarray(at, at + length),
      bytes.byteLength,
    );
    const blobs: Record<string, Uint8Array> = {};
    for (const entry of entries) {
      const classified = classifyLayoutEntry(entry.name, entry.type);
      if (classified.kind !== 'blob') continue;
      const descriptor = {
        mediaType: 'application/octet-stream',
        digest: classified.digest,
        size: entry.size,
      };
      blobs[classified.digest] = await fetchBytes(archive, descriptor);
    }
    return { index: await archive.readIndex(), blobs };
  } catch (error) {
    return { refused: codeOf(error) };
  } finally {
    await archive.close();
  }
}

/** Reads through `extractArchive`: the index, every blob, and the bytes of every file written. */
async function viaExtract(bytes: Uint8Array, target: string, chunk: number): Promise<Reading> {
  try {
    const layout = await extractArchive(streamFromBytes(bytes, chunk), target, { fsync: false });
    const files = await filesUnder(target);
    const blobs: Record<string, Uint8Array> = {};
    for (const [path, content] of Object.entries(files)) {
      const [top, algorithm, encoded] = path.split('/');
      if (top === 'blobs') blobs[`${algorithm}:${encoded}`] = content;
    }
    return { index: await layout.readIndex(), blobs, files };
  } catch (error) {
    return { refused: codeOf(error) };
  }
}

/** Every regular file under a directory, by relative path. */
async function filesUnder(root: string): Promise<Record<string, Uint8Array>> {
  const files: Record<string, Uint8Array> = {};
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files[path.slice(root.length + 1)] = new Uint8Array(await readFile(path));
  }
  return files;
}

/** What GNU tar extracts: the layout's files (`index.json`, `oci-layout`, `blobs/`), or its error. */
async function viaGnuTar(
  file: string,
  target: string,
): Promise<Record<string, Uint8Array> | { refused: string }> {
  await mkdir(target);
  try {
    await run('tar', ['-xf', file, '-C', target, '--no-same-owner', '--mode=u+rwX']);
  } catch (error) {
    return { refused: String((error as { stderr?: string }).stderr ?? error) };
  }
  const files = await filesUnder(target);
  return Object.fromEntries(
    Object.entries(files).filter(
      ([path]) => path === 'index.json' || path === 'oci-layout' || path.startsWith('blobs/'),
    ),
  );
}

/** The entries and data the tar reader yields over a stream cut in `chunk`-byte pieces. */
async function streamedEntries(bytes: Uint8Array, chunk: number) {
  const stream = streamFromBytes(bytes, chunk).getReader();
  const reader = new TarReader(streamSource(stream));
  const out: { name: string; type: string; size: number; data: Uint8Array }[] = [];
  try {
    for (let entry = await reader.next(); entry; entry = await reader.next()) {
      const parts: Uint8Array[] = [];
      for (let data = await reader.readData(100); data.byteLength > 0; ) {
        parts.push(data.slice());
        data = await reader.readData(100);
      }
      out.push({ name: entry.name, type: entry.type, size: entry.size, data: concatBytes(parts) });
    }
    return out;
  } catch (error) {
    return { refused: codeOf(error) };
  }
}

/** The entries and data scanTar locates in the bytes. */
async function scannedEntries(bytes: Uint8Array) {
  try {
    const entries = await scanTar(
      async (at, length) => bytes.subarray(at, at + length),
      bytes.byteLength,
    );
    return entries.map((entry) => ({
      name: entry.name,
      type: entry.type,
      size: entry.size,
      data: bytes.slice(entry.offset, entry.offset + entry.size),
    }));
  } catch (error) {
    return { refused: codeOf(error) };
  }
}

describe('the layout archive readers (OciArchive, extractArchive, GNU tar)', () => {
  let dir: string;
  let count = 0;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocikit-tar-readers-'));
    await run('tar', ['--version']).catch((error: unknown) => {
      throw new Error(
        `These tests run GNU tar as an oracle: install it (apt-get install tar). ${error}`,
      );
    });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function readAll(bytes: Uint8Array, chunk = 512) {
    count += 1;
    const file = join(dir, `${count}.tar`);
    await writeFile(file, bytes);
    const archive = await viaArchive(file, bytes);
    const extracted = await viaExtract(bytes, join(dir, `${count}.out`), chunk);
    const gnu =
      'refused' in extracted ? undefined : await viaGnuTar(file, join(dir, `${count}.gnu`));
    return { archive, extracted, gnu };
  }

  it('read consecutive PAX headers as Go and GNU tar do: the last one alone applies', async () => {
    const { archive, extracted, gnu } = await readAll(consecutivePaxArchive());
    const { files, ...rest } = extracted as { files: Record<string, Uint8Array> };
    expect(archive).toEqual(rest);
    expect(gnu).toEqual(files);
    expect(files?.['index.json']).toEqual(indexTagging(MANIFEST_B_DESCRIPTOR));
  });

  it('refuse, both, the hostile archives that two tar readers read differently', async () => {
    const hidden = (entries: RawEntry[]) => rawTar(entries, { end: false });
    const cases: [string, RawEntry[]][] = [
      [
        'a file named with a trailing slash whose data holds headers (index A) and a PAX header for the next entry',
        [
          ...twoImages(),
          {
            name: './',
            content: hidden([
              { name: 'index.json', content: indexTagging(MANIFEST_DESCRIPTOR) },
              { name: 'PaxHeader/r', type: 'x', content: paxData({ path: 'repositories' }) },
            ]),
          },
          { name: 'index.json', content: indexTagging(MANIFEST_B_DESCRIPTOR) },
        ],
      ],
      [
        'the same with the old typeflag NUL, which Go reads as a directory and GNU tar skips',
        [
          ...twoImages(),
          {
            name: './',
            type: '\0',
            content: hidden([{ name: 'index.json', content: indexTagging(MANIFEST_DESCRIPTOR) }]),
          },
          { name: 'repositories', content: '{}' },
        ],
      ],
      [
        'a GNU long name before a PAX path (Go takes the long name, GNU tar the path)',
        [
          ...twoImages(),
          { name: '././@LongLink', type: 'L', content: 'index.json\0' },
          { name: 'PaxHeader/r', type: 'x', content: paxData({ path: 'repositories' }) },
          { name: 'x', content: indexTagging(MANIFEST_DESCRIPTOR) },
          { name: 'index.json', content: indexTagging(MANIFEST_B_DESCRIPTOR) },
        ],
      ],
      [
        'an empty PAX path (Go keeps the header name, GNU tar an empty one)',
        [
          ...twoImages(),
          { name: 'PaxHeader/r', type: 'x', content: paxData({ path: '' }) },
          { name: 'index.json', content: indexTagging(MANIFEST_DESCRIPTOR) },
        ],
      ],
      [
        'a GNU sparse name alone (GNU tar renames the entry, Go does not without a sparse map)',
        [
          ...twoImages(),
          {
            name: 'PaxHeader/r',
            type: 'x',
            content: paxData({ 'GNU.sparse.name': 'repositories' }),
          },
          { name: 'index.json', content: indexTagging(MANIFEST_DESCRIPTOR) },
        ],
      ],
      [
        'a global header between an extended header and its entry (Go drops the extended one)',
        [
          ...twoImages(),
          { name: 'PaxHeader/r', type: 'x', content: paxData({ path: 'index.json' }) },
          { name: 'PaxHeader/g', type: 'g', content: paxData({ comment: 'c' }) },
          { name: 'repositories', content: indexTagging(MANIFEST_DESCRIPTOR) },
        ],
      ],
    ];
    for (const [label, entries] of cases) {
      const { archive, extracted } = await readAll(rawTar(entries));
      expect({ archive, extracted }, label).toEqual({
        archive: { refused: 'TAR_INVALID' },
        extracted: { refused: 'TAR_INVALID' },
      });
    }
  });

  it('read randomly mutated archives alike, or refuse them both (seeded; OCIKIT_TAR_FUZZ_SEED)', async () => {
    const seed = Number(process.env.OCIKIT_TAR_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 32));
    const cases = Number(process.env.OCIKIT_TAR_FUZZ_COUNT ?? 250);
    const random = mulberry32(seed);
    const failures: string[] = [];
    const tally = { accepted: 0, refused: 0 };
    for (let n = 0; n < cases; n++) {
      const { bytes, steps } = mutate(random);
      const chunk = pick(random, [1, 7, 100, 512, 513, 4096]);
      const label = `seed ${seed}, case ${n} (${steps.join('; ')}), chunks of ${chunk}`;
      const scanned = await scannedEntries(bytes);
      const streamed = await streamedEntries(bytes, chunk);
      if (!sameReading(scanned, streamed)) {
        failures.push(`${label}: tar entries differ\n${show(scanned)}\n${show(streamed)}`);
        continue;
      }
      const { archive, extracted, gnu } = await readAll(bytes, chunk);
      if ('refused' in archive || 'refused' in extracted) {
        tally.refused += 1;
        if (!('refused' in archive && 'refused' in extracted)) {
          failures.push(`${label}: ${show(archive)} but ${show(extracted)}`);
        }
        continue;
      }
      tally.accepted += 1;
      const { files, ...rest } = extracted;
      if (!sameReading(archive, rest)) {
        failures.push(`${label}: OciArchive and extractArchive read different content`);
      } else if (!sameReading(gnu, files)) {
        failures.push(`${label}: GNU tar read otherwise than extractArchive: ${show(gnu)}`);
      }
    }
    expect(failures, `seed ${seed} (rerun with OCIKIT_TAR_FUZZ_SEED=${seed})`).toEqual([]);
    // Not vacuous: both outcomes are exercised.
    expect(tally.accepted, `seed ${seed}`).toBeGreaterThan(cases / 20);
    expect(tally.refused, `seed ${seed}`).toBeGreaterThan(cases / 20);
  }, 60_000);
});

function sameReading(a: unknown, b: unknown): boolean {
  try {
    expect(a).toEqual(b);
    return true;
  } catch {
    return false;
  }
}

function show(value: unknown): string {
  return JSON.stringify(value, (_key, item) =>
    item instanceof Uint8Array ? `<${item.byteLength} bytes>` : item,
  );
}

/** A small seeded PRNG (mulberry32): the same seed gives the same cases. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function lengthOf(entry: RawEntry): number {
  const { content } = entry;
  return typeof content === 'string'
    ? encoder.encode(content).byteLength
    : (content?.byteLength ?? 0);
}

/** Well-formed archives to start from: ustar, PAX names, GNU long names, ustar prefixes, big blobs. */
function bases(): RawEntry[][] {
  const valid = validEntries();
  const big = new Uint8Array(1300).map((_, i) => (i * 7) & 0xff);
  const bigHex = digestBytes(big).slice(7);
  return [
    valid,
    valid.flatMap((entry, i): RawEntry[] =>
      entry.type === '5'
        ? [entry]
        : [
            { name: `PaxHeader/${i}`, type: 'x', content: paxData({ path: entry.name }) },
            { ...entry, name: `pax-${i}` },
          ],
    ),
    valid.flatMap((entry, i): RawEntry[] => [
      { name: '././@LongLink', type: 'L', content: `${entry.name}\0` },
      { ...entry, name: `gnu-${i}` },
    ]),
    [
      ...valid.map((entry) =>
        entry.name.startsWith('blobs/sha256/') && entry.type !== '5'
          ? { ...entry, prefix: 'blobs/sha256', name: entry.name.slice(13) }
          : entry,
      ),
      { name: bigHex, prefix: 'blobs/sha256', content: big },
    ],
  ];
}

const TYPEFLAGS = ['0', '\0', '1', '2', '3', '5', '6', '7', 'S', 'x', 'g', 'L', 'K', 'V', 'D'];

/** One random mutation of an entry list, described. */
function mutateEntries(random: () => number, entries: RawEntry[]): string {
  const at = Math.floor(random() * entries.length);
  const entry = entries[at] as RawEntry;
  const other = pick(random, entries).name;
  const paxRecords = (): Record<string, string> =>
    pick<Record<string, string>>(random, [
      { path: other },
      { path: `${other}/` },
      { path: '' },
      { path: `./${entry.name}` },
      { size: String(lengthOf(entry) + pick(random, [-1, 1, 512, -512, 0])) },
      { size: 'x' },
      { linkpath: 'oci-layout' },
      { 'GNU.sparse.name': other },
      { mtime: '1.5', comment: 'ok' },
      { path: other, size: '0' },
    ]);
  const insert = (...added: RawEntry[]) => entries.splice(at, 0, ...added);
  switch (Math.floor(random() * 10)) {
    case 0: {
      const type = pick(random, TYPEFLAGS);
      entries[at] = { ...entry, type };
      return `entry ${at} typeflag ${JSON.stringify(type)}`;
    }
    case 1: {
      const name = pick(random, [
        `${entry.name}/`,
        `./${entry.name}`,
        other,
        '',
        entry.name.slice(0, -1),
        `${entry.name}x`,
        `blobs/../${entry.name}`,
      ]);
      entries[at] = { ...entry, name: name.slice(0, 100) };
      return `entry ${at} named ${JSON.stringify(name)}`;
    }
    case 2: {
      const length = lengthOf(entry);
      const size = Math.max(0, length + pick(random, [1, -1, 512, -512, -length, 1 << 20]));
      entries[at] = { ...entry, size };
      return `entry ${at} size ${size} for ${length} bytes`;
    }
    case 3: {
      const records = paxRecords();
      insert({ name: 'PaxHeader/m', type: 'x', content: paxData(records) });
      return `PAX ${JSON.stringify(records)} before entry ${at}`;
    }
    case 4: {
      const first = paxRecords();
      const second = paxRecords();
      insert(
        { name: 'PaxHeader/m1', type: 'x', content: paxData(first) },
        { name: 'PaxHeader/m2', type: 'x', content: paxData(second) },
      );
      return `PAX ${JSON.stringify(first)} then ${JSON.stringify(second)} before entry ${at}`;
    }
    case 5: {
      const type = pick(random, ['L', 'K']);
      insert({ name: '././@LongLink', type, content: `${other}\0` });
      return `GNU ${type} ${JSON.stringify(other)} before entry ${at}`;
    }
    case 6: {
      const content = pick(random, [
        paxData({ comment: 'c' }),
        paxData({ path: other }),
        '99 path=x\n',
        '6 a=b\n',
      ]);
      const type = pick(random, ['x', 'g']);
      insert({ name: 'PaxHeader/raw', type, content });
      return `${type} header ${JSON.stringify(content)} before entry ${at}`;
    }
    case 7:
      entries.splice(at, 1);
      return `entry ${at} removed`;
    case 8:
      entries.splice(Math.floor(random() * entries.length), 0, { ...entry });
      return `entry ${at} copied`;
    default: {
      const to = Math.floor(random() * entries.length);
      entries[at] = entries[to] as RawEntry;
      entries[to] = entry;
      return `entries ${at} and ${to} swapped`;
    }
  }
}

/** Where each header of `rawTar(entries)` starts. */
function headerOffsets(entries: readonly RawEntry[]): number[] {
  const offsets: number[] = [];
  let offset = 0;
  for (const entry of entries) {
    offsets.push(offset);
    offset += 512 + Math.ceil(lengthOf(entry) / 512) * 512;
  }
  return offsets;
}

/** A randomly mutated archive: one to three entry mutations, then maybe a byte flip or a cut. */
function mutate(random: () => number): { bytes: Uint8Array; steps: string[] } {
  const entries = pick(random, bases()).map((entry) => ({ ...entry }));
  const steps: string[] = [];
  const rounds = 1 + Math.floor(random() * 3);
  for (let i = 0; i < rounds; i++) steps.push(mutateEntries(random, entries));
  const bytes = rawTar(entries);
  const roll = random();
  if (roll < 0.15) {
    const cut = Math.floor(random() * bytes.byteLength);
    steps.push(`cut at ${cut}`);
    return { bytes: bytes.slice(0, cut), steps };
  }
  if (roll < 0.35) {
    const headers = headerOffsets(entries);
    const header = pick(random, headers);
    const at = header + Math.floor(random() * 512);
    const value = Math.floor(random() * 256);
    bytes[at] = value;
    const fix = random() < 0.7;
    if (fix) {
      const block = bytes.subarray(header, header + 512);
      block.fill(0x20, 148, 156);
      const sum = block.reduce((total, byte) => total + byte, 0);
      block.set(encoder.encode(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
    }
    steps.push(`byte ${at} = ${value}${fix ? ', checksum fixed' : ''}`);
  }
  return { bytes, steps };
}
