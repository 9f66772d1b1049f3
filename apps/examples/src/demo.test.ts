import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
let temp: string | undefined;
afterEach(async () => {
  if (temp) await rm(temp, { recursive: true, force: true });
  temp = undefined;
});

describe('pnpm demo (the README quick start)', () => {
  it('runs the tour on the embedded registry, exits 0 and leaves nothing in the temp dir', async () => {
    temp = await mkdtemp(join(tmpdir(), 'demo-test-'));
    const { stdout, stderr } = await promisify(execFile)('pnpm', ['--silent', 'demo'], {
      cwd: root,
      env: { ...process.env, TMPDIR: temp }, // os.tmpdir() of the demo
    }); // rejects on a non-zero exit code

    const lines = stdout.split('\n');
    const steps = lines.filter((line) => /^\d\. /.test(line)).map((line) => line.slice(0, 2));
    expect(steps).toEqual(['1.', '2.', '3.', '4.', '5.', '6.', '7.', '8.']);
    expect(stdout).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+\//);
    expect(stdout).toMatch(/image {6}sha256:[0-9a-f]{12} {2}linux\/amd64, 2 layers/);
    expect(stdout).toMatch(/image {6}sha256:[0-9a-f]{12} {2}linux\/arm64, 2 layers/);
    expect(stdout).toMatch(
      /index {6}sha256:[0-9a-f]{12} {2}both platforms, tagged 1\.0 and latest/,
    );
    expect(stdout).toContain('copied 8 blobs (3.3 MiB), 4 manifests, 1 referrer');
    expect(stdout).toMatch(/1\.0 → sha256:[0-9a-f]{64}/);
    expect(stdout).toMatch(
      /referrer {4}sha256:[0-9a-f]{12} {2}application\/vnd\.example\.signature/,
    );
    expect(stdout).toContain('tags: 1.0, latest\n');
    expect(stdout).toContain('tags: 1.0\n');
    expect(stdout).toMatch(/demo\/app@sha256:[0-9a-f]{12} is still there/);
    expect(stdout).toContain('refused: DIGEST_MISMATCH');
    expect(stdout).toContain('the registry has the tampered layer in demo/restored: false');
    expect(stdout).toMatch(/done in \d+\.\d s/);
    // Progress on stderr: a line per blob and manifest of the copy (8 + 4).
    expect(stderr.split('\n').filter((line) => /^ {3}copied /.test(line))).toHaveLength(12);
    // Nothing of the demo is left (tsx keeps its own cache dir there).
    const layoutDir = /OCI layout in (\S+) /.exec(stdout)?.[1] ?? '';
    expect(layoutDir.startsWith(join(temp, 'ocikit-demo-'))).toBe(true);
    expect((await readdir(temp)).filter((name) => !name.startsWith('tsx-'))).toEqual([]);
  }, 60_000);
});
