import { faultClient, getTestbed, uniqueRepo } from '@ocikit/testbed';
import { describe, expect, it } from 'vitest';
import { RegistryPacer } from './pacer.ts';
import { Transport } from './transport.ts';

const testbed = getTestbed();
const faults = faultClient(testbed.faults.controlUrl);

describe('RegistryPacer on a Transport, against the real registry', () => {
  it('spaces the requests to a registry by its rate: the proxy in front of the registry sees the k-th request ≥ k/rate after the first', async () => {
    const repo = uniqueRepo('transport/paced');
    const rate = 20;
    const pacer = new RegistryPacer({ requestsPerSecond: { [testbed.faults.host]: rate } });
    const transport = new Transport({
      beforeRequest: pacer.beforeRequest,
      onResponse: pacer.onResponse,
    });
    const count = 12;
    const responses = await Promise.all(
      Array.from({ length: count }, () =>
        transport.request({ registry: testbed.faults.host, path: `/v2/${repo}/tags/list` }),
      ),
    );
    for (const response of responses) {
      expect(response.status).toBe(404); // the repository does not exist: the registry answered
      await response.body?.cancel();
    }
    const times = (await faults.requests(`^/v2/${repo}/tags/list`))
      .map((request) => Date.parse(request.time))
      .sort((a, b) => a - b);
    expect(times).toHaveLength(count);
    const first = times[0] as number;
    // One token at the start (burst 1), then one per 1000/rate ms; 15 ms for clock and network jitter.
    const early = times.filter((time, k) => time - first < (k * 1000) / rate - 15);
    expect(early).toEqual([]);
  });
});
