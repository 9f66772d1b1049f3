// Warning and rate-limit headers, injected by the test bed's fault proxy into
// the real registry's answers, and what Repository makes of them.
import { collect, faultClient, getTestbed, makeImage, uniqueRepo } from '@ocikit/testbed';
import { describe, expect, it } from 'vitest';
import { Repository } from './repository.ts';
import { pushNode, transportFor } from './testbed.testing.node.ts';

const testbed = getTestbed();
const faults = faultClient(testbed.faults.controlUrl);

/** A repository behind the fault proxy, with image `v1` pushed through it. */
async function seeded(prefix: string, onWarning?: (warning: string) => void) {
  const name = uniqueRepo(`registry/${prefix}`);
  const repo = new Repository(
    { registry: testbed.faults.host, repository: name },
    { transport: transportFor('anonymous'), ...(onWarning ? { onWarning } : {}) },
  );
  const image = await makeImage({ seed: name });
  await pushNode(repo, image, 'v1');
  return { repo, name, image };
}

describe('Warning and rate-limit headers from the registry', () => {
  it('reports each distinct Warning once, through onWarning and repository.warnings', async () => {
    const reported: string[] = [];
    const { repo, name, image } = await seeded('warnings', (warning) => reported.push(warning));
    const rule = await faults.add({
      path: `^/v2/${name}/manifests/`,
      times: 'always',
      fault: {
        type: 'headers',
        headers: {
          warning: [
            '299 - "repository is deprecated, use other/app"',
            '299 - "a text, with a comma and \\"quotes\\""',
            '199 - "not a 299 warning: ignored"',
          ],
        },
      },
    });
    try {
      expect((await repo.getManifest('v1')).digest).toBe(image.manifest.digest);
      expect((await repo.resolve('v1')).digest).toBe(image.manifest.digest);
      expect(await rule.hits()).toBe(2);
    } finally {
      await rule.remove();
    }
    const expected = [
      'repository is deprecated, use other/app',
      'a text, with a comma and "quotes"',
    ];
    expect(reported).toEqual(expected);
    expect(repo.warnings).toEqual(expected);
  });

  it('keeps the rate limit the last response announced in repository.rateLimit', async () => {
    const { repo, name } = await seeded('ratelimit');
    expect(repo.rateLimit).toBeUndefined();
    const rule = await faults.add({
      path: `^/v2/${name}/manifests/v1`,
      times: 2,
      fault: {
        type: 'headers',
        headers: {
          'ratelimit-limit': '100;w=21600',
          'ratelimit-remaining': '76;w=21600',
          'docker-ratelimit-source': '192.0.2.7',
        },
      },
    });
    try {
      await repo.resolve('v1');
      expect(repo.rateLimit).toEqual({
        limit: 100,
        remaining: 76,
        windowSeconds: 21600,
        source: '192.0.2.7',
      });
      // A later answer without the headers leaves the last announced limit in place.
      await collect(repo.tags());
      expect(repo.rateLimit?.remaining).toBe(76);
    } finally {
      await rule.remove();
    }
  });

  it('retries a 429 with Retry-After and rate-limit headers, then keeps the limit of the answer that got through', async () => {
    const { repo, name, image } = await seeded('ratelimit-429');
    const path = `^/v2/${name}/manifests/v1`;
    const limited = await faults.add({
      path,
      fault: {
        type: 'status',
        status: 429,
        retryAfter: 0,
        headers: { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '0;w=21600' },
      },
    });
    const passed = await faults.add({
      path,
      fault: {
        type: 'headers',
        headers: { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '99;w=21600' },
      },
    });
    try {
      expect((await repo.getManifest('v1')).digest).toBe(image.manifest.digest);
      expect([await limited.hits(), await passed.hits()]).toEqual([1, 1]);
      expect(repo.rateLimit).toMatchObject({ limit: 100, remaining: 99 });
    } finally {
      await Promise.all([limited.remove(), passed.remove()]);
    }
  });
});
