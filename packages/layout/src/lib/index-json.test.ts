import { digestBytes, isOciError } from '@ocikit/digest';
import { type Descriptor, type ImageIndex, MediaType } from '@ocikit/spec';
import { describe, expect, it } from 'vitest';
import {
  addLayoutEntry,
  createLayoutIndex,
  findLayoutEntry,
  layoutEntryTag,
  layoutTags,
  parseLayoutIndex,
  removeLayoutEntries,
  removeLayoutTag,
  serializeLayoutIndex,
  setLayoutTag,
} from './index-json.ts';
import { assertLayoutTag, isLayoutTag } from './tag.ts';

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const REF = 'org.opencontainers.image.ref.name';
const CTR = 'io.containerd.image.name';

function manifest(seed: string): Descriptor {
  return { mediaType: MediaType.OciImageManifest, digest: digestBytes(seed), size: seed.length };
}

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isOciError(error)) return error.code;
    throw error;
  }
  return 'no error';
}

describe('parseLayoutIndex', () => {
  it('reads an index, keeping unknown members and annotations', () => {
    const a = manifest('a');
    const index = parseLayoutIndex(
      encode({
        schemaVersion: 2,
        manifests: [{ ...a, annotations: { [REF]: 'v1', 'com.example.x': 'y' }, extra: 1 }],
        'com.example.top': { kept: true },
      }),
    );
    expect(layoutTags(index)).toEqual(['v1']);
    const next = setLayoutTag(index, manifest('b'), 'v2');
    const round = JSON.parse(new TextDecoder().decode(serializeLayoutIndex(next)));
    expect(round['com.example.top']).toEqual({ kept: true });
    expect(round.manifests[0]).toEqual({
      ...a,
      annotations: { [REF]: 'v1', 'com.example.x': 'y' },
      extra: 1,
    });
  });

  it('refuses what is not an OCI index with LAYOUT_INVALID', () => {
    const cases: [string, Uint8Array][] = [
      ['not JSON', new TextEncoder().encode('{"manifests": [')],
      ['an array', encode([])],
      ['no manifests', encode({ schemaVersion: 2, mediaType: MediaType.OciImageIndex })],
      ['a bad entry', encode({ schemaVersion: 2, manifests: [{ digest: 'sha256:x' }] })],
      [
        'a Docker manifest list',
        encode({ schemaVersion: 2, mediaType: MediaType.DockerManifestList, manifests: [] }),
      ],
      ['an image manifest', encode({ schemaVersion: 2, config: manifest('c'), layers: [] })],
      ['too large', encode({ schemaVersion: 2, manifests: [], pad: 'x'.repeat(100) })],
    ];
    for (const [label, bytes] of cases) {
      const maxSize = label === 'too large' ? 64 : undefined;
      expect(
        codeOf(() => parseLayoutIndex(bytes, { maxSize })),
        label,
      ).toBe('LAYOUT_INVALID');
    }
  });

  it('accepts unknown members nested 64 levels deep and refuses 65 with LAYOUT_INVALID', () => {
    const nested = (levels: number) =>
      new TextEncoder().encode(
        `{"schemaVersion":2,"manifests":[],"x":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`,
      );
    expect(() => serializeLayoutIndex(parseLayoutIndex(nested(64)))).not.toThrow();
    expect(codeOf(() => parseLayoutIndex(nested(65)))).toBe('LAYOUT_INVALID');
  });

  it('serializes compactly, and the empty index as other tools write it', () => {
    expect(new TextDecoder().decode(serializeLayoutIndex(createLayoutIndex()))).toBe(
      `{"schemaVersion":2,"mediaType":"${MediaType.OciImageIndex}","manifests":[]}`,
    );
  });
});

describe('tags in index.json', () => {
  it('tags a manifest once, however often it is tagged', () => {
    const a = manifest('a');
    const once = setLayoutTag(createLayoutIndex(), a, 'v1');
    const twice = setLayoutTag(once, a, 'v1');
    expect(twice).toBe(once);
    expect(once.manifests).toEqual([{ ...a, annotations: { [REF]: 'v1' } }]);
  });

  it('moves a tag by replacing its entry, and keeps one entry per tag', () => {
    const [a, b] = [manifest('a'), manifest('b')];
    let index = setLayoutTag(createLayoutIndex(), a, 'v1');
    index = setLayoutTag(index, a, 'v2');
    index = setLayoutTag(index, b, 'v1');
    expect(index.manifests.map((entry) => [layoutEntryTag(entry), entry.digest])).toEqual([
      ['v2', a.digest],
      ['v1', b.digest],
    ]);
  });

  it('gives the tag to an untagged entry of the manifest instead of adding one', () => {
    const a = manifest('a');
    let index = addLayoutEntry(createLayoutIndex(), { ...a, artifactType: 'application/x' });
    expect(addLayoutEntry(index, a)).toBe(index);
    index = setLayoutTag(index, a, 'v1');
    expect(index.manifests).toEqual([
      { ...a, annotations: { [REF]: 'v1' }, artifactType: 'application/x' },
    ]);
  });

  it('collapses duplicate entries of a tag that foreign tools left, last one winning on read', () => {
    const [a, b] = [manifest('a'), manifest('b')];
    const index: ImageIndex = {
      schemaVersion: 2,
      manifests: [
        { ...a, annotations: { [REF]: 'v1' } },
        { ...b, annotations: { [REF]: 'v1' } },
      ],
    };
    expect(findLayoutEntry(index, 'v1')?.digest).toBe(b.digest);
    expect(layoutTags(index)).toEqual(['v1']);
    expect(setLayoutTag(index, a, 'v1').manifests).toEqual([
      { ...a, annotations: { [REF]: 'v1' } },
    ]);
  });

  it('writes io.containerd.image.name with an image name, normalized', () => {
    const a = manifest('a');
    const cases: [string, string][] = [
      ['alpine', 'docker.io/library/alpine:3.20'],
      ['example.com/team/app', 'example.com/team/app:3.20'],
      ['localhost:5000/app', 'localhost:5000/app:3.20'],
    ];
    for (const [imageName, expected] of cases) {
      const index = setLayoutTag(createLayoutIndex(), a, '3.20', { imageName });
      expect(index.manifests[0]?.annotations, imageName).toEqual({
        [CTR]: expected,
        [REF]: '3.20',
      });
    }
    const tagged = setLayoutTag(createLayoutIndex(), a, 'v1');
    const named = setLayoutTag(tagged, a, 'v1', { imageName: 'app' });
    expect(named.manifests).toHaveLength(1);
    expect(named.manifests[0]?.annotations?.[CTR]).toBe('docker.io/library/app:v1');
    const invalid: [string, string][] = [
      ['a tag in the name', 'app:v1'],
      ['a digest in the name', `app@${digestBytes('x')}`],
      ['upper case', 'App'],
    ];
    for (const [label, imageName] of invalid) {
      expect(
        codeOf(() => setLayoutTag(tagged, a, 'v1', { imageName })),
        label,
      ).toBe('OPTION_INVALID');
    }
    expect(codeOf(() => setLayoutTag(tagged, a, 'example.com/app:v1', { imageName: 'app' }))).toBe(
      'OPTION_INVALID',
    );
  });

  it('reads a tag from io.containerd.image.name when there is no ref name', () => {
    const a = manifest('a');
    const cases: [label: string, annotations: Record<string, string>, tag: string | undefined][] = [
      ['containerd name', { [CTR]: 'docker.io/library/x:1' }, '1'],
      ['familiar containerd name', { [CTR]: 'x:2' }, '2'],
      ['ref name wins', { [CTR]: 'docker.io/library/x:1', [REF]: 'other' }, 'other'],
      ['digest-only name', { [CTR]: `docker.io/library/x@${digestBytes('x')}` }, undefined],
      ['unparseable name', { [CTR]: 'Not A Name' }, undefined],
      ['full ref name (podman)', { [REF]: 'example.com/app:v1' }, 'example.com/app:v1'],
      ['empty ref name', { [REF]: '' }, undefined],
      ['none', {}, undefined],
    ];
    for (const [label, annotations, tag] of cases) {
      expect(layoutEntryTag({ ...a, annotations }), label).toBe(tag);
    }
    const index: ImageIndex = {
      schemaVersion: 2,
      manifests: [{ ...a, annotations: { [CTR]: 'docker.io/library/x:1' } }],
    };
    expect(removeLayoutTag(index, '1').manifests).toEqual([]);
    expect(setLayoutTag(index, manifest('b'), '1').manifests.map((m) => m.digest)).toEqual([
      manifest('b').digest,
    ]);
  });

  it('removes tags and entries immutably', () => {
    const [a, b] = [manifest('a'), manifest('b')];
    let index = setLayoutTag(createLayoutIndex(), a, 'v1');
    index = setLayoutTag(index, a, 'v2');
    index = addLayoutEntry(index, b);
    const frozen = index;
    expect(removeLayoutTag(index, 'nope')).toBe(index);
    expect(layoutTags(removeLayoutTag(index, 'v1'))).toEqual(['v2']);
    expect(removeLayoutEntries(index, a.digest).manifests).toEqual([b]);
    expect(removeLayoutEntries(index, digestBytes('zzz'))).toBe(index);
    expect(frozen.manifests).toHaveLength(3);
    expect(Object.isFrozen(index.manifests)).toBe(true);
  });
});

describe('layout tags', () => {
  it('accepts registry tags and OCI ref names, and nothing else', () => {
    const valid = [
      'v1',
      '_private',
      'a__b',
      'v1.0-rc.1',
      'example.com/app:v1',
      'a@b',
      'x'.repeat(128),
    ];
    const invalid = ['', 'bad tag!', '-lead', 'a/', '/a', 'a//b', `${'x'.repeat(129)}!`, 'é'];
    for (const tag of valid) expect(isLayoutTag(tag), tag).toBe(true);
    for (const tag of invalid) {
      expect(isLayoutTag(tag), tag).toBe(false);
      expect(
        codeOf(() => assertLayoutTag(tag)),
        tag,
      ).toBe('TAG_INVALID');
    }
  });
});
