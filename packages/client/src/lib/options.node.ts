import { readFileSync } from 'node:fs';
import type { CredentialSource, Environment } from '@ocikit/auth';
import { defaultCredentials } from '@ocikit/auth/docker';
import { errnoCode } from '@ocikit/content/fs';
import { OciError } from '@ocikit/digest';
import type { BlobLocationCache, UploadSessionStore } from '@ocikit/transfer';
import type {
  HostOptions,
  HostsConfig,
  RetryOptions,
  TraceEvent,
  Transport,
  TransportOptions,
} from '@ocikit/transport';
import {
  createNodeTransport,
  type NodeHttpEngine,
  type ProxyOptions,
  proxyFromEnv,
} from '@ocikit/transport/node';

/** Options of a {@link Client}: where credentials come from and how hosts are reached. */
export interface ClientOptions {
  /**
   * The environment: `DOCKER_CONFIG`, `REGISTRY_AUTH_FILE`, `XDG_RUNTIME_DIR`,
   * `DOCKER_AUTH_CONFIG` and `OCIKIT_*` credentials are read from it.
   * @default process.env
   */
  env?: Environment;
  /**
   * Where registry credentials come from.
   * @default the environment, then containers `auth.json` and Docker
   *   `config.json` with their credential helpers (`defaultCredentials` of
   *   `@ocikit/auth/docker`)
   */
  credentials?: CredentialSource;
  /**
   * Hosts (`host[:port]`) reached without a trusted certificate: https
   * without verification, then plain http (skopeo `--tls-verify=false`).
   * @default [] (loopback hosts get the http fallback anyway)
   */
  insecure?: readonly string[];
  /**
   * Hosts (`host[:port]`) reached over plain http only.
   * @default []
   */
  plainHttp?: readonly string[];
  /**
   * A PEM file of CA certificates to trust for every registry (with the system ones).
   * @default undefined
   */
  caFile?: string;
  /**
   * A PEM client certificate for mutual TLS with every registry; needs `keyFile`.
   * @default undefined
   */
  certFile?: string;
  /**
   * The PEM private key of `certFile`.
   * @default undefined
   */
  keyFile?: string;
  /**
   * Per-host options (mirrors, endpoint, TLS) that override the ones above.
   * @default {}
   */
  hosts?: Readonly<Record<string, HostOptions>>;
  /**
   * The HTTP proxy every registry request goes through (Basic and bearer
   * logins pass through it to the registry), or `false` for none.
   * @default `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY` of `env` (lower
   *   case too), as curl reads them
   */
  proxy?: ProxyOptions | false;
  /**
   * The HTTP client underneath: `undici` moves blob bytes with the least
   * CPU; `node:http` starts about 40 ms sooner, for a short-lived process
   * that sends a few small requests (see `NodeFetchOptions.engine` of
   * `@ocikit/transport/node`). With a proxy, requests go through undici.
   * @default 'undici'
   */
  httpEngine?: NodeHttpEngine;
  /**
   * How network errors, 502, 503, 504 and 429 are retried.
   * @default 3 retries, backoff from 200 ms to 10 s
   */
  retry?: RetryOptions;
  /**
   * How long one request may wait for response headers, in ms.
   * @default 60000
   */
  timeoutMs?: number;
  /**
   * The most blob and manifest operations of one copy at once.
   * @default 4
   */
  concurrency?: number;
  /**
   * Where blobs were seen (skopeo's blob-info cache plays this role): a
   * `copy` into a repository mounts a blob from another repository of that
   * registry known to hold it instead of sending its bytes, and records
   * where it saw each blob. `FileBlobLocations` of `@ocikit/transfer/fs`
   * keeps it in a file across processes (the `ocikit` command uses
   * `$XDG_CACHE_HOME/ocikit/blob-locations.json`).
   * @default undefined (a copy mounts only from its own source repository)
   */
  blobLocations?: BlobLocationCache;
  /**
   * Upload blobs to registries through resumable sessions recorded here
   * (`uploadSessions` of `@ocikit/transfer`): in `PATCH` chunks, each
   * session's location recorded after every chunk, so a `copy` or `sync`
   * that broke off, in this process or an earlier one, continues a
   * half-sent blob from the offset the registry reports. `FileUploadSessions`
   * of `@ocikit/transfer/fs` keeps them in a file (`ocikit copy
   * --resume-uploads` uses `$XDG_CACHE_HOME/ocikit/upload-sessions.json`).
   * @default undefined (a large blob goes in one streamed `PUT`, sent whole again after a failure)
   */
  uploadSessions?: UploadSessionStore;
  /**
   * Where Docker archives are unpacked while they are read or written.
   * @default os.tmpdir()
   */
  tempDir?: string;
  /**
   * The `User-Agent` header.
   * @default 'ocikit'
   */
  userAgent?: string;
  /**
   * Where a registry refuses the OCI 1.1 tag `DELETE` (distribution 2.8),
   * remove a tag by pointing it at an empty throwaway manifest and deleting
   * that (see `untagFallback` of `@ocikit/registry`); the image stays.
   * @default false (such registries make deleting a tag fail with `UNSUPPORTED`)
   */
  untagFallback?: boolean;
  /** Called for every request, response, retry and failure, with secrets redacted (`--verbose`). */
  onTrace?: (event: TraceEvent) => void;
  /** Called once per distinct `Warning` a registry sends. */
  onWarning?: (warning: string) => void;
}

/** {@link ClientOptions} checked, with the shared transport built. */
export interface ClientSettings {
  readonly transport: Transport;
  readonly concurrency: number;
  readonly tempDir: string | undefined;
  readonly onWarning: ((warning: string) => void) | undefined;
}

/**
 * Checks client options, reads the TLS files and builds the one transport
 * every registry location of the client shares (connections, tokens).
 *
 * @param options - {@link ClientOptions}
 * @param hooks - the transport's request hooks (a sync's pacing)
 * @returns the settings
 * @throws {OciError} `OPTION_INVALID` for a bad `concurrency` or a `certFile`
 *   without `keyFile`; `CONFIG_INVALID` for a TLS file that cannot be read
 */
export function clientSettings(
  options: ClientOptions,
  hooks: Pick<TransportOptions, 'beforeRequest' | 'onResponse'> = {},
): ClientSettings {
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new OciError('OPTION_INVALID', `concurrency must be an integer ≥ 1, not ${concurrency}`);
  }
  if ((options.certFile === undefined) !== (options.keyFile === undefined)) {
    throw new OciError('OPTION_INVALID', 'certFile and keyFile go together; give both or neither');
  }
  const tls: HostOptions = {
    ...(options.caFile === undefined ? {} : { ca: readPem(options.caFile, 'caFile') }),
    ...(options.certFile === undefined ? {} : { cert: readPem(options.certFile, 'certFile') }),
    ...(options.keyFile === undefined ? {} : { key: readPem(options.keyFile, 'keyFile') }),
  };
  const insecure = new Set(options.insecure ?? []);
  const plainHttp = new Set(options.plainHttp ?? []);
  const hosts: HostsConfig = (host) => ({
    ...tls,
    ...(insecure.has(host) ? { insecure: true } : {}),
    ...(plainHttp.has(host) ? { plainHttp: true } : {}),
    ...options.hosts?.[host],
  });
  const env = options.env ?? process.env;
  const proxy = options.proxy === false ? undefined : (options.proxy ?? proxyFromEnv(env));
  const transport = createNodeTransport({
    ...(proxy === undefined ? {} : { proxy }),
    ...(options.httpEngine === undefined ? {} : { engine: options.httpEngine }),
    hosts,
    credentials: options.credentials ?? defaultCredentials({ env }),
    ...(options.retry === undefined ? {} : { retry: options.retry }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.userAgent === undefined ? {} : { userAgent: options.userAgent }),
    ...(options.onTrace === undefined ? {} : { onTrace: options.onTrace }),
    ...hooks,
  });
  return { transport, concurrency, tempDir: options.tempDir, onWarning: options.onWarning };
}

function readPem(file: string, option: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new OciError(
      'CONFIG_INVALID',
      `Cannot read ${option} "${file}" (${errnoCode(error) ?? 'unreadable'})`,
      { cause: error },
    );
  }
}
