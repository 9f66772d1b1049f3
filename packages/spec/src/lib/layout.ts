import { Checker, describe } from './check.ts';
import { parseJsonBytes } from './json.ts';
import type { ImageLayout } from './types.ts';

/** The only image layout version, written in the `oci-layout` file. */
export const IMAGE_LAYOUT_VERSION = '1.0.0';

/**
 * Parses the `oci-layout` file at the root of an OCI image layout.
 *
 * @param bytes - the file's content
 * @returns the layout header, deep-frozen
 * @throws {OciError} `LAYOUT_INVALID` when it is not JSON or its
 *   `imageLayoutVersion` is not `1.0.0`
 * @see https://github.com/opencontainers/image-spec/blob/main/image-layout.md#oci-layout-file
 */
export function parseImageLayout(bytes: Uint8Array): ImageLayout {
  const checker = new Checker('LAYOUT_INVALID', 'oci-layout');
  const document = checker.object(parseJsonBytes(bytes, checker), '');
  checker.required(document, 'imageLayoutVersion', '', (v, at) => {
    if (v !== IMAGE_LAYOUT_VERSION) {
      checker.fail(at, `must be "${IMAGE_LAYOUT_VERSION}", got ${describe(v)}`);
    }
  });
  return document as unknown as ImageLayout;
}
