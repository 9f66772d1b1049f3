import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { getTestbed, makeImage, pushImage, randomLayer, uniqueRepo } from '@ocikit/testbed';
import { describe, expect, it } from 'vitest';
import { OCIKIT_BIN } from './lib/ocikit-process.testing.ts';

const run = promisify(execFile);

describe('ocikit writing to a pipe whose reader went away', () => {
  it('blob get | head -c 10: ocikit exits 141 at once and prints no error', async () => {
    const blob = await randomLayer({ size: 8 * 1024 * 1024, seed: 'cli-broken-pipe' });
    const image = await makeImage({ seed: 'cli-broken-pipe', layers: [blob] });
    const repo = uniqueRepo('cli/broken-pipe');
    const registry = getTestbed().anonymous;
    await pushImage({ url: registry.url }, repo, image, { tag: 'v1' });
    const location = `${registry.host}/${repo}@${blob.digest}`;

    const script = `"${process.execPath}" "${OCIKIT_BIN}" blob get "${location}" 2>"$ERR" | head -c 10 | wc -c; echo "\${PIPESTATUS[0]}"; cat "$ERR"`;
    const { stdout } = await run('bash', ['-c', `ERR=$(mktemp); ${script}; rm -f "$ERR"`]);
    const [headBytes, exitCode, ...stderr] = stdout.split('\n');

    expect(headBytes?.trim()).toBe('10');
    expect(exitCode).toBe('141');
    expect(stderr.join('\n').trim()).toBe('');
  });
});
