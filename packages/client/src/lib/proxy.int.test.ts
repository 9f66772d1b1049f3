import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Credentials,
  getTestbed,
  makeImage,
  pushImage,
  type RunningForwardProxy,
  startForwardProxy,
  uniqueRepo,
  writeDockerConfig,
} from '@ocikit/testbed';
import { describe, expect, it, onTestFinished } from 'vitest';
import { Client } from './client.node.ts';

async function forwardProxy(): Promise<RunningForwardProxy> {
  const proxy = await startForwardProxy();
  onTestFinished(() => proxy.stop());
  return proxy;
}

/** A `DOCKER_CONFIG` holding one login, as the environment of a client. */
async function login(host: string, credentials: Credentials) {
  const dir = await mkdtemp(join(tmpdir(), 'ocikit-client-proxy-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  await writeDockerConfig(dir, { [host]: credentials });
  return { DOCKER_CONFIG: dir, HOME: dir };
}

describe('Client through an HTTP proxy (HTTP_PROXY, NO_PROXY) to the real registry', () => {
  it('sends every request through HTTP_PROXY, with Basic and bearer logins, and bypasses NO_PROXY hosts', async () => {
    const { anonymous, basic, token } = getTestbed();
    const image = await makeImage({ seed: 'client-proxy' });
    const repo = uniqueRepo('client/proxy');
    await pushImage({ url: anonymous.url }, repo, image, { tag: 'v1' });
    await pushImage({ url: basic.url, credentials: basic.users.push }, repo, image, { tag: 'v1' });
    await pushImage({ url: token.url, credentials: token.users.push }, repo, image, { tag: 'v1' });
    const proxy = await forwardProxy();
    const targets = () => new Set(proxy.records.map((record) => record.target));

    const anonymousClient = new Client({ env: { HOME: '/nonexistent', HTTP_PROXY: proxy.url } });
    expect((await anonymousClient.resolve(`${anonymous.host}/${repo}:v1`)).digest).toBe(
      image.manifest.digest,
    );
    expect(targets()).toEqual(new Set([anonymous.host]));

    const basicClient = new Client({
      env: { ...(await login(basic.host, basic.users.push)), http_proxy: proxy.url },
    });
    expect((await basicClient.resolve(`${basic.host}/${repo}:v1`)).digest).toBe(
      image.manifest.digest,
    );
    expect(targets()).toContain(basic.host);

    const tokenClient = new Client({
      env: {
        ...(await login(token.host, token.users.push)),
        HTTPS_PROXY: '',
        HTTP_PROXY: proxy.url,
      },
    });
    expect((await tokenClient.resolve(`${token.host}/${repo}:v1`)).digest).toBe(
      image.manifest.digest,
    );
    expect(targets()).toContain(token.host);
    expect(targets()).toContain(new URL(token.realm).host);

    const before = proxy.records.length;
    const bypassing = new Client({
      env: { HOME: '/nonexistent', HTTP_PROXY: proxy.url, NO_PROXY: 'example.com,127.0.0.1' },
    });
    expect((await bypassing.resolve(`${anonymous.host}/${repo}:v1`)).digest).toBe(
      image.manifest.digest,
    );
    expect(proxy.records.length).toBe(before);
  });

  it('tunnels to an https registry through HTTPS_PROXY with its private CA and Basic login', async () => {
    const { redirect } = getTestbed();
    const image = await makeImage({ seed: 'client-proxy-https' });
    const repo = uniqueRepo('client/proxy-https');
    await pushImage({ url: redirect.url, credentials: redirect.credentials }, repo, image, {
      tag: 'v1',
    });
    const proxy = await forwardProxy();
    const client = new Client({
      caFile: redirect.caFile,
      env: { ...(await login(redirect.httpsHost, redirect.credentials)), HTTPS_PROXY: proxy.url },
    });
    expect((await client.resolve(`${redirect.httpsHost}/${repo}:v1`)).digest).toBe(
      image.manifest.digest,
    );
    expect(proxy.records).toContainEqual(
      expect.objectContaining({ method: 'CONNECT', target: redirect.httpsHost }),
    );
    const untrusted = new Client({
      env: { ...(await login(redirect.httpsHost, redirect.credentials)), HTTPS_PROXY: proxy.url },
      retry: { retries: 0 },
    });
    await expect(untrusted.resolve(`${redirect.httpsHost}/${repo}:v1`)).rejects.toMatchObject({
      code: expect.stringMatching(/NETWORK_ERROR|TLS/),
    });
  });

  it('sends the login of a proxy URL as Proxy-Authorization, never to the registry', async () => {
    const { anonymous } = getTestbed();
    const image = await makeImage({ seed: 'client-proxy-login' });
    const repo = uniqueRepo('client/proxy-login');
    await pushImage({ url: anonymous.url }, repo, image, { tag: 'v1' });
    const proxy = await forwardProxy();
    const withLogin = proxy.url.replace('http://', 'http://squid:s%40cret@');
    const client = new Client({ env: { HOME: '/nonexistent', HTTP_PROXY: withLogin } });
    await client.resolve(`${anonymous.host}/${repo}:v1`);
    expect(proxy.records[0]?.proxyAuthorization).toBe(
      `Basic ${Buffer.from('squid:s@cret').toString('base64')}`,
    );
  });

  it('refuses a proxy setting that is no http(s) URL with CONFIG_INVALID at construction', () => {
    const cases = ['ftp://proxy:21', 'http://[bad'];
    for (const value of cases) {
      let failure: unknown;
      try {
        new Client({ env: { HOME: '/nonexistent', HTTP_PROXY: value } });
      } catch (error) {
        failure = error;
      }
      expect(failure, value).toMatchObject({ code: 'CONFIG_INVALID' });
    }
  });
});
