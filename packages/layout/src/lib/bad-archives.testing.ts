// Test support: one valid layout archive and a table of broken ones, shared by
// the tests of every reader (stream, file, extraction), which must agree.

import { digestBytes } from '@ocikit/digest';
import { MediaType } from '@ocikit/spec';
import { paxData, type RawEntry, rawTar } from './raw-tar.testing.ts';

const encoder = new TextEncoder();

/** A blob of the valid archive: a tiny "layer". */
export const BLOB = encoder.encode('layer bytes\n');
/** Its digest. */
export const BLOB_DIGEST = digestBytes(BLOB);
const BLOB_PATH = `blobs/sha256/${BLOB_DIGEST.slice(7)}`;
const CONFIG = encoder.encode(
  '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}',
);
const CONFIG_PATH = `blobs/sha256/${digestBytes(CONFIG).slice(7)}`;
/** An image manifest of `CONFIG` and the given layers: its bytes and descriptor. */
function imageManifest(layers: readonly object[]) {
  const bytes = encoder.encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.OciImageManifest,
      config: {
        mediaType: MediaType.OciImageConfig,
        digest: digestBytes(CONFIG),
        size: CONFIG.byteLength,
      },
      layers,
    }),
  );
  const descriptor = {
    mediaType: MediaType.OciImageManifest,
    digest: digestBytes(bytes),
    size: bytes.byteLength,
  };
  return { bytes, descriptor };
}
/** The manifest of the valid archive, tagged `v1`. */
const { bytes: MANIFEST, descriptor: MANIFEST_DESCRIPTOR } = imageManifest([
  { mediaType: MediaType.OciLayer, digest: BLOB_DIGEST, size: BLOB.byteLength },
]);

/** The manifest's descriptor. */
export { MANIFEST_DESCRIPTOR };

const MANIFEST_PATH = `blobs/sha256/${MANIFEST_DESCRIPTOR.digest.slice(7)}`;
/** The `index.json` of a layout that tags `manifest` as `v1`. */
export function indexTagging(manifest: typeof MANIFEST_DESCRIPTOR): Uint8Array {
  return encoder.encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.OciImageIndex,
      manifests: [{ ...manifest, annotations: { 'org.opencontainers.image.ref.name': 'v1' } }],
    }),
  );
}
const INDEX = indexTagging(MANIFEST_DESCRIPTOR);
const LAYOUT = '{"imageLayoutVersion":"1.0.0"}';

/** The entries of the valid archive, in the order a tool that walks a directory writes them. */
export function validEntries(): RawEntry[] {
  return [
    { name: 'blobs/', type: '5' },
    { name: 'blobs/sha256/', type: '5' },
    { name: BLOB_PATH, content: BLOB },
    { name: CONFIG_PATH, content: CONFIG },
    { name: MANIFEST_PATH, content: MANIFEST },
    { name: 'index.json', content: INDEX },
    { name: 'oci-layout', content: LAYOUT },
  ];
}

/** A second image: the first one's config, no layers. */
const { bytes: MANIFEST_B, descriptor: MANIFEST_B_DESCRIPTOR } = imageManifest([]);

/** The second image's manifest descriptor. */
export { MANIFEST_B_DESCRIPTOR };

/** The valid archive plus the second image's manifest, without index.json (for a test to add). */
export function twoImages(): RawEntry[] {
  return [
    ...without('index.json'),
    { name: `blobs/sha256/${MANIFEST_B_DESCRIPTOR.digest.slice(7)}`, content: MANIFEST_B },
  ];
}

/**
 * The archive of issue 12: two PAX headers before each of two files. Merging
 * them reads the first file as `index.json` (`v1` is the first image);
 * keeping the last one alone, as Go and GNU tar do, reads the second (`v1`
 * is the second image, {@link MANIFEST_B_DESCRIPTOR}).
 */
export function consecutivePaxArchive(): Uint8Array {
  const extended = (path: string): RawEntry[] => [
    { name: 'PaxHeader/1', type: 'x', content: paxData({ path }) },
    { name: 'PaxHeader/2', type: 'x', content: paxData({ mtime: '1' }) },
  ];
  return rawTar([
    ...twoImages(),
    ...extended('index.json'),
    { name: 'manifest.json', content: indexTagging(MANIFEST_DESCRIPTOR) },
    ...extended('repositories'),
    { name: 'index.json', content: indexTagging(MANIFEST_B_DESCRIPTOR) },
  ]);
}

/** A broken archive, the code every reader must fail with, and whether the failure waits for a blob read. */
export interface BadArchive {
  readonly label: string;
  readonly bytes: Uint8Array;
  readonly code: string;
  /** The file reader serves blobs lazily: this failure shows when the blob is fetched. */
  readonly onFetch?: boolean;
}

const without = (name: string) => validEntries().filter((entry) => entry.name !== name);
const plus = (...extra: RawEntry[]) => [...validEntries(), ...extra];

/** Every broken archive the readers are tested with. */
export function badArchives(): BadArchive[] {
  const valid = rawTar(validEntries());
  const corrupt = validEntries().map((entry) =>
    entry.name === BLOB_PATH ? { ...entry, content: encoder.encode('LAYER bytes\n') } : entry,
  );
  const cases: [string, RawEntry[] | Uint8Array, string, boolean?][] = [
    ['a ../ path', plus({ name: '../evil', content: 'x' }), 'PATH_INVALID'],
    ['a ../ inside the path', plus({ name: 'blobs/../../evil', content: 'x' }), 'PATH_INVALID'],
    [
      'a PAX path that escapes',
      plus(
        { name: 'PaxHeader/x', type: 'x', content: paxData({ path: '../../evil' }) },
        { name: 'x', content: 'x' },
      ),
      'PATH_INVALID',
    ],
    ['an absolute path', plus({ name: '/etc/passwd', content: 'x' }), 'PATH_INVALID'],
    ['a control character', plus({ name: 'blobs/\nx', content: 'x' }), 'PATH_INVALID'],
    [
      'a symbolic link',
      plus({ name: 'blobs/sha256/link', type: '2', linkname: '/etc/passwd' }),
      'TAR_INVALID',
    ],
    [
      'a blob that is a link',
      [...without(BLOB_PATH), { name: BLOB_PATH, type: '2', linkname: CONFIG_PATH }],
      'TAR_INVALID',
    ],
    ['a hard link', plus({ name: 'hard', type: '1', linkname: 'oci-layout' }), 'TAR_INVALID'],
    ['a device', plus({ name: 'dev', type: '3' }), 'TAR_INVALID'],
    ['a FIFO', plus({ name: 'fifo', type: '6' }), 'TAR_INVALID'],
    ['a duplicate blob', plus({ name: BLOB_PATH, content: BLOB }), 'TAR_INVALID'],
    ['a duplicate index.json', plus({ name: './index.json', content: INDEX }), 'TAR_INVALID'],
    ['an unexpected file', plus({ name: 'etc/passwd', content: 'x' }), 'TAR_INVALID'],
    ['an unexpected directory', plus({ name: 'blobs/sha256/deep/', type: '5' }), 'TAR_INVALID'],
    [
      'a blob not named by a digest',
      plus({ name: 'blobs/sha256/abc', content: 'x' }),
      'TAR_INVALID',
    ],
    [
      'a bad header checksum',
      validEntries().map((entry, i) => (i === 3 ? { ...entry, badChecksum: true } : entry)),
      'TAR_INVALID',
    ],
    ['a cut in the middle of a blob', valid.subarray(0, 512 * 3 + 6), 'TAR_INVALID'],
    ['no end-of-archive marker', rawTar(validEntries(), { end: false }), 'TAR_INVALID'],
    ['no oci-layout', without('oci-layout'), 'LAYOUT_INVALID'],
    [
      'a wrong layout version',
      [...without('oci-layout'), { name: 'oci-layout', content: '{"imageLayoutVersion":"2.0.0"}' }],
      'LAYOUT_INVALID',
    ],
    ['no index.json', without('index.json'), 'LAYOUT_INVALID'],
    [
      'a broken index.json',
      [...without('index.json'), { name: 'index.json', content: '{"manifests":' }],
      'LAYOUT_INVALID',
    ],
    ['a blob whose bytes do not match its name', corrupt, 'DIGEST_MISMATCH', true],
    [
      'a blob of the GNU sparse type S',
      [...without(BLOB_PATH), { name: BLOB_PATH, type: 'S', content: BLOB }],
      'TAR_INVALID',
    ],
    [
      'a regular file named with a trailing slash, holding data',
      plus({
        name: './',
        content: rawTar([{ name: 'repositories', content: '{}' }], { end: false }),
      }),
      'TAR_INVALID',
    ],
    [
      'a PAX path and a GNU long name for one entry',
      plus(
        { name: 'PaxHeader/x', type: 'x', content: paxData({ path: 'repositories' }) },
        { name: '././@LongLink', type: 'L', content: 'manifest.json\0' },
        { name: 'x', content: '{}' },
      ),
      'TAR_INVALID',
    ],
    [
      'a global PAX header between an extended header and its entry',
      plus(
        { name: 'PaxHeader/x', type: 'x', content: paxData({ path: 'repositories' }) },
        { name: 'PaxHeader/g', type: 'g', content: paxData({ comment: 'c' }) },
        { name: 'x', content: '{}' },
      ),
      'TAR_INVALID',
    ],
    [
      'a GNU sparse PAX record',
      plus(
        {
          name: 'PaxHeader/x',
          type: 'x',
          content: paxData({ 'GNU.sparse.name': 'repositories', 'GNU.sparse.realsize': '2' }),
        },
        { name: 'manifest.json', content: '[]' },
      ),
      'TAR_INVALID',
    ],
    [
      'an empty PAX path',
      plus(
        { name: 'PaxHeader/x', type: 'x', content: paxData({ path: '' }) },
        { name: 'repositories', content: '{}' },
      ),
      'TAR_INVALID',
    ],
  ];
  return cases.map(([label, entries, code, onFetch]) => ({
    label,
    bytes: entries instanceof Uint8Array ? entries : rawTar(entries),
    code,
    ...(onFetch ? { onFetch } : {}),
  }));
}
