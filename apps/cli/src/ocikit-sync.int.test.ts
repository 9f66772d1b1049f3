import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  faultClient,
  getTestbed,
  pushTaggedImages,
  spendRateLimitAt,
  uniqueRepo,
} from '@ocikit/testbed';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ocikit, tempDir } from './lib/ocikit-process.testing.ts';

const testbed = getTestbed();

/** A repository of the anonymous registry with these tags, each a different image. */
async function repositoryWith(tags: readonly string[]): Promise<string> {
  const repo = uniqueRepo('cli/sync');
  await pushTaggedImages(testbed.anonymous, repo, tags);
  return repo;
}

async function planFile(lines: readonly string[]): Promise<string> {
  const file = join(await tempDir(), 'plan.yaml');
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

interface JsonRow {
  source: string;
  tag: string | null;
  status: string;
  error: { code: string } | null;
  stop: { code: string; windowSeconds?: number } | null;
}

describe('ocikit sync (the built binary)', () => {
  it('dry-runs, syncs a plan by semver into a registry and an oci: layout (table on stdout, exit 0), then exits 1 with the failed item in the table', async () => {
    const host = testbed.anonymous.host;
    const repo = await repositoryWith(['latest', 'v1.0.0', '1.2.0', '2.0.0']);
    const mirror = uniqueRepo('cli/sync-mirror');
    const layout = join(await tempDir(), 'layout');
    const plan = await planFile([
      'defaults:',
      '  tags:',
      '    semver: ">=1 <2"',
      'sync:',
      `  - source: ${host}/${repo}`,
      `    destination: ${host}/${mirror}`,
      `  - source: ${host}/${repo}`,
      `    destination: oci:${layout}`,
      '    tags: { semver: "^1", latest: 1 }',
    ]);

    const dry = await ocikit(['sync', plan, '--dry-run', '--format', 'json']);
    expect(dry.code, dry.stderr).toBe(0);
    const planned = JSON.parse(dry.stdout) as {
      counts: Record<string, number>;
      reports: JsonRow[];
    };
    expect(planned.reports.map((r) => [r.tag, r.status])).toEqual([
      ['1.2.0', 'would-copy'],
      ['v1.0.0', 'would-copy'],
      ['1.2.0', 'would-copy'],
    ]);
    expect(planned.counts).toMatchObject({ 'would-copy': 3, copied: 0, failed: 0 });
    expect((await ocikit(['tag', 'ls', `${host}/${mirror}`])).code).toBe(3); // nothing was copied

    const synced = await ocikit(['sync', plan]);
    expect(synced.code, synced.stderr).toBe(0);
    const [header, ...rows] = synced.stdout.trimEnd().split('\n');
    expect(header?.split(/\s+/)).toEqual(['SOURCE', 'DESTINATION', 'TAG', 'STATUS', 'DETAIL']);
    expect(rows.map((row) => row.split(/\s+/).slice(2, 4))).toEqual([
      ['1.2.0', 'copied'],
      ['v1.0.0', 'copied'],
      ['1.2.0', 'copied'],
    ]);
    expect(synced.stderr).toContain(`copied ${host}/${repo}:1.2.0 → oci:${layout}`);
    expect((await ocikit(['tag', 'ls', `${host}/${mirror}`])).stdout).toBe('1.2.0\nv1.0.0\n');
    expect((await ocikit(['tag', 'ls', `oci:${layout}`])).stdout).toBe('1.2.0\n');

    const broken = await planFile([
      'sync:',
      `  - source: ${host}/${uniqueRepo('cli/sync-missing')}`,
      `    destination: ${host}/${mirror}`,
      `  - source: ${host}/${repo}`,
      `    destination: ${host}/${mirror}`,
      '    tags: { include: ["v.*"] }',
    ]);
    const failed = await ocikit(['sync', broken]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/-\s+failed\s+NAME_UNKNOWN/);
    expect(failed.stdout).toMatch(/v1\.0\.0\s+unchanged\s+sha256:/);
  });

  it('syncs disjoint shards that together cover the plan (--shard i/n)', async () => {
    const host = testbed.anonymous.host;
    const sources = await Promise.all([0, 1, 2, 3].map(() => repositoryWith(['v1'])));
    const plan = await planFile([
      'sync:',
      ...sources.flatMap((repo) => [
        `  - source: ${host}/${repo}`,
        `    destination: ${host}/${repo}-mirror`,
      ]),
    ]);
    const shards = await Promise.all(
      ['0/2', '1/2'].map((shard) => ocikit(['sync', plan, '--shard', shard, '--format', 'json'])),
    );
    const synced = shards.flatMap((run) => {
      expect(run.code, run.stderr).toBe(0);
      return (JSON.parse(run.stdout) as { reports: JsonRow[] }).reports.map((r) => r.source);
    });
    expect(synced.sort()).toEqual(sources.map((repo) => `${host}/${repo}`).sort());
    const bad = await ocikit(['sync', plan, '--shard', '2/2']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('OPTION_INVALID');
  });

  it('exits 5 when the proxy in front of the registry says the rate limit is spent, with the rest reported stopped (RATE_LIMITED, the window) in JSON', async () => {
    const repo = await repositoryWith(['1', '2']);
    const rule = await spendRateLimitAt(testbed.faults.controlUrl, `^/v2/${repo}/manifests/1$`);
    onTestFinished(() => rule.remove());
    const host = testbed.faults.host;
    const plan = await planFile([
      'sync:',
      `  - source: ${host}/${repo}`,
      `    destination: ${host}/${repo}-mirror`,
    ]);
    const run = await ocikit(['sync', plan, '--format', 'json']);
    expect(run.code, run.stderr).toBe(5);
    const { reports } = JSON.parse(run.stdout) as { reports: JsonRow[] };
    expect(
      reports.map((r) => [r.tag, r.status, r.stop?.code ?? null, r.stop?.windowSeconds ?? null]),
    ).toEqual([
      ['1', 'copied', null, null],
      ['2', 'stopped', 'RATE_LIMITED', 21600],
    ]);
  });

  it('syncs an image entry (a digest to a tag) and a gzip-compressed oci-archive source into an oci: layout; an oci-archive destination exits with UNSUPPORTED before copying', async () => {
    const host = testbed.anonymous.host;
    const repo = await repositoryWith(['v1', 'v2']);
    const dir = await tempDir();
    const digest = JSON.parse(
      (await ocikit(['digest', `${host}/${repo}:v2`, '--format', 'json'])).stdout,
    ).digest as string;
    const built = join(dir, 'built');
    expect((await ocikit(['copy', `${host}/${repo}:v1`, `oci:${built}:v1`])).code).toBe(0);
    const archive = join(dir, 'v1.tar.gz');
    execFileSync('tar', ['-C', built, '-czf', archive, '.']);
    const layout = join(dir, 'mirror');
    const plan = await planFile([
      'sync:',
      '  - type: image',
      `    source: ${host}/${repo}@${digest}`,
      `    destination: oci:${layout}:pinned`,
      `  - source: oci-archive:${archive}`,
      `    destination: oci:${layout}`,
    ]);
    const run = await ocikit(['sync', plan, '--format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const { reports } = JSON.parse(run.stdout) as { reports: (JsonRow & { type: string })[] };
    expect(reports.map((r) => [r.type, r.tag, r.status])).toEqual([
      ['image', 'pinned', 'copied'],
      ['repository', 'v1', 'copied'],
    ]);
    expect(run.stderr).toContain(
      `copied ${host}/${repo}@${digest} → oci:${layout}:pinned (tag pinned) ${digest}`,
    );
    expect((await ocikit(['tag', 'ls', `oci:${layout}`])).stdout).toBe('pinned\nv1\n');

    const intoArchive = await planFile([
      'sync:',
      `  - source: ${host}/${repo}`,
      `    destination: oci-archive:${join(dir, 'out.tar')}`,
    ]);
    const refused = await ocikit(['sync', intoArchive]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/^UNSUPPORTED: Cannot sync into the archive/);
  });

  it('refuses a FIFO, a device or a missing file as the plan (and as serve --htpasswd) with a clear error, without blocking', async () => {
    const fifo = join(await tempDir(), 'plan.fifo');
    execFileSync('mkfifo', [fifo]);
    const fromFifo = await ocikit(['sync', fifo]);
    expect(fromFifo.code).toBe(1);
    expect(fromFifo.stderr).toMatch(/^PATH_INVALID: .*plan\.fifo/);
    const fromDevice = await ocikit(['sync', '/dev/zero']);
    expect(fromDevice.code).toBe(1);
    expect(fromDevice.stderr).toMatch(/^PATH_INVALID: .*\/dev\/zero/);
    const missing = await ocikit(['sync', join(await tempDir(), 'none.yaml')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /^CONFIG_INVALID: Cannot read the sync plan ".*none\.yaml" \(ENOENT\)/,
    );
    const htpasswd = await ocikit(['serve', '--memory', '--port', '0', '--htpasswd', fifo]);
    expect(htpasswd.code).toBe(1);
    expect(htpasswd.stderr).toMatch(/^PATH_INVALID: .*plan\.fifo/);
  }, 20_000);
});

describe('ocikit sync with the blob cache (the built binary)', () => {
  it('syncs a layout into a new repository by mounting from where the copy that made the layout saw its blobs: no upload (counted by the proxy)', async () => {
    const { faults } = testbed;
    const repo = uniqueRepo('cli/sync-cache');
    await pushTaggedImages({ url: faults.url }, repo, ['v1']);
    const dir = await tempDir();
    const env = { XDG_CACHE_HOME: join(dir, 'cache') };
    const layout = join(dir, 'layout');
    const pulled = await ocikit(['copy', `${faults.host}/${repo}:v1`, `oci:${layout}:v1`], { env });
    expect(pulled.code, pulled.stderr).toBe(0);
    const mirror = uniqueRepo('cli/sync-cache-mirror');
    const plan = await planFile([
      'sync:',
      `  - source: oci:${layout}`,
      `    destination: ${faults.host}/${mirror}`,
    ]);
    const synced = await ocikit(['sync', plan, '--format', 'json'], { env });
    expect(synced.code, synced.stderr).toBe(0);
    const requests = await faultClient(faults.controlUrl).requests(`/v2/${mirror}/blobs/`);
    const mounts = requests.filter((r) => r.method === 'POST' && r.path.includes('mount='));
    expect(mounts.length).toBeGreaterThan(1);
    expect(mounts.every((r) => r.status === 201)).toBe(true);
    expect(requests.filter((r) => r.method === 'PUT' || r.method === 'PATCH')).toEqual([]);
  });
});
