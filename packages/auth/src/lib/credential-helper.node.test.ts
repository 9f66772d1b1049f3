import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHelperBed, type HelperBed } from '../testdata/helper-bed.node.ts';
import { credentialHelper } from './credential-helper.node.ts';

let bed: HelperBed;
beforeEach(async () => {
  bed = await createHelperBed();
});
afterEach(async () => {
  vi.useRealTimers();
  await bed.cleanup();
});

describe('credentialHelper', () => {
  it('speaks get, store, erase and list with a real helper program', async () => {
    await bed.install('test', {
      credentials: { 'ghcr.io': { Username: 'me', Secret: 'pat' } },
    });
    const helper = credentialHelper('test', { env: bed.env });
    expect(helper.name).toBe('test');
    expect(await helper.get('ghcr.io')).toEqual({ username: 'me', password: 'pat' });
    expect(await helper.get('quay.io')).toBeUndefined();
    await helper.store('quay.io', { username: 'q', password: 'q-pass' });
    await helper.store('https://index.docker.io/v1/', { identityToken: 'refresh' });
    expect(await helper.get('https://index.docker.io/v1/')).toEqual({ identityToken: 'refresh' });
    expect((await bed.states()).test?.credentials?.['https://index.docker.io/v1/']).toEqual({
      Username: '<token>',
      Secret: 'refresh',
    });
    expect([...(await helper.list())].sort()).toEqual([
      ['ghcr.io', 'me'],
      ['https://index.docker.io/v1/', '<token>'],
      ['quay.io', 'q'],
    ]);
    expect(await helper.erase('quay.io')).toBe(true);
    expect(await helper.erase('quay.io')).toBe(false);
    expect((await bed.calls()).map((call) => call.action)).toEqual([
      'get',
      'get',
      'store',
      'store',
      'get',
      'list',
      'erase',
      'erase',
    ]);
  });

  it('fails with CREDENTIAL_HELPER_FAILED naming the helper, the host and the fix', async () => {
    await bed.install('desktop', {
      fail: 'error getting credentials - err: exit status 1, out: `Docker Desktop is not running`',
    });
    await bed.install('garbage', { garbage: true });
    await bed.install('huge', { huge: 5000 });
    await bed.install('partial', { credentials: { 'a.io': { Username: '', Secret: 's' } } });
    const cases: [label: string, name: string, contains: string[]][] = [
      [
        'missing helper',
        'nonexistent',
        [
          'docker-credential-nonexistent',
          '"a.io"',
          'not installed',
          'install docker-credential-nonexistent',
          'credsStore',
        ],
      ],
      [
        'Docker Desktop not running',
        'desktop',
        [
          'docker-credential-desktop',
          '"a.io"',
          'exit code 1',
          'Docker Desktop is not running',
          'Docker Desktop must be running',
          'credsStore',
        ],
      ],
      ['not JSON', 'garbage', ['docker-credential-garbage', 'not a JSON object']],
      ['too much output', 'huge', ['more than 1000 bytes']],
    ];
    for (const [label, name, contains] of cases) {
      const helper = credentialHelper(name, {
        env: bed.env,
        maxOutputBytes: 1000,
        configuredIn: '"credsStore" from /tmp/config.json',
      });
      const error = await helper.get('a.io').catch((caught: unknown) => caught);
      expect(error, label).toMatchObject({ name: 'OciError', code: 'CREDENTIAL_HELPER_FAILED' });
      for (const part of contains) expect((error as Error).message, label).toContain(part);
    }
    expect(await credentialHelper('partial', { env: bed.env }).get('a.io')).toBeUndefined();
  });

  it('kills a helper that does not answer in time (fake timers)', async () => {
    await bed.install('slow', { hang: true });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const pending = credentialHelper('slow', { env: bed.env, timeout: 5000 })
      .get('a.io')
      .catch((caught: unknown) => caught);
    await vi.advanceTimersByTimeAsync(5000);
    const error = await pending;
    expect(error).toMatchObject({ code: 'CREDENTIAL_HELPER_FAILED' });
    expect((error as Error).message).toContain('within 5000 ms');
  });

  it('is cancelled by its signal, before and while running', async () => {
    await bed.install('slow', { hang: true });
    const helper = credentialHelper('slow', { env: bed.env });
    await expect(helper.get('a.io', { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'ABORTED',
    });
    const controller = new AbortController();
    const pending = helper.list({ signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('refuses names that could run another program, and bad limits', () => {
    const cases: [label: string, name: string, options: Parameters<typeof credentialHelper>[1]][] =
      [
        ['path', '../../bin/sh', {}],
        ['empty', '', {}],
        ['space', 'a b', {}],
        ['zero timeout', 'ok', { timeout: 0 }],
        ['bad output limit', 'ok', { maxOutputBytes: Number.NaN }],
      ];
    for (const [label, name, options] of cases) {
      expect(() => credentialHelper(name, options), label).toThrow(
        expect.objectContaining({ code: 'OPTION_INVALID' }),
      );
    }
  });
});
