import { Checker, describe, enforceMaxSize, type JsonObject } from './check.ts';
import { checkPlatformExtras } from './descriptor.ts';
import { parseJsonBytes } from './json.ts';
import { DEFAULT_MAX_MANIFEST_SIZE } from './manifest.ts';
import type { ImageConfig, Platform } from './types.ts';

/** `NAME=value`: a name that is not empty and has no `=`. The value may span lines. */
const ENV_PATTERN = /^[^=]+=/;

/** Options of {@link parseImageConfig}. */
export interface ParseImageConfigOptions {
  /**
   * The largest config accepted, in bytes.
   * @default DEFAULT_MAX_MANIFEST_SIZE (4 MiB)
   */
  maxSize?: number;
}

/**
 * Parses and validates an image config (OCI `application/vnd.oci.image.config.v1+json`
 * or Docker `application/vnd.docker.container.image.v1+json`, which share
 * this shape) from its bytes: `architecture`, `os` and `rootfs` are required;
 * every field the spec defines must have its type; `config.Env` entries are
 * `NAME=value`; `rootfs.diff_ids` are digests; dates are RFC 3339. Fields the
 * spec does not define (Docker's `container_config`, …) are kept, unchecked.
 *
 * @param bytes - the config blob
 * @param options - {@link ParseImageConfigOptions}
 * @returns the config, deep-frozen
 * @throws {OciError} `SIZE_EXCEEDED` over `maxSize`; `MANIFEST_INVALID`
 *   naming the field and the problem; `OPTION_INVALID` for a bad `maxSize`
 * @see https://github.com/opencontainers/image-spec/blob/main/config.md
 */
export function parseImageConfig(
  bytes: Uint8Array,
  options: ParseImageConfigOptions = {},
): ImageConfig {
  enforceMaxSize(bytes, options.maxSize ?? DEFAULT_MAX_MANIFEST_SIZE, 'Image config');
  const checker = new Checker('MANIFEST_INVALID', 'Image config');
  const document = checker.object(parseJsonBytes(bytes, checker), '');
  checker.optional(document, 'created', '', (v, at) => checker.dateTime(v, at));
  checker.optional(document, 'author', '', (v, at) => checker.string(v, at));
  checker.required(document, 'architecture', '', (v, at) => checker.string(v, at));
  checker.required(document, 'os', '', (v, at) => checker.string(v, at));
  checkPlatformExtras(checker, document, '');
  checker.optional(document, 'config', '', (v, at) => checkExecution(checker, v, at));
  checker.required(document, 'rootfs', '', (v, at) => {
    const rootfs = checker.object(v, at);
    checker.required(rootfs, 'diff_ids', at, (ids, where) =>
      checker.array(ids, where, (id, index) => checker.digest(id, index)),
    );
    checker.required(rootfs, 'type', at, (type, where) => {
      if (type !== 'layers') checker.fail(where, `must be "layers", got ${describe(type)}`);
    });
  });
  checker.optional(document, 'history', '', (v, at) =>
    checker.array(v, at, (entry, index) => checkHistory(checker, entry, index)),
  );
  return document as unknown as ImageConfig;
}

/**
 * The platform an image config declares, in the shape of an index entry's
 * `platform` (to match single-platform images against a wanted platform).
 *
 * @param config - a parsed image config
 * @returns its `architecture`, `os`, and `os.version`, `os.features`,
 *   `variant` when present
 */
export function configPlatform(config: ImageConfig): Platform {
  return {
    architecture: config.architecture,
    os: config.os,
    ...(config['os.version'] === undefined ? {} : { 'os.version': config['os.version'] }),
    ...(config['os.features'] === undefined ? {} : { 'os.features': config['os.features'] }),
    ...(config.variant === undefined ? {} : { variant: config.variant }),
  };
}

function checkExecution(checker: Checker, value: unknown, path: string): void {
  const config: JsonObject = checker.object(value, path);
  const nullable = (check: (value: unknown, path: string) => unknown) => (v: unknown, at: string) =>
    v === null ? null : check(v, at);
  checker.optional(config, 'User', path, (v, at) => checker.string(v, at));
  checker.optional(config, 'ExposedPorts', path, (v, at) => checker.objectMap(v, at));
  checker.optional(config, 'Env', path, (v, at) =>
    checker.array(v, at, (entry, index) => {
      if (!ENV_PATTERN.test(checker.string(entry, index))) {
        checker.fail(index, `must be NAME=value, got ${describe(entry)}`);
      }
    }),
  );
  checker.optional(
    config,
    'Entrypoint',
    path,
    nullable((v, at) => checker.stringArray(v, at)),
  );
  checker.optional(
    config,
    'Cmd',
    path,
    nullable((v, at) => checker.stringArray(v, at)),
  );
  checker.optional(
    config,
    'Volumes',
    path,
    nullable((v, at) => checker.objectMap(v, at)),
  );
  checker.optional(config, 'WorkingDir', path, (v, at) => checker.string(v, at));
  checker.optional(
    config,
    'Labels',
    path,
    nullable((v, at) => checker.stringMap(v, at)),
  );
  checker.optional(config, 'StopSignal', path, (v, at) => checker.string(v, at));
  checker.optional(config, 'ArgsEscaped', path, (v, at) => checker.boolean(v, at));
}

function checkHistory(checker: Checker, value: unknown, path: string): void {
  const entry = checker.object(value, path);
  checker.optional(entry, 'created', path, (v, at) => checker.dateTime(v, at));
  for (const key of ['author', 'created_by', 'comment']) {
    checker.optional(entry, key, path, (v, at) => checker.string(v, at));
  }
  checker.optional(entry, 'empty_layer', path, (v, at) => checker.boolean(v, at));
}
