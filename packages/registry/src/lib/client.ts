import type { Challenge } from '@ocikit/auth';
import { type RequestBody, redactEchoedSecrets, Transport } from '@ocikit/transport';
import { parseRateLimit, type RateLimit } from './rate-limit.ts';
import type { Address } from './urls.ts';
import { WarningLog } from './warnings.ts';

/** Options every registry client takes ({@link Registry} and {@link Repository}). */
export interface ClientOptions {
  /**
   * The HTTP client: auth, retries, redirects, TLS and mirrors. Share one
   * between clients to share connections and tokens. In Node,
   * `createNodeTransport()` from `@ocikit/transport/node` is the fast one.
   * @default new Transport() (the global `fetch`, anonymous)
   */
  transport?: Transport;
  /**
   * Called once per distinct `Warning` the registry sends (`299 - "text"`),
   * such as a deprecation notice. Warnings are for people: show them, never
   * act on them.
   * @default ignore them (they are still kept in `warnings`)
   */
  onWarning?: (warning: string) => void;
}

/** One request, as the modules of this package make them. */
export interface ClientRequest {
  /** @default 'GET' */
  readonly method?: string;
  /** A path on the registry, or a URL it handed out. */
  readonly address: Address;
  readonly headers?: HeadersInit;
  readonly body?: RequestBody;
  /** The token scopes the request needs, such as `repository:app:pull`. */
  readonly scopes: readonly string[];
  /** The repository, for credentials kept per namespace. */
  readonly repository?: string;
  readonly signal?: AbortSignal | undefined;
  /** Whether the transport may repeat the request (see `TransportRequest.retry`). */
  readonly retry?: boolean;
  /** Whether mirrors may serve the request (see `TransportRequest.mirrors`). */
  readonly mirrors?: boolean;
}

/**
 * The connection to one registry that a {@link Registry} and its
 * repositories share: it sends requests through the transport and reads
 * what every response says besides its answer (warnings, rate limits).
 */
export class Client {
  /** The registry as named in references (`docker.io`, `localhost:5000`). */
  readonly registry: string;
  readonly #transport: Transport;
  readonly #warnings: WarningLog;
  #rateLimit: RateLimit | undefined;
  readonly #queues = new Map<string, Promise<unknown>>();

  /**
   * @param registry - the registry host
   * @param options - {@link ClientOptions}
   */
  constructor(registry: string, options: ClientOptions) {
    this.registry = registry;
    this.#transport = options.transport ?? new Transport();
    this.#warnings = new WarningLog(options.onWarning);
  }

  /**
   * Sends a request to the registry and records the warnings and rate limit
   * of its response.
   *
   * @param request - {@link ClientRequest}
   * @returns the response, whatever its status; its body is the caller's
   * @throws {OciError} what `Transport.request` throws
   */
  async send(request: ClientRequest): Promise<Response> {
    const response = await this.#transport.request({
      registry: this.registry,
      method: request.method ?? 'GET',
      ...request.address,
      ...(request.headers === undefined ? {} : { headers: request.headers }),
      ...(request.body === undefined ? {} : { body: request.body }),
      scopes: request.scopes,
      ...(request.repository === undefined ? {} : { repository: request.repository }),
      ...(request.signal === undefined ? {} : { signal: request.signal }),
      ...(request.retry === undefined ? {} : { retry: request.retry }),
      ...(request.mirrors === undefined ? {} : { mirrors: request.mirrors }),
    });
    this.#warnings.observe(response.headers, (text) => redactEchoedSecrets(response, text));
    this.#rateLimit = parseRateLimit(response.headers) ?? this.#rateLimit;
    return response;
  }

  /**
   * The authentication challenges the registry has answered with (see
   * `Transport.challenges`).
   *
   * @param signal - cancels the scheme detection this may need
   * @returns the remembered challenges
   */
  challenges(signal?: AbortSignal): Promise<readonly Challenge[]> {
    return this.#transport.challenges(this.registry, signal === undefined ? {} : { signal });
  }

  /**
   * Runs tasks with the same key one after another (read-modify-write of
   * one tag); tasks with other keys run freely.
   *
   * @param key - what the task writes
   * @param task - the work
   * @returns what the task returns
   */
  serialize<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const run = previous.then(task, task);
    const settled = run.then(
      () => {},
      () => {},
    );
    this.#queues.set(key, settled);
    void settled.then(() => {
      if (this.#queues.get(key) === settled) this.#queues.delete(key);
    });
    return run;
  }

  /** The last rate limit a response announced. */
  get rateLimit(): RateLimit | undefined {
    return this.#rateLimit;
  }

  /** The distinct warnings received so far. */
  get warnings(): readonly string[] {
    return this.#warnings.warnings;
  }
}

/**
 * The option key under which a {@link Registry} hands its client to the
 * repositories it makes, so they share warnings, rate limits and update
 * queues. Not part of the public options.
 */
export const SHARED_CLIENT: unique symbol = Symbol('ocikit.registry.client');
