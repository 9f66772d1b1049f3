import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  faultClient,
  getTestbed,
  makeImage,
  pushImage,
  pushTaggedImages,
  SPENT_RATE_LIMIT_HEADERS,
  skopeoCopy,
  skopeoInspect,
  spendRateLimitAt,
  umoci,
  uniqueRepo,
} from '@ocikit/testbed';
import type { SyncReport } from '@ocikit/transfer';
import { describe, expect, it, onTestFinished } from 'vitest';
import { Client } from './client.node.ts';
import { type ClientSyncEntry, parseSyncPlan } from './sync-plan.ts';

const testbed = getTestbed();
const faults = faultClient(testbed.faults.controlUrl);

/** A repository of the anonymous registry with these tags, each a different image. */
async function repositoryWith(label: string, tags: readonly string[]): Promise<string> {
  const repo = uniqueRepo(`client/sync-${label}`);
  await pushTaggedImages(testbed.anonymous, repo, tags);
  return repo;
}

const summary = (reports: readonly SyncReport[]) =>
  reports.map((r) => [r.item.source.split('/').pop(), r.tag, r.status, r.stop?.code]);

describe('Client.sync against the real registry', () => {
  it('syncs a YAML plan into a registry and an oci: layout by semver, then only what changed; a dry run copies nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ocikit-client-sync-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const host = testbed.anonymous.host;
    const repo = await repositoryWith('semver', [
      'latest',
      'v1.0.0',
      '1.2',
      '1.3.0-rc.1',
      '1.10.0',
      '2.0.0',
    ]);
    const mirror = uniqueRepo('client/sync-mirror');
    const plan = await parseSyncPlan(
      [
        'defaults:',
        '  tags: { semver: ">=1.2 <2" }',
        'sync:',
        `  - source: ${host}/${repo}`,
        `    destination: ${host}/${mirror}`,
        `  - source: ${host}/${repo}`,
        `    destination: oci:${join(dir, 'layout')}`,
        '    tags: { include: ["v.*", "latest"], exclude: ["latest"] }',
      ].join('\n'),
    );
    const client = new Client();

    const dry = await client.sync(plan, { dryRun: true });
    expect(dry.map((r) => [r.tag, r.status])).toEqual([
      ['1.10.0', 'would-copy'], // the registry lists tags in lexical order
      ['1.2', 'would-copy'],
      ['v1.0.0', 'would-copy'],
    ]);
    expect(await client.tags(`${host}/${mirror}`).catch((error) => error.code)).toBe(
      'NAME_UNKNOWN',
    );

    const first = await client.sync(plan);
    expect(first.map((r) => [r.tag, r.status])).toEqual([
      ['1.10.0', 'copied'], // the registry lists tags in lexical order
      ['1.2', 'copied'],
      ['v1.0.0', 'copied'],
    ]);
    expect(await client.tags(`${host}/${mirror}`)).toEqual(['1.10.0', '1.2']);
    expect(await client.tags(`oci:${join(dir, 'layout')}`)).toEqual(['v1.0.0']);
    expect((await client.resolve(`${host}/${mirror}:1.2`)).digest).toBe(first[1]?.digest);

    await pushImage(testbed.anonymous, repo, await makeImage({ seed: `${repo}-1.2-new` }), {
      tag: '1.2',
    });
    const second = await client.sync(plan);
    expect(second.map((r) => [r.tag, r.status])).toEqual([
      ['1.10.0', 'unchanged'],
      ['1.2', 'copied'],
      ['v1.0.0', 'unchanged'],
    ]);
  });

  it('stops starting tags once the proxy in front of the registry says ratelimit-remaining 0, reporting the rest RATE_LIMITED with the window', async () => {
    const repo = await repositoryWith('limited', ['1', '2', '3']);
    const other = await repositoryWith('limited-other', ['1']);
    const rule = await spendRateLimitAt(testbed.faults.controlUrl, `^/v2/${repo}/manifests/2$`);
    onTestFinished(() => rule.remove());
    const host = testbed.faults.host;
    const reports = await new Client().sync({
      sync: [
        {
          source: `${host}/${repo}`,
          destination: `${host}/${uniqueRepo('client/sync-limited-to')}`,
        },
        {
          source: `${host}/${other}`,
          destination: `${host}/${uniqueRepo('client/sync-other-to')}`,
        },
      ],
    });
    expect(summary(reports)).toEqual([
      [repo.split('/').pop(), '1', 'copied', undefined],
      [repo.split('/').pop(), '2', 'copied', undefined], // started before the headers came
      [repo.split('/').pop(), '3', 'stopped', 'RATE_LIMITED'],
      [other.split('/').pop(), undefined, 'stopped', 'RATE_LIMITED'],
    ]);
    expect(reports[2]?.stop).toMatchObject({ registry: host, limit: 100, windowSeconds: 21600 });
    expect(await rule.hits()).toBeGreaterThan(0);
  });

  it('reports a tag refused with a 429 carrying rate-limit headers as stopped, not failed, and starts nothing after it', async () => {
    const repo = await repositoryWith('429', ['a', 'b', 'c']);
    const rule = await faults.add({
      path: `^/v2/${repo}/manifests/b$`,
      times: 'always',
      fault: {
        type: 'status',
        status: 429,
        body: '{"errors":[{"code":"TOOMANYREQUESTS","message":"You have reached your pull rate limit"}]}',
        headers: { ...SPENT_RATE_LIMIT_HEADERS, 'retry-after': '3600' },
      },
    });
    onTestFinished(() => rule.remove());
    const host = testbed.faults.host;
    const reports = await new Client().sync({
      sync: [
        { source: `${host}/${repo}`, destination: `${host}/${uniqueRepo('client/sync-429-to')}` },
      ],
    });
    expect(reports.map((r) => [r.tag, r.status, r.stop?.code])).toEqual([
      ['a', 'copied', undefined],
      ['b', 'stopped', 'RATE_LIMITED'],
      ['c', 'stopped', 'RATE_LIMITED'],
    ]);
    expect(reports[1]?.stop).toMatchObject({ windowSeconds: 21600, retryAfterSeconds: 3600 });
  });

  it("paces every request of the sync to a registry by the plan's requestsPerSecond, as the proxy in front of the registry sees them", async () => {
    const repo = await repositoryWith('paced', ['1', '2']);
    const host = testbed.faults.host;
    const rate = 20;
    const reports = await new Client().sync({
      registries: { [host]: { requestsPerSecond: rate } },
      sync: [{ source: `${host}/${repo}`, destination: `${host}/${repo}-to` }],
    });
    expect(reports.map((r) => r.status)).toEqual(['copied', 'copied']);
    const times = (await faults.requests(`^/v2/${repo}(-to)?/`))
      .map((request) => Date.parse(request.time))
      .sort((a, b) => a - b);
    expect(times.length).toBeGreaterThan(10);
    const first = times[0] as number;
    // Burst 1: the k-th request no sooner than k/rate after the first (15 ms of clock and network jitter).
    expect(times.filter((time, k) => time - first < (k * 1000) / rate - 15)).toEqual([]);
  });

  it('syncs image entries (a tag to another tag, a digest to a tag, a tag kept where the destination names none) mixed with a repository entry into the real registry and an oci: layout, then finds every one unchanged; skopeo reads the copies', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ocikit-client-sync-image-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const host = testbed.anonymous.host;
    const repo = await repositoryWith('image', ['v1', 'v2', 'v3']);
    const client = new Client();
    const v1 = (await client.resolve(`${host}/${repo}:v1`)).digest;
    const v2 = (await client.resolve(`${host}/${repo}:v2`)).digest;
    const pinned = uniqueRepo('client/sync-pinned');
    const layout = join(dir, 'layout');
    const plan = await parseSyncPlan(
      [
        'sync:',
        '  - type: image',
        `    source: ${host}/${repo}:v1`,
        `    destination: ${host}/${pinned}:stable`,
        '  - type: image',
        `    source: ${host}/${repo}@${v2}`,
        `    destination: oci:${layout}:pinned-v2`,
        '  - type: image',
        `    source: docker://${host}/${repo}:v3`,
        `    destination: ${host}/${pinned}`,
        `  - source: ${host}/${repo}`,
        `    destination: oci:${layout}`,
        '    tags: "v[12]"',
      ].join('\n'),
    );
    const first = await client.sync(plan);
    expect(first.map((r) => [r.tag, r.status])).toEqual([
      ['stable', 'copied'],
      ['pinned-v2', 'copied'],
      ['v3', 'copied'],
      ['v1', 'copied'],
      ['v2', 'copied'],
    ]);
    expect(first.slice(0, 2).map((r) => r.digest)).toEqual([v1, v2]);
    expect(await client.tags(`${host}/${pinned}`)).toEqual(['stable', 'v3']);
    expect(await client.tags(`oci:${layout}`)).toEqual(['pinned-v2', 'v1', 'v2']);
    const stable = (await skopeoInspect(`docker://${host}/${pinned}:stable`)) as { Digest: string };
    expect(stable.Digest).toBe(v1);
    const fromLayout = (await skopeoInspect(`oci:${layout}:pinned-v2`)) as { Digest: string };
    expect(fromLayout.Digest).toBe(v2);

    const again = await client.sync(plan);
    expect(again.map((r) => r.status)).toEqual(Array(5).fill('unchanged'));
  });

  it('syncs from OCI archives skopeo wrote (plain, and gzip-compressed by GNU tar): every tag of a repository entry and one image of an image entry, into an oci: layout of many tags that umoci lists', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ocikit-client-sync-archive-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const host = testbed.anonymous.host;
    const repo = await repositoryWith('archive', ['a', 'b']);
    const built = join(dir, 'built');
    for (const tag of ['a', 'b'])
      await skopeoCopy(`docker://${host}/${repo}:${tag}`, `oci:${built}:${tag}`);
    const gzipped = join(dir, 'two.tar.gz');
    execFileSync('tar', ['-C', built, '-czf', gzipped, '.']);
    const plain = join(dir, 'one.tar');
    await skopeoCopy(`docker://${host}/${repo}:a`, `oci-archive:${plain}:only`);
    const mirror = join(dir, 'mirror');
    const plan = await parseSyncPlan(
      [
        'sync:',
        `  - source: oci-archive:${gzipped}`,
        `    destination: oci:${mirror}`,
        '  - type: image',
        `    source: oci-archive:${plain}:only`,
        `    destination: oci:${mirror}:from-plain`,
      ].join('\n'),
    );
    const client = new Client();
    const reports = await client.sync(plan);
    expect(reports.map((r) => [r.tag, r.status])).toEqual([
      ['a', 'copied'],
      ['b', 'copied'],
      ['from-plain', 'copied'],
    ]);
    const a = (await client.resolve(`${host}/${repo}:a`)).digest;
    expect(reports[2]?.digest).toBe(a);
    const listed = (await umoci(['ls', '--layout', mirror])).stdout.split('\n').filter(Boolean);
    expect(listed.sort()).toEqual(['a', 'b', 'from-plain']);
    expect((await client.sync(plan)).map((r) => r.status)).toEqual(Array(3).fill('unchanged'));
  });

  it('unpacks a gzip archive that several entries read once for the whole sync (staging directories counted at each report)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ocikit-client-sync-once-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const repo = await repositoryWith('once', ['a', 'b']);
    const built = join(dir, 'built');
    for (const tag of ['a', 'b']) {
      await skopeoCopy(`docker://${testbed.anonymous.host}/${repo}:${tag}`, `oci:${built}:${tag}`);
    }
    const gzipped = join(dir, 'two.tar.gz');
    execFileSync('tar', ['-C', built, '-czf', gzipped, '.']);
    const staging = join(dir, 'staging');
    await mkdir(staging);
    const mirror = join(dir, 'mirror');
    const plan = await parseSyncPlan(
      [
        'sync:',
        ...['a', 'b'].flatMap((tag) => [
          '  - type: image',
          `    source: oci-archive:${gzipped}:${tag}`,
          `    destination: oci:${mirror}:${tag}`,
        ]),
      ].join('\n'),
    );
    const counts: number[] = [];
    const reports = await new Client({ tempDir: staging }).sync(plan, {
      onReport: () => {
        counts.push(readdirSync(staging).length);
      },
    });
    expect(reports.map((r) => [r.tag, r.status])).toEqual([
      ['a', 'copied'],
      ['b', 'copied'],
    ]);
    expect(counts).toEqual([1, 1]);
    expect(await readdir(staging)).toEqual([]);
  });

  it('refuses, before any request: a repository entry naming a tag, an archive or Docker archive destination, a Docker archive source, and image entries whose tag is unclear', async () => {
    const client = new Client();
    const cases: [label: string, entry: ClientSyncEntry, code: string, says: string][] = [
      [
        'repository entry naming a tag',
        { source: 'localhost:1/app:v1', destination: 'localhost:1/b' },
        'REFERENCE_INVALID',
        'type: image',
      ],
      [
        'oci-archive destination',
        { source: 'localhost:1/app', destination: 'oci-archive:x.tar' },
        'UNSUPPORTED',
        'written whole',
      ],
      [
        'docker-archive source',
        { type: 'image', source: 'docker-archive:x.tar:app:v1', destination: 'localhost:1/b' },
        'UNSUPPORTED',
        'no manifests',
      ],
      [
        'digest source, untagged destination',
        {
          type: 'image',
          source: `localhost:1/app@sha256:${'a'.repeat(64)}`,
          destination: 'localhost:1/b',
        },
        'REFERENCE_INVALID',
        'must name the tag',
      ],
      [
        'digest destination',
        {
          type: 'image',
          source: 'localhost:1/app:v1',
          destination: `localhost:1/b@sha256:${'a'.repeat(64)}`,
        },
        'REFERENCE_INVALID',
        'not a digest',
      ],
      [
        'layout source naming no image',
        { type: 'image', source: 'oci:some/dir', destination: 'localhost:1/b:v1' },
        'REFERENCE_INVALID',
        'names no tag or digest',
      ],
    ];
    for (const [label, entry, code, says] of cases) {
      const error = await client.sync({ sync: [entry] }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error, label).toMatchObject({ code });
      expect((error as Error).message, label).toContain(says);
    }
  });
});
