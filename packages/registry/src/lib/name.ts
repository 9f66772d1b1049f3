import { OciError } from '@ocikit/digest';
import {
  isRepositoryPath,
  parseNormalized,
  parseRegistryHost,
  REPOSITORY_MAX_LENGTH,
} from '@ocikit/reference';

/**
 * A repository on a registry, named in parts. A `Reference` of
 * `@ocikit/reference` is one, with its tag and digest.
 */
export interface RepositoryLocator {
  /** The registry host, such as `ghcr.io` or `localhost:5000`. */
  readonly registry: string;
  /** The repository path, such as `library/alpine`. */
  readonly repository: string;
  /** A tag, read only by `Repository.fromReference`. */
  readonly tag?: string | undefined;
  /** A digest, read only by `Repository.fromReference`; it wins over a tag. */
  readonly digest?: string | undefined;
}

/** Where a full reference points: a repository, and the tag or digest in it. */
export interface LocatedReference {
  /** The registry host. */
  readonly registry: string;
  /** The repository path. */
  readonly name: string;
  /** The digest when there is one, else the tag, else `latest` (as Docker pulls). */
  readonly reference: string;
  /** Whether the input named a tag or digest. */
  readonly hasReference: boolean;
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
 * The registry, repository and tag or digest named by a reference string
 * (normalized as Docker does: `alpine` is `docker.io/library/alpine`) or
 * given in parts.
 *
 * @param input - `registry.example.com/ns/app:v1`, or `{ registry, repository, tag?, digest? }`
 * @returns the registry host, the repository path and the tag or digest
 * @throws {OciError} `REFERENCE_INVALID` for a malformed string; `NAME_INVALID`
 *   for a bad repository path
 */
export function locateReference(input: string | RepositoryLocator): LocatedReference {
  const parts =
    typeof input === 'string'
      ? parseNormalized(input)
      : {
          ...input,
          registry: parseRegistryHost(input.registry),
          repository: assertRepositoryName(input.repository),
        };
  const reference = parts.digest ?? parts.tag;
  return {
    registry: parts.registry,
    name: parts.repository,
    reference: reference ?? 'latest',
    hasReference: reference !== undefined,
  };
}

/**
 * The registry and repository named by a reference string without a tag or
 * digest, or given in parts.
 *
 * @param input - `registry.example.com/ns/app`, or `{ registry, repository }`
 * @returns the registry host and the repository path
 * @throws {OciError} `REFERENCE_INVALID` for a malformed string or one with a
 *   tag or digest (the message says what to pass instead); `NAME_INVALID`
 *   for a bad repository path
 */
export function locateRepository(input: string | RepositoryLocator): {
  registry: string;
  name: string;
} {
  const { registry, name, reference, hasReference } = locateReference(input);
  if (hasReference) {
    const what = reference.includes(':') ? 'digest' : 'tag';
    throw new OciError(
      'REFERENCE_INVALID',
      `A repository is named without a tag or digest, but "${registry}/${name}" came with the ${what} "${reference}": pass "${registry}/${name}", or use Repository.fromReference(...) to keep the ${what}`,
    );
  }
  return { registry, name };
}
