import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Environment } from './env-credentials.ts';

/** Where to look for config files: the environment and the home directory. */
export interface AuthPathOptions {
  /**
   * The environment: `DOCKER_CONFIG`, `REGISTRY_AUTH_FILE`, `XDG_RUNTIME_DIR`,
   * `XDG_CONFIG_HOME` are read from it.
   * @default process.env
   */
  env?: Environment;
  /**
   * The home directory.
   * @default os.homedir()
   */
  homeDir?: string;
}

/**
 * The Docker CLI config file: `$DOCKER_CONFIG/config.json`, else
 * `~/.docker/config.json`.
 *
 * @param options - {@link AuthPathOptions}
 * @returns the path (the file may not exist)
 * @see https://docs.docker.com/reference/cli/docker/#configuration-files
 */
export function dockerConfigFile(options: AuthPathOptions = {}): string {
  const env = options.env ?? process.env;
  const dir = env.DOCKER_CONFIG || join(options.homeDir ?? homedir(), '.docker');
  return join(dir, 'config.json');
}

/**
 * The files containers tools (podman, skopeo, buildah) read credentials
 * from, in order: `$REGISTRY_AUTH_FILE` alone when set; else
 * `$XDG_RUNTIME_DIR/containers/auth.json` (on Linux without it,
 * `/run/containers/<uid>/auth.json`), `$XDG_CONFIG_HOME/containers/auth.json`
 * (`~/.config/containers/auth.json`), then the Docker config file. The legacy
 * `~/.dockercfg` is not read.
 *
 * @param options - {@link AuthPathOptions}
 * @returns the paths, most important first (they may not exist)
 * @see https://github.com/containers/image/blob/main/docs/containers-auth.json.5.md
 */
export function containersAuthFiles(options: AuthPathOptions = {}): string[] {
  const env = options.env ?? process.env;
  if (env.REGISTRY_AUTH_FILE) return [env.REGISTRY_AUTH_FILE];
  const home = options.homeDir ?? homedir();
  const files: string[] = [];
  if (env.XDG_RUNTIME_DIR) {
    files.push(join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json'));
  } else if (process.platform === 'linux' && typeof process.getuid === 'function') {
    files.push(join('/run/containers', String(process.getuid()), 'auth.json'));
  }
  files.push(join(env.XDG_CONFIG_HOME || join(home, '.config'), 'containers', 'auth.json'));
  files.push(dockerConfigFile(options));
  return files;
}
