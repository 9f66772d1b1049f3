import { describe, expect, it } from 'vitest';
import { assertRepositoryName, locateRepository } from './name.ts';
import { type RepositoryOptions, repositorySettings } from './options.ts';

describe('repositorySettings', () => {
  it('fills in the defaults', () => {
    const settings = repositorySettings({});
    expect(settings.maxManifestSize).toBe(4 * 1024 * 1024);
    expect(settings.maxResumes).toBe(3);
    expect(settings.referrers).toBe('auto');
    expect(settings.untagFallback).toBe(false);
    expect(settings.chunkSize).toBe(8 * 1024 * 1024);
    expect(settings.streamUploads).toBe(true);
    expect(settings.manifestMediaTypes).toContain('application/vnd.oci.image.index.v1+json');
  });

  it('refuses bad options with OPTION_INVALID', () => {
    const cases: [string, RepositoryOptions][] = [
      ['zero manifest size', { maxManifestSize: 0 }],
      ['fractional chunk', { chunkSize: 1.5 }],
      ['negative resumes', { maxResumes: -1 }],
      ['no media types', { manifestMediaTypes: [] }],
      ['bad media type', { manifestMediaTypes: ['json'] }],
      ['bad referrers mode', { referrers: 'sometimes' as 'auto' }],
      ['zero pages', { maxPages: 0 }],
    ];
    for (const [label, options] of cases) {
      expect(() => repositorySettings(options), label).toThrow(
        expect.objectContaining({ code: 'OPTION_INVALID' }),
      );
    }
  });
});

describe('locateRepository', () => {
  it('reads references and parts', () => {
    expect(locateRepository('alpine')).toEqual({ registry: 'docker.io', name: 'library/alpine' });
    expect(locateRepository('localhost:5000/ns/app')).toEqual({
      registry: 'localhost:5000',
      name: 'ns/app',
    });
    expect(locateRepository({ registry: 'ghcr.io', repository: 'o/r' })).toEqual({
      registry: 'ghcr.io',
      name: 'o/r',
    });
  });

  it('refuses tags, digests and bad names', () => {
    const cases: [string | { registry: string; repository: string }, string][] = [
      ['ghcr.io/o/r:v1', 'REFERENCE_INVALID'],
      [`ghcr.io/o/r@sha256:${'a'.repeat(64)}`, 'REFERENCE_INVALID'],
      ['ghcr.io/O/r', 'REFERENCE_INVALID'],
      [{ registry: 'ghcr.io', repository: 'Upper' }, 'NAME_INVALID'],
      [{ registry: 'ghcr.io', repository: 'a//b' }, 'NAME_INVALID'],
      [{ registry: 'bad host!', repository: 'a' }, 'REFERENCE_INVALID'],
    ];
    for (const [input, code] of cases) {
      expect(() => locateRepository(input), JSON.stringify(input)).toThrow(
        expect.objectContaining({ code }),
      );
    }
    expect(() => locateRepository('ghcr.io/o/r:v1')).toThrow(
      /pass "ghcr\.io\/o\/r", or use Repository\.fromReference/,
    );
    expect(() => assertRepositoryName('a'.repeat(256))).toThrow(
      expect.objectContaining({ code: 'NAME_INVALID' }),
    );
  });
});
