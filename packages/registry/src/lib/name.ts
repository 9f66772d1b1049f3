import { OciError } from '@ocikit/digest';
import {
  isRepositoryPath,
  parseNormalized,
  parseRegistryHost,
  REPOSITORY_MAX_LENGTH,
} from '@ocikit/reference';

/** A repository on a registry, named in parts. A `Reference` of `@ocikit/reference` is one. */
export interface RepositoryLocator {
  /** The registry host, such as `ghcr.io` or `localhost:5000`. */
  readonly registry: string;
  /** The repository path, such as `library/alpine`. */
  readonly repository: string;
}

/**
 * Checks a repository path against the distribution-spec `<name>` grammar.
 *
 * @param name - such as `library/alpine`
 * @returns the name
 * @throws {OciError} `NAME_INVALID`
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests
 */
export function assertRepositoryName(name: string): string {
  if (!isRepositoryPath(name)) {
    throw new OciError(
      'NAME_INVALID',
      `Invalid repository name "${name.slice(0, 300)}": path components of lower-case letters and digits separated by ".", "_", "__" or "-", ${REPOSITORY_MAX_LENGTH} characters at most`,
    );
  }
  return name;
}

/**
 * The registry and repository named by a reference string (normalized as
 * Docker does: `alpine` is `docker.io/library/alpine`) or given in parts.
 *
 * @param input - `registry.example.com/ns/app`, or `{ registry, repository }`
 * @returns the registry host and the repository path
 * @throws {OciError} `REFERENCE_INVALID` for a malformed string or one with a
 *   tag or digest; `NAME_INVALID` for a bad repository path
 */
export function locateRepository(input: string | RepositoryLocator): {
  registry: string;
  name: string;
} {
  if (typeof input !== 'string') {
    return {
      registry: parseRegistryHost(input.registry),
      name: assertRepositoryName(input.repository),
    };
  }
  const reference = parseNormalized(input);
  if (reference.tag !== undefined || reference.digest !== undefined) {
    throw new OciError(
      'REFERENCE_INVALID',
      `A repository is named without a tag or digest; got "${input}"`,
    );
  }
  return { registry: reference.registry, name: reference.repository };
}
