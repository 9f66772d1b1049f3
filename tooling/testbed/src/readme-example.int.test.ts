import {
  faultClient,
  fetchManifest,
  getTestbed,
  makeImage,
  pushImage,
  tokenStats,
  uniqueRepo,
} from '@ocikit/testbed';
import { expect, it } from 'vitest';

const testbed = getTestbed();

it('reads back an image pushed to the token registry, with one token per request', async () => {
  const repo = uniqueRepo('example/token');
  const image = await makeImage({ seed: repo });
  const endpoint = { url: testbed.token.url, credentials: testbed.token.users.push };
  await pushImage(endpoint, repo, image, { tag: 'v1' }); // the oracle, not ocikit
  const manifest = await fetchManifest(endpoint, repo, 'v1'); // use the client under test here
  expect(manifest.digest).toBe(image.manifest.digest);
  const stats = await tokenStats(testbed.token.statsUrl, { repository: repo });
  expect(stats.total).toBe(2); // pushImage and fetchManifest each fetched one token
});

it('sees two 503s from the fault proxy, then the registry', async () => {
  const repo = uniqueRepo('example/retry');
  const faults = faultClient(testbed.faults.controlUrl);
  const path = `/v2/${repo}/tags/list`;
  const rule = await faults.add({ path, times: 2, fault: { type: 'status', status: 503 } });
  const statuses: number[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const response = await fetch(`${testbed.faults.url}${path}`); // a retrying client goes here
    await response.body?.cancel();
    statuses.push(response.status);
  }
  expect(statuses).toEqual([503, 503, 404]);
  expect(await rule.hits()).toBe(2);
});
