import { inject } from 'vitest';
import type { Credentials } from './types.ts';

/** A registry of the test bed. */
export interface RegistryInfo {
  /** `127.0.0.1:PORT`, the host part of image references. */
  host: string;
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** The registry's log: one line per request, and why it rejected a token. */
  logFile: string;
}

/** The htpasswd registry. */
export interface BasicRegistryInfo extends RegistryInfo {
  /** The realm of its `Basic` challenge. */
  realm: string;
  /** Its one account, with full access. */
  users: { push: Credentials };
}

/** The token-auth registry and its token issuer. */
export interface TokenRegistryInfo extends RegistryInfo {
  /**
   * The token endpoint (`GET` and OAuth2 `POST`), as in the challenge. It is
   * served through a fault proxy in front of the issuer: see `realmFaultsUrl`.
   */
  realm: string;
  /**
   * The control endpoint of the fault proxy in front of the token issuer, for
   * `faultClient`: a rule with `path: 'scope=repository:REPO:'` fails that
   * repository's token requests (GET; POST carries its scope in the body).
   */
  realmFaultsUrl: string;
  /** The `service` of the challenge and the tokens' `aud`. */
  service: string;
  /** The tokens' `iss`. */
  issuer: string;
  /** `GET` token request counts (`?repository=&user=`), `POST ${statsUrl}/reset`. */
  statsUrl: string;
  /** Repositories under this prefix (`public/`) can be pulled anonymously. */
  publicPrefix: string;
  /** `expires_in` of tokens of every user but `short`, in seconds. */
  lifetimeSeconds: number;
  /** `expires_in` of the `short` user's tokens: the registry rejects them after it. */
  shortLifetimeSeconds: number;
  /** The accounts. */
  users: {
    /** pull, push and delete on every repository. */
    push: Credentials;
    /** pull on every repository; push is denied. */
    pull: Credentials;
    /** `registry:catalog:*` and pull on every repository. */
    catalog: Credentials;
    /** pull, push and delete, with tokens that expire after `shortLifetimeSeconds`. */
    short: Credentials;
  };
}

/** The fault proxy, in front of the anonymous registry. */
export interface FaultsInfo {
  /** `127.0.0.1:PORT`: use it as the registry host. */
  host: string;
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** Its control endpoint, for `faultClient`. */
  controlUrl: string;
  /** The registry it forwards to (`anonymous.url`). */
  target: string;
}

/** The redirecting registry front and its storage origin, over the anonymous registry. */
export interface RedirectInfo {
  /** `127.0.0.1:PORT` of the http front. */
  host: string;
  /** `http://127.0.0.1:PORT`: blob GET/HEAD answer 307 to `storageUrl`. */
  url: string;
  /** `127.0.0.1:PORT` of the https front. */
  httpsHost: string;
  /** `https://127.0.0.1:PORT`: its blob redirects go to http storage, a downgrade. */
  httpsUrl: string;
  /** `http://127.0.0.2:PORT`: another host, which serves the redirected blobs. */
  storageUrl: string;
  /** Recorded requests of all three servers, with headers (`redirectRequests`). */
  requestsUrl: string;
  /** The fronts require Basic auth with this account on `/v2/`. */
  credentials: Credentials;
  /** Repositories under this prefix (`loop/`) redirect blob requests to themselves forever. */
  loopPrefix: string;
  /** The https front's self-signed certificate (PEM): trust it as a CA. */
  caPem: string;
  /** The same certificate in a file, `ca.crt`, alone in its directory (skopeo `--cert-dir`). */
  caFile: string;
}

/** The https front that requires a client certificate, in front of the anonymous registry. */
export interface MtlsInfo {
  /** `127.0.0.1:PORT`. */
  host: string;
  /** `https://127.0.0.1:PORT`: the TLS handshake fails without a client certificate of the CA. */
  url: string;
  /** The CA (PEM) of the server certificate and of the client certificate (`redirect.caPem`). */
  caPem: string;
  /** A client certificate (PEM) issued by that CA. */
  clientCertPem: string;
  /** Its private key (PKCS#8 PEM). */
  clientKeyPem: string;
  /** A directory with `ca.crt`, `client.cert` and `client.key`, for skopeo `--cert-dir`. */
  certDir: string;
}

/** The test bed's private containerd (root, state and socket in the temp dir, CRI off). */
export interface ContainerdInfo {
  /** Its socket: `ctr(socket, args, { namespace })`, or `ctr --address SOCKET`. */
  socket: string;
  /** Its log. */
  logFile: string;
}

/** Everything the test bed runs, as tests see it through `inject('testbed')`. */
export interface TestbedInfo {
  /** distribution without auth. */
  anonymous: RegistryInfo;
  /** distribution with htpasswd Basic auth. */
  basic: BasicRegistryInfo;
  /** distribution with token auth, and the token issuer. */
  token: TokenRegistryInfo;
  /** The fault proxy in front of the anonymous registry. */
  faults: FaultsInfo;
  /** The redirect servers in front of the anonymous registry. */
  redirect: RedirectInfo;
  /** The https front that requires a client certificate. */
  mtls: MtlsInfo;
  /** containerd, for `ctr` (use a namespace of your own per test). */
  containerd: ContainerdInfo;
  /** The test bed's temp dir: registry data and logs. */
  tmpRoot: string;
}

/** A registry served by `@ocikit/server` for the integration tests. */
export interface OcikitServerInfo {
  /** `127.0.0.1:PORT`. */
  host: string;
  /** `http://127.0.0.1:PORT`. */
  url: string;
}

/**
 * The `@ocikit/server` peers of the test bed's distribution registries, with
 * the same accounts: what the registry client's integration tests also run
 * against (`packages/server/src/lib/peers-global-setup.testing.node.ts` starts them).
 */
export interface OcikitPeersInfo {
  /** No auth. */
  anonymous: OcikitServerInfo;
  /** htpasswd Basic auth, the account `basic.users.push` of the test bed. */
  basic: OcikitServerInfo & { realm: string; users: { push: Credentials } };
  /**
   * Token auth with the server's built-in issuer: the test bed's `push`, `pull`
   * and `catalog` accounts with the same rights, anonymous pull on `public/*`.
   */
  token: OcikitServerInfo & {
    realm: string;
    service: string;
    publicPrefix: string;
    users: { push: Credentials; pull: Credentials; catalog: Credentials };
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The running test bed, provided by `tooling/testbed/src/global-setup.ts`. */
    testbed: TestbedInfo;
    /** The `@ocikit/server` peers, provided by `packages/server/src/lib/peers-global-setup.testing.node.ts`. */
    ocikitPeers: OcikitPeersInfo;
  }
}

/** What an integration-project global setup provided under `key`, or a clear error without it. */
function provided<K extends 'testbed' | 'ocikitPeers'>(key: K, what: string) {
  const info = inject(key);
  if (!info) {
    throw new Error(
      `No ${what}: run integration tests (*.int.test.ts) with the vitest "integration" project`,
    );
  }
  return info;
}

/**
 * The running test bed, in an integration test (`*.int.test.ts`).
 *
 * @returns what `global-setup.ts` provided
 * @throws {Error} outside the vitest `integration` project
 */
export function getTestbed(): TestbedInfo {
  return provided('testbed', 'test bed');
}

/**
 * The running `@ocikit/server` peers, in an integration test.
 *
 * @returns what `packages/server/src/lib/peers-global-setup.testing.node.ts` provided
 * @throws {Error} outside the vitest `integration` project
 */
export function getOcikitPeers(): OcikitPeersInfo {
  return provided('ocikitPeers', 'ocikit peers');
}
