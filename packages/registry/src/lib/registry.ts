import type { Challenge } from '@ocikit/auth';
import type { OperationOptions } from '@ocikit/content';
import { OciError } from '@ocikit/digest';
import { parseRegistryHost } from '@ocikit/reference';
import { type CatalogOptions, listCatalog } from './catalog.ts';
import { Client, type ClientOptions, SHARED_CLIENT } from './client.ts';
import { assertRepositoryName } from './name.ts';
import { type RepositoryOptions, repositorySettings } from './options.ts';
import type { RateLimit } from './rate-limit.ts';
import { Repository } from './repository.ts';
import { discard, responseError } from './response.ts';

/** Options of a {@link Registry}. */
export interface RegistryOptions extends ClientOptions {
  /**
   * The largest JSON answer read for one page of the catalog, in bytes.
   * @default 4194304 (4 MiB)
   */
  maxListSize?: number;
  /**
   * The most pages one catalog listing follows.
   * @default 10000
   */
  maxPages?: number;
}

/** What `GET /v2/` told about a registry. */
export interface PingResult {
  /** The HTTP status: 200 once any authentication succeeded. */
  readonly status: number;
  /** `Docker-Distribution-API-Version` (`registry/2.0`), when the registry sends it. */
  readonly apiVersion: string | undefined;
  /**
   * How the registry asks clients to authenticate (`bearer` with its realm
   * and service, or `basic`); empty for an open registry.
   */
  readonly challenges: readonly Challenge[];
}

/**
 * A registry host: the API check (`/v2/`), the catalog, and the
 * {@link Repository} objects of its repositories, which share its
 * transport, warnings and rate-limit state.
 *
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#determining-support
 */
export class Registry {
  /** The registry as named in references: `ghcr.io`, `localhost:5000`, `docker.io`. */
  readonly host: string;
  readonly #client: Client;
  readonly #limits: { maxPages: number; maxListSize: number };

  /**
   * @param host - the registry host, `host[:port]`
   * @param options - {@link RegistryOptions}
   * @throws {OciError} `REFERENCE_INVALID` for a bad host; `OPTION_INVALID`
   */
  constructor(host: string, options: RegistryOptions = {}) {
    this.host = parseRegistryHost(host);
    this.#client = new Client(this.host, options);
    const { maxPages, maxListSize } = repositorySettings({
      ...(options.maxPages === undefined ? {} : { maxPages: options.maxPages }),
      ...(options.maxListSize === undefined ? {} : { maxListSize: options.maxListSize }),
    });
    this.#limits = { maxPages, maxListSize };
  }

  /** The last rate limit the registry announced (Docker Hub's `ratelimit-*` headers), if any. */
  get rateLimit(): RateLimit | undefined {
    return this.#client.rateLimit;
  }

  /** The distinct `Warning`s the registry sent so far, to this object and its repositories. */
  get warnings(): readonly string[] {
    return this.#client.warnings;
  }

  /**
   * Checks that the host is an OCI registry and that the credentials (if
   * any) are accepted: `GET /v2/`, through the transport's auth handshake.
   *
   * @param options - `signal`
   * @returns the status and API version
   * @throws {OciError} `UNSUPPORTED` when the host answers 404 (no
   *   distribution API); `UNAUTHORIZED` when the credentials are refused or
   *   missing; `NETWORK_ERROR`, `TIMEOUT`
   * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#determining-support
   */
  async ping(options: OperationOptions = {}): Promise<PingResult> {
    const response = await this.#client.send({
      address: { path: '/v2/' },
      scopes: [],
      signal: options.signal,
      mirrors: false,
    });
    if (response.status === 404) {
      await discard(response);
      throw new OciError(
        'UNSUPPORTED',
        `${this.host} does not serve the OCI distribution API (404 for /v2/)`,
        {
          status: 404,
        },
      );
    }
    if (response.status !== 200) throw await responseError(response, `Cannot ping ${this.host}`);
    await discard(response);
    return Object.freeze({
      status: response.status,
      apiVersion: response.headers.get('docker-distribution-api-version') ?? undefined,
      challenges: await this.#client.challenges(options.signal),
    });
  }

  /**
   * Lists the registry's repositories page by page (`GET /v2/_catalog`, `n`,
   * `last`, `Link`), with the token scope `registry:catalog:*`.
   *
   * @param options - {@link CatalogOptions}
   * @returns the repository names
   * @throws {OciError} `UNAUTHORIZED`/`DENIED` without catalog access;
   *   `REDIRECT_INVALID` for a `Link` to another origin; `SIZE_EXCEEDED`
   * @see https://distribution.github.io/distribution/spec/api/#listing-repositories
   */
  catalog(options: CatalogOptions = {}): AsyncGenerator<string> {
    return listCatalog(this.#client, this.#limits, options);
  }

  /**
   * A repository of this registry, sharing its transport, warnings and rate limit.
   *
   * @param name - the repository path, such as `library/alpine`
   * @param options - the repository's own options (not `transport` or `onWarning`)
   * @returns the repository
   * @throws {OciError} `NAME_INVALID`; `OPTION_INVALID`
   */
  repository(name: string, options: Omit<RepositoryOptions, keyof ClientOptions> = {}): Repository {
    return new Repository({ registry: this.host, repository: assertRepositoryName(name) }, {
      ...options,
      [SHARED_CLIENT]: this.#client,
    } as RepositoryOptions);
  }
}
