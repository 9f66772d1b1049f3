import {
  type AuthFileCredentialSource,
  type AuthFileOptions,
  authFileCredentials,
} from './auth-files.node.ts';
import { type AuthPathOptions, containersAuthFiles, dockerConfigFile } from './auth-paths.node.ts';
import type { CredentialSource } from './credential.ts';
import { envCredentials } from './env-credentials.ts';
import { chainCredentials } from './sources.ts';

/** Options of the sources that read Docker and containers config files. */
export interface DockerCredentialsOptions extends AuthPathOptions, AuthFileOptions {
  /**
   * The config files to read, most important first, instead of the default
   * locations.
   * @default the locations of the source (see each source)
   */
  files?: readonly string[];
}

/** Options of {@link defaultCredentials}. */
export interface DefaultCredentialsOptions extends DockerCredentialsOptions {
  /**
   * The prefix of the credential variables (`OCIKIT_REGISTRY`, `OCIKIT_USERNAME`, …).
   * @default 'OCIKIT_'
   */
  envPrefix?: string;
}

/**
 * Credentials the way the Docker CLI finds them: `DOCKER_AUTH_CONFIG`, then
 * `$DOCKER_CONFIG/config.json` (default `~/.docker/config.json`) with its
 * `credHelpers`, `credsStore` and `auths`. Docker Hub is found under
 * `https://index.docker.io/v1/` whichever Hub name is asked for.
 *
 * @param options - {@link DockerCredentialsOptions}
 * @returns the source, with `list()` and the `files` it reads
 * @see https://docs.docker.com/reference/cli/docker/login/#credential-stores
 */
export function dockerConfigCredentials(
  options: DockerCredentialsOptions = {},
): AuthFileCredentialSource {
  const files = options.files ?? [dockerConfigFile(options)];
  return authFileCredentials(files, { ...options, dockerAuthConfig: true });
}

/**
 * Credentials the way podman, skopeo and buildah find them: the first of
 * `$REGISTRY_AUTH_FILE` (alone when set), `$XDG_RUNTIME_DIR/containers/auth.json`,
 * `~/.config/containers/auth.json` and the Docker config file that has one,
 * namespaced keys (`quay.io/team`) matched most specific first.
 *
 * @param options - {@link DockerCredentialsOptions}
 * @returns the source, with `list()` and the `files` it reads
 * @see https://github.com/containers/image/blob/main/docs/containers-auth.json.5.md
 */
export function containersAuthCredentials(
  options: DockerCredentialsOptions = {},
): AuthFileCredentialSource {
  return authFileCredentials(options.files ?? containersAuthFiles(options), options);
}

/**
 * The credentials a command-line tool should use: the environment
 * (`OCIKIT_*` variables, `DOCKER_AUTH_CONFIG`), then the containers and
 * Docker config files, in the order of {@link containersAuthCredentials}.
 *
 * @param options - {@link DefaultCredentialsOptions}
 * @returns the source
 * @throws {OciError} `CONFIG_INVALID` at once when the `OCIKIT_*` variables
 *   are inconsistent
 */
export function defaultCredentials(options: DefaultCredentialsOptions = {}): CredentialSource {
  const env = options.env ?? process.env;
  return chainCredentials([
    envCredentials(env, { prefix: options.envPrefix, onWarning: options.onWarning }),
    containersAuthCredentials(options),
  ]);
}
