import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MANIFEST_ACCEPT,
  isImageConfigMediaType,
  isImageManifestMediaType,
  isIndexMediaType,
  isLayerMediaType,
  isManifestMediaType,
  isNondistributableMediaType,
  isSchema1MediaType,
  isValidMediaType,
  MANIFEST_MEDIA_TYPES,
  MediaType,
  parseContentType,
} from './media-types.ts';

describe('media types', () => {
  it('sorts every known type into its groups', () => {
    type Groups = [
      index: boolean,
      image: boolean,
      schema1: boolean,
      config: boolean,
      layer: boolean,
      foreign: boolean,
    ];
    const cases: [label: string, mediaType: string, groups: Groups][] = [
      ['OCI index', MediaType.OciImageIndex, [true, false, false, false, false, false]],
      ['Docker list', MediaType.DockerManifestList, [true, false, false, false, false, false]],
      ['OCI manifest', MediaType.OciImageManifest, [false, true, false, false, false, false]],
      ['Docker manifest', MediaType.DockerManifest, [false, true, false, false, false, false]],
      ['schema 1', MediaType.DockerSchema1Manifest, [false, false, true, false, false, false]],
      [
        'signed schema 1',
        MediaType.DockerSchema1SignedManifest,
        [false, false, true, false, false, false],
      ],
      ['OCI config', MediaType.OciImageConfig, [false, false, false, true, false, false]],
      ['Docker config', MediaType.DockerConfig, [false, false, false, true, false, false]],
      ['tar', MediaType.OciLayer, [false, false, false, false, true, false]],
      ['tar+gzip', MediaType.OciLayerGzip, [false, false, false, false, true, false]],
      ['tar+zstd', MediaType.OciLayerZstd, [false, false, false, false, true, false]],
      ['Docker layer', MediaType.DockerLayer, [false, false, false, false, true, false]],
      [
        'nondistributable tar',
        MediaType.OciLayerNondistributable,
        [false, false, false, false, true, true],
      ],
      [
        'nondistributable gzip',
        MediaType.OciLayerNondistributableGzip,
        [false, false, false, false, true, true],
      ],
      [
        'nondistributable zstd',
        MediaType.OciLayerNondistributableZstd,
        [false, false, false, false, true, true],
      ],
      [
        'Docker foreign layer',
        MediaType.DockerForeignLayer,
        [false, false, false, false, true, true],
      ],
      ['empty', MediaType.OciEmpty, [false, false, false, false, false, false]],
      ['plugin config', MediaType.DockerPluginConfig, [false, false, false, false, false, false]],
      ['layout header', MediaType.OciLayoutHeader, [false, false, false, false, false, false]],
      ['descriptor', MediaType.OciDescriptor, [false, false, false, false, false, false]],
      [
        'case matters',
        MediaType.OciImageIndex.toUpperCase(),
        [false, false, false, false, false, false],
      ],
    ];
    for (const [label, mediaType, [index, image, schema1, config, layer, foreign]] of cases) {
      expect(isIndexMediaType(mediaType), label).toBe(index);
      expect(isImageManifestMediaType(mediaType), label).toBe(image);
      expect(isSchema1MediaType(mediaType), label).toBe(schema1);
      expect(isManifestMediaType(mediaType), label).toBe(index || image || schema1);
      expect(isImageConfigMediaType(mediaType), label).toBe(config);
      expect(isLayerMediaType(mediaType), label).toBe(layer);
      expect(isNondistributableMediaType(mediaType), label).toBe(foreign);
      expect(isValidMediaType(mediaType), label).toBe(true);
    }
  });

  it('accepts every manifest type it parses, OCI first', () => {
    expect(MANIFEST_MEDIA_TYPES).toEqual([
      'application/vnd.oci.image.index.v1+json',
      'application/vnd.oci.image.manifest.v1+json',
      'application/vnd.docker.distribution.manifest.list.v2+json',
      'application/vnd.docker.distribution.manifest.v2+json',
      'application/vnd.docker.distribution.manifest.v1+prettyjws',
      'application/vnd.docker.distribution.manifest.v1+json',
    ]);
    expect(Object.isFrozen(MANIFEST_MEDIA_TYPES)).toBe(true);
    expect(DEFAULT_MANIFEST_ACCEPT.split(', ')).toEqual(MANIFEST_MEDIA_TYPES);
    for (const mediaType of MANIFEST_MEDIA_TYPES) expect(isManifestMediaType(mediaType)).toBe(true);
  });

  it('reads the media type out of a Content-Type', () => {
    const cases: [label: string, header: string, expected: string][] = [
      ['plain', 'application/json', 'application/json'],
      [
        'parameters',
        'application/vnd.oci.image.index.v1+json; charset=utf-8',
        MediaType.OciImageIndex,
      ],
      ['case and blanks', '  Application/JSON ;q=1', 'application/json'],
      ['blank', '   ', ''],
    ];
    for (const [label, header, expected] of cases)
      expect(parseContentType(header), label).toBe(expected);
  });

  it('checks the RFC 6838 grammar the image-spec uses', () => {
    const cases: [label: string, value: string, valid: boolean][] = [
      ['vendor type', 'application/vnd.example.sbom.v1+json', true],
      ['special characters', 'a!#$&^_.+-/b!#$&^_.+-', true],
      ['127 + 127', `${'a'.repeat(127)}/${'b'.repeat(127)}`, true],
      ['type too long', `${'a'.repeat(128)}/b`, false],
      ['subtype too long', `a/${'b'.repeat(128)}`, false],
      ['no subtype', 'application', false],
      ['empty subtype', 'application/', false],
      ['leading dot', '.a/b', false],
      ['parameters', 'text/plain; charset=utf-8', false],
      ['two slashes', 'a/b/c', false],
      ['empty', '', false],
    ];
    for (const [label, value, valid] of cases) expect(isValidMediaType(value), label).toBe(valid);
  });
});
