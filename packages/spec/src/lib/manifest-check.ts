import { type Checker, describe, type JsonObject } from './check.ts';
import { checkDescriptor } from './descriptor.ts';
import type { ImageIndex, ImageManifest, Schema1Manifest } from './types.ts';

/** Options of {@link checkImageManifest}. */
export interface CheckImageManifestOptions {
  /**
   * The fewest layers allowed: 1 for OCI (the image-spec schema's
   * `minItems`), 0 for Docker schema 2, which has no such rule.
   */
  minLayers: 0 | 1;
}

/**
 * Checks an image manifest (OCI or Docker schema 2): `schemaVersion` 2, the
 * `config` descriptor, the `layers` descriptors, and the optional
 * `mediaType`, `artifactType`, `subject` and `annotations`. A `manifests`
 * member is refused: a document that is both an index and a manifest is
 * ambiguous (CVE-2021-41190), as containerd also rules.
 *
 * @param checker - reports problems with its code and document name
 * @param document - the parsed document
 * @param options - {@link CheckImageManifestOptions}
 * @returns the document, typed
 * @throws {OciError} the checker's code, naming the field
 * @see https://github.com/opencontainers/image-spec/blob/main/manifest.md
 */
export function checkImageManifest(
  checker: Checker,
  document: JsonObject,
  options: CheckImageManifestOptions,
): ImageManifest {
  checkVersion2(checker, document);
  if (Object.hasOwn(document, 'manifests')) {
    checker.fail('manifests', 'must not appear in an image manifest (only in an index)');
  }
  checker.required(document, 'config', '', (v, at) => checkDescriptor(checker, v, at));
  const layers = checker.required(document, 'layers', '', (v, at) =>
    checker.array(v, at, (layer, index) => checkDescriptor(checker, layer, index)),
  );
  if (layers.length < options.minLayers) {
    checker.fail('layers', `must have at least ${options.minLayers} entry`);
  }
  return document as unknown as ImageManifest;
}

/**
 * Checks an index (OCI image index or Docker manifest list): `schemaVersion`
 * 2, the `manifests` descriptors (with their `platform`s), and the optional
 * `mediaType`, `artifactType`, `subject` and `annotations`. `config` and
 * `layers` members are refused as ambiguous (CVE-2021-41190).
 *
 * @param checker - reports problems with its code and document name
 * @param document - the parsed document
 * @returns the document, typed
 * @throws {OciError} the checker's code, naming the field
 * @see https://github.com/opencontainers/image-spec/blob/main/image-index.md
 */
export function checkImageIndex(checker: Checker, document: JsonObject): ImageIndex {
  checkVersion2(checker, document);
  for (const key of ['config', 'layers']) {
    if (Object.hasOwn(document, key)) {
      checker.fail(key, 'must not appear in an index (only in an image manifest)');
    }
  }
  checker.required(document, 'manifests', '', (v, at) =>
    checker.array(v, at, (entry, index) => checkDescriptor(checker, entry, index)),
  );
  return document as unknown as ImageIndex;
}

/**
 * Checks a Docker schema 1 manifest far enough to read its blobs:
 * `schemaVersion` 1, at least one `fsLayers` entry with a `blobSum` digest, a
 * `history` as long as `fsLayers` when present. Signatures are not verified.
 *
 * @param checker - reports problems with its code and document name
 * @param document - the parsed document
 * @returns the document, typed
 * @throws {OciError} the checker's code, naming the field
 * @see https://github.com/distribution/distribution/blob/v2.8.3/docs/spec/manifest-v2-1.md
 */
export function checkSchema1(checker: Checker, document: JsonObject): Schema1Manifest {
  checker.required(document, 'schemaVersion', '', (v, at) => {
    if (v !== 1) checker.fail(at, `must be 1 in a schema 1 manifest, got ${describe(v)}`);
  });
  for (const key of ['name', 'tag', 'architecture']) {
    checker.optional(document, key, '', (v, at) => checker.string(v, at));
  }
  const layers = checker.required(document, 'fsLayers', '', (v, at) =>
    checker.array(v, at, (layer, index) => {
      const object = checker.object(layer, index);
      checker.required(object, 'blobSum', index, (sum, where) => checker.digest(sum, where));
    }),
  );
  if (layers.length === 0) checker.fail('fsLayers', 'must have at least 1 entry');
  checker.optional(document, 'history', '', (v, at) => {
    const history = checker.array(v, at, (entry, index) => {
      const object = checker.object(entry, index);
      checker.required(object, 'v1Compatibility', index, (text, where) =>
        checker.string(text, where),
      );
    });
    if (history.length !== layers.length) {
      checker.fail(at, `has ${history.length} entries for ${layers.length} fsLayers`);
    }
  });
  checker.optional(document, 'signatures', '', (v, at) => checker.array(v, at));
  return document as unknown as Schema1Manifest;
}

/** The members index and image manifest share. */
function checkVersion2(checker: Checker, document: JsonObject): void {
  checker.required(document, 'schemaVersion', '', (v, at) => {
    if (v !== 2) checker.fail(at, `must be 2, got ${describe(v)}`);
  });
  checker.optional(document, 'mediaType', '', (v, at) => checker.mediaType(v, at));
  checker.optional(document, 'artifactType', '', (v, at) => checker.mediaType(v, at));
  checker.optional(document, 'subject', '', (v, at) => checkDescriptor(checker, v, at));
  checker.optional(document, 'annotations', '', (v, at) => checker.stringMap(v, at));
}
