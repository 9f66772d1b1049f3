import { tmpdir } from 'node:os';
import { type RunOptions, type RunResult, runBinary } from './binaries.ts';
import type { Credentials } from './types.ts';

/** Options of {@link skopeoCopy}. */
export interface SkopeoCopyOptions {
  /**
   * Copy every image of an index (`--all`).
   * @default false
   */
  all?: boolean;
  /**
   * Keep layers and manifests byte for byte (`--preserve-digests`); without
   * it skopeo gzips uncompressed layers on the way to a registry.
   * @default true
   */
  preserveDigests?: boolean;
  /** Credentials for a `docker://` source; anonymous without. */
  srcCreds?: Credentials;
  /** Credentials for a `docker://` destination; anonymous without. */
  destCreds?: Credentials;
  /** Kills skopeo. */
  signal?: AbortSignal;
}

/** Options of {@link skopeoInspect}. */
export interface SkopeoInspectOptions {
  /** Credentials for a `docker://` image; anonymous without. */
  creds?: Credentials;
  /**
   * `--raw`: the manifest bytes as stored, instead of skopeo's summary.
   * @default false
   */
  raw?: boolean;
  /**
   * `--config`: the image config instead of the manifest.
   * @default false
   */
  config?: boolean;
}

/**
 * skopeo with nothing of this machine's configuration in the way: no trust
 * policy (`--insecure-policy`), no registries.conf or signature-storage
 * configuration, temp files in the OS temp dir. Credentials are always given
 * (`--creds`) or refused (`--no-creds`), so no auth file is read.
 */
const ISOLATION_ARGS = [
  '--insecure-policy',
  '--registries.d',
  '/nonexistent/ocikit-testbed/registries.d',
  '--tmpdir',
  tmpdir(),
];
const ISOLATION_ENV = { CONTAINERS_REGISTRIES_CONF: '/dev/null' };

function credsArgs(flag: string, noCredsFlag: string, creds: Credentials | undefined): string[] {
  return creds ? [flag, `${creds.username}:${creds.password}`] : [noCredsFlag];
}

/**
 * Runs `skopeo copy` between two locations (`oci:DIR:TAG`,
 * `docker://127.0.0.1:PORT/REPO:TAG`, …) over plain HTTP
 * (`--src-tls-verify=false --dest-tls-verify=false`).
 *
 * skopeo keeps a blob-info cache in `/var/lib/containers/cache` when run as
 * root (no flag moves it), which turns some copies within one registry into
 * mounts.
 *
 * @param source - the source location
 * @param destination - the destination location
 * @param options - {@link SkopeoCopyOptions}
 * @returns skopeo's output
 * @throws {Error} with skopeo's stderr (credentials hidden) when it fails,
 *   or naming the Debian package when skopeo is missing
 */
export function skopeoCopy(
  source: string,
  destination: string,
  options: SkopeoCopyOptions = {},
): Promise<RunResult> {
  const args = [
    ...ISOLATION_ARGS,
    'copy',
    '--quiet',
    '--src-tls-verify=false',
    '--dest-tls-verify=false',
    ...(source.startsWith('docker://')
      ? credsArgs('--src-creds', '--src-no-creds', options.srcCreds)
      : []),
    ...(destination.startsWith('docker://')
      ? credsArgs('--dest-creds', '--dest-no-creds', options.destCreds)
      : []),
    ...((options.preserveDigests ?? true) ? ['--preserve-digests'] : []),
    ...(options.all ? ['--all'] : []),
    source,
    destination,
  ];
  const secrets = [options.srcCreds?.password ?? '', options.destCreds?.password ?? ''];
  return runBinary('skopeo', args, { env: ISOLATION_ENV, signal: options.signal, secrets });
}

/**
 * Runs `skopeo inspect` on a location, over plain HTTP (`--tls-verify=false`).
 *
 * @param location - such as `docker://127.0.0.1:PORT/REPO:TAG` or `oci:DIR:TAG`
 * @param options - {@link SkopeoInspectOptions}
 * @returns the parsed JSON skopeo printed
 * @throws {Error} with skopeo's stderr when it fails
 */
export async function skopeoInspect(
  location: string,
  options: SkopeoInspectOptions = {},
): Promise<unknown> {
  const args = [
    ...ISOLATION_ARGS,
    'inspect',
    ...(location.startsWith('docker://')
      ? ['--tls-verify=false', ...credsArgs('--creds', '--no-creds', options.creds)]
      : []),
    ...(options.raw ? ['--raw'] : []),
    ...(options.config ? ['--config'] : []),
    location,
  ];
  const { stdout } = await runBinary('skopeo', args, {
    env: ISOLATION_ENV,
    secrets: [options.creds?.password ?? ''],
  });
  return JSON.parse(stdout);
}

/**
 * Runs any skopeo command (`login`, `logout`, `inspect --authfile …`) with
 * the same isolation as {@link skopeoCopy}: no trust policy, registries.conf
 * or signature-storage configuration of this machine. Unlike the other
 * wrappers it adds no credential flags: the caller decides (`--authfile`,
 * `--creds`, `--no-creds`), and a command without them may read this
 * machine's auth files. Pass passwords in `options.secrets`.
 *
 * @param args - the command and its arguments, such as `['login', '--authfile', FILE, …]`
 * @param options - environment, signal, secrets to hide
 * @returns its output
 * @throws {Error} with skopeo's stderr (secrets hidden) when it fails
 */
export function skopeo(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return runBinary('skopeo', [...ISOLATION_ARGS, ...args], {
    ...options,
    env: { ...ISOLATION_ENV, ...options.env },
  });
}
