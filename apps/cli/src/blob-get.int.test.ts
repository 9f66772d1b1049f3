import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  faultClient,
  getTestbed,
  makeImage,
  pushImage,
  randomLayer,
  uniqueRepo,
} from '@ocikit/testbed';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  buildStandalone,
  ocikit,
  ocikitRunning,
  type RunningOcikit,
  tempDir,
} from './lib/ocikit-process.testing.ts';

/** Waits until a check holds, polling (the child runs on its own: there is no event to wait for). */
async function until(check: () => Promise<boolean>, what: string, running: RunningOcikit) {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} never happened: ${running.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * A registry endpoint that sends the first `sent` bytes of a blob of `size`
 * bytes, then stalls with the connection open: a download stuck mid-body.
 */
async function stallingBlobServer(size: number, sent: number) {
  const bytes = randomBytes(size);
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  const server = createServer((request, response) => {
    if (!request.url?.endsWith(`/blobs/${digest}`)) {
      response.writeHead(request.url === '/v2/' ? 200 : 404).end('{}');
      return;
    }
    response.writeHead(200, {
      'content-length': String(size),
      'content-type': 'application/octet-stream',
      'docker-content-digest': digest,
    });
    if (request.method === 'HEAD') response.end();
    else response.write(bytes.subarray(0, sent));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => {
    server.closeAllConnections();
    server.close();
  });
  return { host: `127.0.0.1:${(server.address() as AddressInfo).port}`, digest };
}

const OLD = 'what FILE held before\n';

describe.each([
  ['the built bundle on Node', false],
  ['the standalone executable', true],
] as const)('ocikit blob get -o FILE (%s)', (_name, standalone) => {
  let options: { program?: string[] } = {};
  beforeAll(async () => {
    if (!standalone) return;
    const dir = await mkdtemp(join(tmpdir(), 'ocikit-standalone-'));
    options = { program: [await buildStandalone(dir)] };
    return () => rm(dir, { recursive: true, force: true });
  });

  it('writes the verified blob to FILE, replacing what FILE held', async () => {
    const blob = await randomLayer({ size: 3 * 1024 * 1024, seed: 'cli-blob-get-output' });
    const image = await makeImage({ seed: 'cli-blob-get-output', layers: [blob] });
    const repo = uniqueRepo('cli/blob-get');
    const registry = getTestbed().anonymous;
    await pushImage({ url: registry.url }, repo, image, { tag: 'v1' });
    const file = join(await tempDir(), 'blob.bin');
    await writeFile(file, OLD);

    const run = await ocikit(
      ['blob', 'get', `${registry.host}/${repo}@${blob.digest}`, '-o', file],
      options,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('');
    const written = await readFile(file);
    expect(written.byteLength).toBe(blob.size);
    expect(`sha256:${createHash('sha256').update(written).digest('hex')}`).toBe(blob.digest);
  });

  it('refuses -o FILE in a missing directory or naming a directory with PATH_INVALID, before any request', async () => {
    const { faults } = getTestbed();
    const repo = uniqueRepo('cli/blob-get-bad-output');
    const dir = await tempDir();
    const blob = `${faults.host}/${repo}@sha256:${'0'.repeat(64)}`;
    for (const [label, output] of [
      ['missing directory', join(dir, 'missing', 'blob.bin')],
      ['a directory', dir],
    ]) {
      const run = await ocikit(['blob', 'get', blob, '-o', output as string], options);
      expect(run.code, label).toBe(1);
      expect(run.stderr, label).toMatch(/^PATH_INVALID: .* — check the file or directory/);
    }
    expect(await faultClient(faults.controlUrl).requests(repo)).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('SIGINT while the registry delays the blob (fault proxy) aborts the request: exit 130 at once, FILE untouched, no temp file', async () => {
    const { faults } = getTestbed();
    const image = await makeImage({ seed: 'cli-blob-get-delay' });
    const repo = uniqueRepo('cli/blob-get-interrupt');
    await pushImage({ url: faults.url }, repo, image, { tag: 'v1' });
    const layer = image.layers[0]?.digest as string;
    const delay = await faultClient(faults.controlUrl).add({
      method: 'GET',
      path: `/v2/${repo}/blobs/${layer}`,
      fault: { type: 'delay', ms: 8000 },
    });
    onTestFinished(() => delay.remove());
    const dir = await tempDir();
    const file = join(dir, 'layer.tar');
    await writeFile(file, OLD);

    const running = await ocikitRunning(
      ['blob', 'get', `${faults.host}/${repo}@${layer}`, '--output', file],
      options,
    );
    await until(async () => (await delay.hits()) > 0, 'the blob GET', running);
    const stopped = await running.stop('SIGINT');
    expect(stopped.code, running.stderr()).toBe(130);
    expect(stopped.ms, 'the request in flight is aborted, not awaited').toBeLessThan(4000);
    expect(running.stderr()).toContain('Interrupted (SIGINT): blob get stopped');
    expect(await readFile(file, 'utf8')).toBe(OLD);
    expect(await readdir(dir)).toEqual(['layer.tar']);
  });

  it('SIGINT in the middle of the body removes the partly written temp file: exit 130, FILE untouched', async () => {
    const mib = 1024 * 1024;
    const source = await stallingBlobServer(4 * mib, 2 * mib);
    const dir = await tempDir();
    const file = join(dir, 'blob.bin');
    await writeFile(file, OLD);

    const running = await ocikitRunning(
      [
        'blob',
        'get',
        `${source.host}/app@${source.digest}`,
        '-o',
        file,
        '--plain-http',
        source.host,
      ],
      options,
    );
    const partial = async () => {
      for (const entry of await readdir(dir)) {
        if (entry === 'blob.bin') continue;
        if ((await stat(join(dir, entry))).size >= mib) return true;
      }
      return false;
    };
    await until(partial, 'a temp file with the first MiB', running);
    const stopped = await running.stop('SIGINT');
    expect(stopped.code, running.stderr()).toBe(130);
    expect(await readFile(file, 'utf8')).toBe(OLD);
    expect(await readdir(dir)).toEqual(['blob.bin']);
  });
});
