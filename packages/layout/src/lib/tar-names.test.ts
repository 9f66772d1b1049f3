import { digestBytes, isOciError } from '@ocikit/digest';
import { describe, expect, it } from 'vitest';
import type { TarEntryType } from './tar-format.ts';
import { checkUnique, classifyLayoutEntry, normalizeEntryName } from './tar-names.ts';

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isOciError(error)) return error.code;
    throw error;
  }
  return 'no error';
}

describe('layout archive entry names', () => {
  it('classifies what belongs in a layout', () => {
    const hex = digestBytes('x').slice(7);
    const cases: [name: string, type: TarEntryType, kind: string, path: string][] = [
      ['.', 'directory', 'directory', ''],
      ['./', 'directory', 'directory', ''],
      ['blobs', 'directory', 'directory', 'blobs'],
      ['./blobs/sha256/', 'directory', 'directory', 'blobs/sha256'],
      ['oci-layout', 'file', 'oci-layout', 'oci-layout'],
      ['./index.json', 'file', 'index', 'index.json'],
      ['manifest.json', 'file', 'ignored', 'manifest.json'],
      ['repositories', 'file', 'ignored', 'repositories'],
      [`blobs/sha256/${hex}`, 'file', 'blob', `blobs/sha256/${hex}`],
    ];
    for (const [name, type, kind, path] of cases) {
      expect(classifyLayoutEntry(name, type), name).toMatchObject({ kind, path });
    }
    expect(classifyLayoutEntry(`blobs/sha256/${hex}`, 'file')).toMatchObject({
      digest: `sha256:${hex}`,
    });
  });

  it('refuses names that escape or do not belong, with typed errors', () => {
    const cases: [name: string, type: TarEntryType, code: string][] = [
      ['../x', 'file', 'PATH_INVALID'],
      ['a/../../x', 'file', 'PATH_INVALID'],
      ['/abs', 'file', 'PATH_INVALID'],
      ['a\\b', 'file', 'PATH_INVALID'],
      ['a\u0000b', 'file', 'PATH_INVALID'],
      ['blobs//sha256', 'directory', 'TAR_INVALID'],
      ['blobs/./sha256', 'directory', 'TAR_INVALID'],
      ['index.json', 'directory', 'TAR_INVALID'],
      ['blobs', 'file', 'TAR_INVALID'],
      ['oci-layout', 'symlink', 'TAR_INVALID'],
      ['blobs/SHA256/', 'directory', 'TAR_INVALID'],
      ['blobs/sha256/ABC', 'file', 'TAR_INVALID'],
      ['blobs/sha256/a/b', 'file', 'TAR_INVALID'],
      ['other', 'file', 'TAR_INVALID'],
      ['dev', 'character-device', 'TAR_INVALID'],
    ];
    for (const [name, type, code] of cases) {
      expect(
        codeOf(() => classifyLayoutEntry(name, type)),
        JSON.stringify(name),
      ).toBe(code);
    }
    expect(normalizeEntryName('././a/b/')).toBe('a/b');
    const seen = new Set<string>();
    checkUnique(seen, '');
    checkUnique(seen, '');
    checkUnique(seen, 'a');
    expect(codeOf(() => checkUnique(seen, 'a'))).toBe('TAR_INVALID');
  });
});
