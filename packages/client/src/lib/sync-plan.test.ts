import { describe, expect, it } from 'vitest';
import { parseShard, parseSyncPlan } from './sync-plan.ts';

describe('parseSyncPlan', () => {
  it('reads a plan with defaults, registries, rate limit, shard and x- extensions', async () => {
    const plan = await parseSyncPlan(`
x-common: &common { platforms: [linux/amd64] }
defaults:
  <<: *common
  referrers: true
  tags: { semver: ">=1.2 <2", latest: 3 }
registries:
  docker.io: { requestsPerSecond: 2 }
rateLimit: { minRemaining: 10 }
shard: 1/3
sync:
  - source: docker.io/library/alpine
    destination: oci:mirror/alpine
    tags: '3\\.\\d+'
`);
    expect(plan).toMatchObject({
      defaults: {
        platforms: ['linux/amd64'],
        referrers: true,
        tags: { semver: '>=1.2 <2', latest: 3 },
      },
      registries: { 'docker.io': { requestsPerSecond: 2 } },
      rateLimit: { minRemaining: 10 },
      shard: '1/3',
      sync: [
        { source: 'docker.io/library/alpine', destination: 'oci:mirror/alpine', tags: '3\\.\\d+' },
      ],
    });
  });

  it('refuses what is not a plan with CONFIG_INVALID naming the field', async () => {
    const cases: [string, string][] = [
      ['sync: [', 'plan.yaml'],
      ['- a list', 'top level'],
      ['sync: []', 'sync'],
      ['sync: [{ source: a }]', 'sync[0].destination'],
      ['sync: [{ source: a, destination: b, tag: x }]', 'unknown key "tag"'],
      ['sync: [{ source: a, destination: b, tags: { semver: 1 } }]', 'sync[0].tags.semver'],
      ['sync: [{ source: a, destination: b, platforms: linux/amd64 }]', 'sync[0].platforms'],
      [
        'registries: { docker.io: { rps: 2 } }\nsync: [{ source: a, destination: b }]',
        'registries.docker.io',
      ],
      ['defaults: { source: a }\nsync: [{ source: a, destination: b }]', 'unknown key "source"'],
      ['defaults: { type: image }\nsync: [{ source: a, destination: b }]', 'unknown key "type"'],
      ['sync: [{ type: images, source: a, destination: b }]', 'sync[0].type'],
      ['sync: [{ type: image, source: a, destination: b, tags: v1 }]', 'takes no tags filter'],
    ];
    for (const [text, mentioned] of cases) {
      let error: unknown;
      try {
        await parseSyncPlan(text, 'plan.yaml');
      } catch (caught) {
        error = caught;
      }
      expect(error, text).toMatchObject({ code: 'CONFIG_INVALID' });
      expect((error as Error).message, text).toContain(mentioned);
    }
  });
});

describe('parseSyncPlan entry types', () => {
  it('reads image entries (type: image) beside repository entries', async () => {
    const plan = await parseSyncPlan(`
sync:
  - type: image
    source: docker.io/library/alpine:3.20
    destination: registry.example/mirror/alpine:stable
    platforms: [linux/amd64]
  - type: repository
    source: docker.io/library/busybox
    destination: oci:mirror/busybox
`);
    expect(plan.sync.map((entry) => entry.type)).toEqual(['image', 'repository']);
    expect(plan.sync[0]).toMatchObject({ platforms: ['linux/amd64'] });
  });
});

describe('parseShard', () => {
  it('reads INDEX/COUNT and refuses anything else', () => {
    expect(parseShard('0/3')).toEqual({ index: 0, count: 3 });
    expect(parseShard(' 2 / 3 ')).toEqual({ index: 2, count: 3 });
    for (const bad of ['3/3', '1/0', '-1/2', 'a/b', '1']) {
      expect(() => parseShard(bad), bad).toThrow(
        expect.objectContaining({ code: 'OPTION_INVALID' }),
      );
    }
  });
});
