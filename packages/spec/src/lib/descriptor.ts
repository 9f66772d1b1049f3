import {
  assertSupportedAlgorithm,
  type Digest,
  digestBytes,
  isSupportedAlgorithm,
  OciError,
  parseDigest,
} from '@ocikit/digest';
import { decodeBase64 } from './base64.ts';
import { Checker, type JsonObject } from './check.ts';
import { MediaType } from './media-types.ts';
import type { Descriptor, Platform } from './types.ts';

/**
 * The descriptor of the empty JSON blob `{}`, with the blob embedded: the
 * `config` (and the single layer) of an artifact that needs neither.
 *
 * @see https://github.com/opencontainers/image-spec/blob/main/manifest.md#guidance-for-an-empty-descriptor
 */
export const EMPTY_DESCRIPTOR: Descriptor = Object.freeze({
  mediaType: MediaType.OciEmpty,
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2,
  data: 'e30=',
});

/**
 * Checks a descriptor as it sits in a document: the required `mediaType`,
 * `digest` and `size`, and every optional field present (`urls`,
 * `annotations`, `data`, `platform`, `artifactType`). Embedded `data` must be
 * base64 of exactly `size` bytes that hash to `digest` (when the algorithm is
 * one ocikit computes). Unknown fields are allowed, as the spec requires.
 *
 * @param checker - reports problems with its code and document name
 * @param value - the parsed JSON value
 * @param path - where it sits, such as `layers[0]`
 * @returns the value, typed
 * @throws {OciError} the checker's code, naming the field
 */
export function checkDescriptor(checker: Checker, value: unknown, path: string): Descriptor {
  const object = checker.object(value, path);
  checker.required(object, 'mediaType', path, (v, at) => checker.mediaType(v, at));
  const digest = checker.required(object, 'digest', path, (v, at) => checker.digest(v, at));
  const size = checker.required(object, 'size', path, (v, at) => checker.size(v, at));
  checker.optional(object, 'urls', path, (v, at) =>
    checker.array(v, at, (u, i) => checker.uri(u, i)),
  );
  checker.optional(object, 'annotations', path, (v, at) => checker.stringMap(v, at));
  checker.optional(object, 'data', path, (v, at) => {
    const mismatch = dataMismatch(decodeBase64(checker.base64(v, at)), digest, size);
    if (mismatch) checker.fail(at, mismatch.reason);
  });
  checker.optional(object, 'platform', path, (v, at) => checkPlatform(checker, v, at));
  checker.optional(object, 'artifactType', path, (v, at) => checker.mediaType(v, at));
  return object as unknown as Descriptor;
}

/**
 * Checks a platform object: `architecture` and `os` are required strings;
 * `os.version`, `os.features` and `variant` are optional.
 *
 * @param checker - reports problems with its code and document name
 * @param value - the parsed JSON value
 * @param path - where it sits
 * @returns the value, typed
 * @throws {OciError} the checker's code, naming the field
 */
function checkPlatform(checker: Checker, value: unknown, path: string): Platform {
  const object = checker.object(value, path);
  checker.required(object, 'architecture', path, (v, at) => checker.string(v, at));
  checker.required(object, 'os', path, (v, at) => checker.string(v, at));
  checkPlatformExtras(checker, object, path);
  return object as unknown as Platform;
}

/**
 * Checks the optional platform fields (`os.version`, `os.features`,
 * `variant`), shared by descriptors and image configs.
 *
 * @param checker - reports problems
 * @param object - the object holding them
 * @param path - where it sits
 * @throws {OciError} the checker's code, naming the field
 */
export function checkPlatformExtras(checker: Checker, object: JsonObject, path: string): void {
  checker.optional(object, 'os.version', path, (v, at) => checker.string(v, at));
  checker.optional(object, 'os.features', path, (v, at) => checker.stringArray(v, at));
  checker.optional(object, 'variant', path, (v, at) => checker.string(v, at));
}

/**
 * Validates a descriptor that did not come inside a manifest (from an API
 * response, a file, user input).
 *
 * @param value - a parsed JSON value
 * @returns the same value, typed
 * @throws {OciError} `MANIFEST_INVALID` naming the field and the problem
 * @see https://github.com/opencontainers/image-spec/blob/main/descriptor.md
 */
export function validateDescriptor(value: unknown): Descriptor {
  return checkDescriptor(new Checker('MANIFEST_INVALID', 'Descriptor'), value, '');
}

/**
 * The content embedded in a descriptor's `data` field, verified against the
 * descriptor's `size` and `digest` as the spec requires before use.
 *
 * @param descriptor - a descriptor
 * @returns the bytes, or `undefined` when the descriptor embeds none
 * @throws {OciError} `MANIFEST_INVALID` for malformed base64; `SIZE_MISMATCH`
 *   or `DIGEST_MISMATCH` when the data is not the described content;
 *   `DIGEST_UNSUPPORTED` when the digest cannot be computed here
 * @see https://github.com/opencontainers/image-spec/blob/main/descriptor.md#embedded-content
 */
export function descriptorData(descriptor: Descriptor): Uint8Array | undefined {
  if (descriptor.data === undefined) return undefined;
  const checker = new Checker('MANIFEST_INVALID', 'Descriptor');
  const bytes = decodeBase64(checker.base64(descriptor.data, 'data'));
  assertSupportedAlgorithm(parseDigest(descriptor.digest).algorithm);
  const mismatch = dataMismatch(bytes, descriptor.digest, descriptor.size);
  if (mismatch) throw new OciError(mismatch.code, `Descriptor data ${mismatch.reason}`);
  return bytes;
}

interface DataMismatch {
  code: 'SIZE_MISMATCH' | 'DIGEST_MISMATCH';
  reason: string;
}

/** How embedded bytes differ from their descriptor; digests ocikit cannot compute are not compared. */
function dataMismatch(bytes: Uint8Array, digest: Digest, size: number): DataMismatch | undefined {
  if (bytes.byteLength !== size) {
    return {
      code: 'SIZE_MISMATCH',
      reason: `holds ${bytes.byteLength} bytes, but the descriptor's size is ${size}`,
    };
  }
  const { algorithm } = parseDigest(digest);
  if (!isSupportedAlgorithm(algorithm)) return undefined;
  const actual = digestBytes(bytes, algorithm);
  if (actual === digest) return undefined;
  return { code: 'DIGEST_MISMATCH', reason: `hashes to ${actual}, not to the digest ${digest}` };
}
