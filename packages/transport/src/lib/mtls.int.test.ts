// Mutual TLS: the test bed's https front requires a client certificate issued
// by its CA; the Node transport presents one from its host options.
import {
  createCertificate,
  getTestbed,
  makeImage,
  ociFailure,
  pushImage,
  uniqueRepo,
} from '@ocikit/testbed';
import { describe, expect, it } from 'vitest';
import type { HostOptions } from './hosts.ts';
import { createNodeTransport, type NodeHttpEngine } from './node-fetch.node.ts';
import type { TraceEvent } from './trace.ts';

const testbed = getTestbed();
const { mtls } = testbed;
const MANIFEST_ACCEPT = 'application/vnd.oci.image.manifest.v1+json';

/** A transport that talks https only to the front, with these TLS options. */
function transport(
  engine: NodeHttpEngine,
  tls: HostOptions,
  onTrace?: (event: TraceEvent) => void,
) {
  return createNodeTransport({
    engine,
    hosts: { [mtls.host]: { insecure: false, ...tls } },
    retry: { minDelayMs: 1, maxDelayMs: 5 },
    ...(onTrace ? { onTrace } : {}),
  });
}

async function seeded(prefix: string) {
  const repo = uniqueRepo(`transport/${prefix}`);
  const image = await makeImage({ seed: repo });
  await pushImage({ url: testbed.anonymous.url }, repo, image, { tag: 'v1' });
  return { repo, digest: image.manifest.digest };
}

describe.each(['undici', 'node:http'] as const)(
  'mutual TLS through the Node transport on %s',
  (engine) => {
    it('pulls a manifest and opens an upload with the client certificate and key of the host options', async () => {
      const { repo, digest } = await seeded('mtls-ok');
      const client = transport(engine, {
        ca: mtls.caPem,
        cert: mtls.clientCertPem,
        key: mtls.clientKeyPem,
      });
      const manifest = await client.request({
        registry: mtls.host,
        path: `/v2/${repo}/manifests/v1`,
        headers: { accept: MANIFEST_ACCEPT },
      });
      expect(manifest.status).toBe(200);
      expect(manifest.headers.get('docker-content-digest')).toBe(digest);
      await manifest.body?.cancel();

      const upload = await client.request({
        registry: mtls.host,
        method: 'POST',
        path: `/v2/${repo}/blobs/uploads/`,
      });
      expect(upload.status).toBe(202);
      expect(upload.headers.get('location')).toMatch(new RegExp(`^${mtls.url}/v2/${repo}/`));
      await upload.body?.cancel();
    });

    it('fails with NETWORK_ERROR naming the host when no client certificate is given', async () => {
      const events: TraceEvent[] = [];
      const client = transport(engine, { ca: mtls.caPem }, (event) => events.push(event));
      const error = await ociFailure(client.request({ registry: mtls.host, path: '/v2/' }));
      expect(error.code).toBe('NETWORK_ERROR');
      expect(error.message).toContain(mtls.host);
      expect(error.message).toContain('client certificate');
      expect(events.some((event) => event.type === 'response')).toBe(false);
    });

    it('fails with NETWORK_ERROR for a client certificate of another CA', async () => {
      const other = createCertificate({ commonName: 'another ca' });
      const stranger = createCertificate({ commonName: 'stranger', issuer: other });
      const client = transport(engine, {
        ca: mtls.caPem,
        cert: stranger.certPem,
        key: stranger.keyPem,
      });
      const error = await ociFailure(client.request({ registry: mtls.host, path: '/v2/' }));
      expect(error.code).toBe('NETWORK_ERROR');
      expect(error.message).not.toContain('PRIVATE KEY');
    });
  },
);
