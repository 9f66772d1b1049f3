import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireBinary } from './binaries.ts';
import { type ChildHandle, spawnLogged } from './child.ts';
import { freePort } from './ports.ts';

/** How a registry authenticates clients. */
export type RegistryAuth =
  | { kind: 'none' }
  | {
      kind: 'htpasswd';
      /** The realm of the `Basic` challenge. */
      realm: string;
      /** The htpasswd file (bcrypt entries). */
      path: string;
    }
  | {
      kind: 'token';
      /** The token endpoint the `Bearer` challenge names. */
      realm: string;
      /** The `service` of the challenge; tokens must carry it as `aud`. */
      service: string;
      /** The `iss` tokens must carry. */
      issuer: string;
      /** A PEM file with the certificates whose keys may sign tokens. */
      rootCertBundle: string;
    };

/** Options of {@link startRegistry}. */
export interface StartRegistryOptions {
  /** An empty directory for the config, the log and the data. */
  dir: string;
  /**
   * How clients authenticate.
   * @default { kind: 'none' }
   */
  auth?: RegistryAuth;
  /**
   * `http.secret`, which signs upload state: fixed, so an upload survives a
   * restart or moves to a second instance sharing the data.
   * @default 'ocikit-testbed-http-secret'
   */
  secret?: string;
  /**
   * How long to wait for `GET /v2/` to answer, in ms.
   * @default 15000
   */
  readyTimeoutMs?: number;
  /**
   * How many ports to try when another process takes the port first.
   * @default 5
   */
  attempts?: number;
}

/** A running distribution registry. */
export interface RunningRegistry {
  /** `127.0.0.1:PORT`, the host part of image references. */
  readonly host: string;
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** The registry's log (info level: one line per request, and why a token was rejected). */
  readonly logFile: string;
  /** Its storage root. */
  readonly dataDir: string;
  /** Its process id. */
  readonly pid: number;
  /** The last lines of its log. */
  logTail(lines?: number): string;
  /** Stops it by its pid. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const POLL_MS = 20;

function registryConfig(options: StartRegistryOptions, port: number, dataDir: string): object {
  const auth = options.auth ?? { kind: 'none' };
  const config: Record<string, unknown> = {
    version: '0.1',
    log: { level: 'info', formatter: 'text', accesslog: { disabled: true } },
    storage: {
      filesystem: { rootdirectory: dataDir },
      delete: { enabled: true },
      maintenance: { uploadpurging: { enabled: false } },
    },
    http: { addr: `${HOST}:${port}`, secret: options.secret ?? 'ocikit-testbed-http-secret' },
    health: { storagedriver: { enabled: false } },
  };
  if (auth.kind === 'htpasswd') config.auth = { htpasswd: { realm: auth.realm, path: auth.path } };
  if (auth.kind === 'token') {
    config.auth = {
      token: {
        realm: auth.realm,
        service: auth.service,
        issuer: auth.issuer,
        rootcertbundle: auth.rootCertBundle,
      },
    };
  }
  return config;
}

/** The environment without `REGISTRY_*` variables, which would override the config. */
function registryEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('REGISTRY_')) env[key] = value;
  }
  return env;
}

type Readiness = 'ready' | 'port-taken';

/**
 * Waits until the registry logs that it listens on its own address (so an
 * answer cannot come from another process that took the port) and answers
 * `GET /v2/` with 200, or 401 with a challenge.
 */
async function waitReady(
  child: ChildHandle,
  address: string,
  timeoutMs: number,
): Promise<Readiness> {
  const deadline = Date.now() + timeoutMs;
  let listening = false;
  while (Date.now() < deadline) {
    if (!child.running()) {
      const exit = await child.exited;
      if (/address already in use/.test(child.logTail(50))) return 'port-taken';
      throw new Error(`exited early (${exit})`);
    }
    listening ||= child.logTail(50).includes(`listening on ${address}`);
    if (listening) {
      try {
        const response = await fetch(`http://${address}/v2/`, {
          signal: AbortSignal.timeout(1000),
        });
        await response.body?.cancel();
        const challenged = response.status === 401 && response.headers.has('www-authenticate');
        if (response.status === 200 || challenged) return 'ready';
      } catch {
        // not serving yet
      }
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`did not answer GET /v2/ within ${timeoutMs} ms`);
}

/**
 * Starts distribution 2.8 (`docker-registry serve CONFIG`) on 127.0.0.1 at a
 * free port, with deletes enabled, a fixed `http.secret`, upload purging and
 * storage-driver health checks off, and waits until `GET /v2/` answers (200,
 * or 401 with a challenge). The config is written as JSON, which YAML reads.
 *
 * @param options - {@link StartRegistryOptions}
 * @returns the running registry
 * @throws {Error} when the binary is missing (naming its Debian package), or
 *   the registry does not become ready (with the tail of its log)
 */
export async function startRegistry(options: StartRegistryOptions): Promise<RunningRegistry> {
  const binary = requireBinary('docker-registry');
  const dataDir = join(options.dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const configFile = join(options.dir, 'config.yml');
  const logFile = join(options.dir, 'registry.log');
  const attempts = options.attempts ?? 5;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = await freePort(HOST);
    writeFileSync(configFile, JSON.stringify(registryConfig(options, port, dataDir), null, 2));
    const child = spawnLogged(binary, ['serve', configFile], {
      logFile,
      env: registryEnv(),
      cwd: options.dir,
    });
    const host = `${HOST}:${port}`;
    let readiness: Readiness;
    try {
      readiness = await waitReady(child, host, options.readyTimeoutMs ?? 15_000);
    } catch (error) {
      await child.stop();
      throw new Error(
        `The registry in ${options.dir} failed to start: ${(error as Error).message}\n` +
          `Last lines of ${logFile}:\n${child.logTail()}`,
      );
    }
    if (readiness === 'port-taken') continue;
    return {
      host,
      url: `http://${host}`,
      logFile,
      dataDir,
      pid: child.pid,
      logTail: (lines) => child.logTail(lines),
      stop: () => child.stop(),
    };
  }
  throw new Error(`The registry in ${options.dir} found no free port in ${attempts} attempts`);
}
