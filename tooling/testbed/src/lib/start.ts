import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Binary, DEBIAN_PACKAGES, requireBinary } from './binaries.ts';
import { createCertificate } from './certificate.ts';
import { type RunningContainerd, startContainerd } from './containerd.ts';
import { startFaultProxy } from './fault-proxy.ts';
import { writeHtpasswd } from './htpasswd.ts';
import type { TestbedInfo } from './info.ts';
import { startMtlsFront } from './mtls-front.ts';
import { startRedirectServer } from './redirect-server.ts';
import { type RunningRegistry, startRegistry } from './registry.ts';
import { startTokenIssuer, type TokenUser } from './token-issuer.ts';

/** Options of {@link startTestbed}. */
export interface StartTestbedOptions {
  /**
   * Where the temp dir is made.
   * @default os.tmpdir()
   */
  parentDir?: string;
  /**
   * Token lifetime of every token user but `short`, in seconds.
   * @default 300
   */
  lifetimeSeconds?: number;
  /**
   * Token lifetime of the `short` user, in seconds.
   * @default 2
   */
  shortLifetimeSeconds?: number;
}

/** A running test bed. */
export interface Testbed {
  /** Connection details, for `project.provide('testbed', …)`. */
  readonly info: TestbedInfo;
  /** Stops every server and process (each by its own pid) and removes the temp dir. */
  stop(): Promise<void>;
}

const SERVICE = 'ocikit-testbed-registry';
const ISSUER = 'ocikit-testbed-issuer';
const PUBLIC_PREFIX = 'public/';
const ALL_REPOSITORIES = { type: 'repository', name: '*' } as const;

const credentials = (username: string) => ({ username, password: `${username}-password` });

/**
 * Starts everything integration tests use: three distribution registries
 * (anonymous, htpasswd, token), the token issuer, the fault proxy, the
 * redirect servers, the mutual-TLS front and a private containerd, all on loopback, with data and logs in one temp dir.
 * When any part fails to start, the parts already running are stopped.
 *
 * @param options - {@link StartTestbedOptions}
 * @returns the running test bed
 * @throws {Error} when a binary is missing (naming its Debian package) or a
 *   part fails to start (with the tail of its log)
 */
export async function startTestbed(options: StartTestbedOptions = {}): Promise<Testbed> {
  for (const binary of Object.keys(DEBIAN_PACKAGES) as Binary[]) requireBinary(binary);
  const tmpRoot = mkdtempSync(join(options.parentDir ?? tmpdir(), 'ocikit-testbed-'));
  const removeTmp = () => rmSync(tmpRoot, { recursive: true, force: true });
  process.once('exit', removeTmp);
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    const errors: unknown[] = [];
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => errors.push(error));
    stops.length = 0;
    removeTmp();
    process.off('exit', removeTmp);
    if (errors.length > 0) throw new AggregateError(errors, 'The test bed did not stop cleanly');
  };
  const started = <T extends { stop(): Promise<void> }>(part: T): T => {
    stops.push(() => part.stop());
    return part;
  };
  try {
    const dir = (name: string) => {
      const path = join(tmpRoot, name);
      mkdirSync(path, { recursive: true });
      return path;
    };
    const signer = createCertificate({ commonName: 'ocikit testbed token signer' });
    const rootCertBundle = join(dir('token'), 'token.crt');
    writeFileSync(rootCertBundle, signer.certPem);
    const tls = createCertificate({
      commonName: 'ocikit testbed',
      altNames: ['127.0.0.1', '127.0.0.2', 'localhost'],
    });
    const caFile = join(dir('tls'), 'ca.crt');
    writeFileSync(caFile, tls.certPem);
    const client = createCertificate({ commonName: 'ocikit testbed client', issuer: tls });
    const certDir = dir('mtls');
    writeFileSync(join(certDir, 'ca.crt'), tls.certPem);
    writeFileSync(join(certDir, 'client.cert'), client.certPem);
    writeFileSync(join(certDir, 'client.key'), client.keyPem, { mode: 0o600 });

    const basicUser = credentials('basic-push');
    const htpasswdFile = join(dir('basic'), 'htpasswd');
    const basicRealm = 'ocikit-testbed-basic';
    const tokenUsers = {
      push: credentials('token-push'),
      pull: credentials('token-pull'),
      catalog: credentials('token-catalog'),
      short: credentials('token-short'),
    };
    const shortLifetimeSeconds = options.shortLifetimeSeconds ?? 2;
    const lifetimeSeconds = options.lifetimeSeconds ?? 300;
    const users: TokenUser[] = [
      {
        ...tokenUsers.push,
        grants: [{ ...ALL_REPOSITORIES, actions: ['pull', 'push', 'delete'] }],
      },
      { ...tokenUsers.pull, grants: [{ ...ALL_REPOSITORIES, actions: ['pull'] }] },
      {
        ...tokenUsers.catalog,
        grants: [
          { ...ALL_REPOSITORIES, actions: ['pull'] },
          { type: 'registry', name: 'catalog', actions: ['*'] },
        ],
      },
      {
        ...tokenUsers.short,
        grants: [{ ...ALL_REPOSITORIES, actions: ['pull', 'push', 'delete'] }],
        lifetimeSeconds: shortLifetimeSeconds,
      },
    ];
    const [issuer] = await Promise.all([
      startTokenIssuer({
        service: SERVICE,
        issuer: ISSUER,
        signer,
        users,
        anonymousGrants: [{ type: 'repository', name: `${PUBLIC_PREFIX}*`, actions: ['pull'] }],
        lifetimeSeconds,
      }).then(started),
      writeHtpasswd(htpasswdFile, [basicUser]),
    ]);
    const realmFaults = started(await startFaultProxy({ target: issuer.url }));
    const realm = `${realmFaults.url}/token`;

    // Everything settles before a failure is thrown, so nothing is left running unstopped.
    const parts = await Promise.allSettled([
      startRegistry({ dir: dir('anonymous') }),
      startRegistry({
        dir: dir('basic'),
        auth: { kind: 'htpasswd', realm: basicRealm, path: htpasswdFile },
      }),
      startRegistry({
        dir: dir('token'),
        auth: {
          kind: 'token',
          realm,
          service: SERVICE,
          issuer: ISSUER,
          rootCertBundle,
        },
      }),
      startContainerd({ dir: dir('containerd') }),
    ]);
    for (const result of parts) if (result.status === 'fulfilled') started(result.value);
    const failed = parts.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    const [anonymous, basic, token, containerd] = parts.map(
      (result) => (result as PromiseFulfilledResult<unknown>).value,
    ) as [RunningRegistry, RunningRegistry, RunningRegistry, RunningContainerd];

    const redirectCredentials = credentials('redirect-user');
    const [faults, redirect, mtls] = await Promise.all([
      startFaultProxy({ target: anonymous.url }).then(started),
      startRedirectServer({
        target: anonymous.url,
        credentials: redirectCredentials,
        tls,
      }).then(started),
      startMtlsFront({ target: anonymous.url, tls, clientCa: tls.certPem }).then(started),
    ]);

    const registryInfo = (registry: RunningRegistry) => ({
      host: registry.host,
      url: registry.url,
      logFile: registry.logFile,
    });
    const info: TestbedInfo = {
      anonymous: registryInfo(anonymous),
      basic: { ...registryInfo(basic), realm: basicRealm, users: { push: basicUser } },
      token: {
        ...registryInfo(token),
        realm,
        realmFaultsUrl: realmFaults.controlUrl,
        service: SERVICE,
        issuer: ISSUER,
        statsUrl: issuer.statsUrl,
        publicPrefix: PUBLIC_PREFIX,
        lifetimeSeconds,
        shortLifetimeSeconds,
        users: tokenUsers,
      },
      faults: {
        host: faults.host,
        url: faults.url,
        controlUrl: faults.controlUrl,
        target: anonymous.url,
      },
      redirect: {
        host: redirect.host,
        url: redirect.url,
        httpsHost: redirect.httpsHost ?? '',
        httpsUrl: redirect.httpsUrl ?? '',
        storageUrl: redirect.storageUrl,
        requestsUrl: redirect.requestsUrl,
        credentials: redirectCredentials,
        loopPrefix: 'loop/',
        caPem: tls.certPem,
        caFile,
      },
      mtls: {
        host: mtls.host,
        url: mtls.url,
        caPem: tls.certPem,
        clientCertPem: client.certPem,
        clientKeyPem: client.keyPem,
        certDir,
      },
      containerd: { socket: containerd.socket, logFile: containerd.logFile },
      tmpRoot,
    };
    return { info, stop: stopAll };
  } catch (error) {
    await stopAll().catch(() => {
      // the startup error is the one to report
    });
    throw error;
  }
}
